/**
 * A consent survives a restart of every process: the stack (Temporal dev server, worker, gateway, sandbox) is
 * stopped and started again on the same data folder; the connection is still there, company calls work, and the
 * refresh token held across the restart still refreshes (the sandbox keeps SePay's grants in the data folder, as
 * SePay outlives our processes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/env';
import { createLogger } from '../../config/logger';
import type { RunningStack } from '../../scripts/stack';
import { startStack } from '../../scripts/stack';
import { consent, sepayControls } from '../helpers/sepay-controls';
import { gatewayApi, isolatedConfig } from '../helpers/stack';

let dataDir: string;
let config: Config;
let stack: RunningStack | undefined;

const start = async () => startStack({ config, logger: createLogger({ level: 'silent' }) });

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dongflow-sepay-restart-'));
  config = await isolatedConfig(dataDir, { LOG_LEVEL: 'silent' });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a consent and the formats set through it survive a restart of every process', async () => {
  stack = await start();
  let api = gatewayApi(stack);
  expect((await consent((await api.get('/v1/sepay/authorize')).body.url)).body).toMatchObject({ status: 'connected' });
  const formats = [{ prefix: 'KH', suffixFrom: 5, suffixTo: 7, characterType: 'NumberOnly', isActive: true }];
  expect((await api.call('PUT', '/v1/sepay/company/payment-code-formats', { paymentCodeFormats: formats })).status).toBe(200);
  const before = (await api.get('/v1/sepay/connection')).body;
  await stack.stop();
  stack = undefined;

  stack = await start();
  api = gatewayApi(stack);
  expect((await api.get('/v1/sepay/connection')).body).toEqual(before);
  const company = await api.get('/v1/sepay/company');
  expect(company.status).toBe(200);
  expect(company.body.configurations.paymentCodeFormats).toEqual(formats);
  expect((await api.post('/v1/sepay/payment-codes/find', { text: 'ck kh-123456 thanh toan' })).body).toEqual({ paymentCode: 'KH123456' });

  // The refresh token kept across the restart still works.
  const sepay = sepayControls(stack.sandboxUrl!);
  await sepay.expireTokens();
  expect((await api.get('/v1/sepay/company')).status).toBe(200);
  expect(await sepay.stats()).toMatchObject({ refreshes: 1, refreshTokenReuses: 0 });
  expect((await api.get('/v1/sepay/connection')).body).toMatchObject({ status: 'connected', refreshes: 1 });
}, 240_000);
