/**
 * When Temporal cannot be reached the gateway says so (503, nothing changed) instead of hanging or answering 500.
 */
import { Client, Connection } from '@temporalio/client';
import { buildGateway } from '../../client/gateway/server';
import { generateApiKey, parseApiKeys } from '../../client/gateway/api-keys';
import { createMetrics } from '../../client/gateway/metrics';
import { createPayoutsClient } from '../../client/payouts';
import { dataConverterFor } from '../../codec/data-converter';
import { parseKeyRing } from '../../codec/keys';
import { createLogger } from '../../config/logger';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { freePort } from '../helpers/ports';

test('with Temporal down, starting a payout answers 503 temporal_unavailable and /healthz reports it', async () => {
  const port = await freePort(); // nothing listens there
  const connection = Connection.lazy({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 });
  const keyRing = parseKeyRing(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
  const client = new Client({ connection, dataConverter: dataConverterFor(keyRing) });
  const { key, sha256 } = generateApiKey();
  const app = buildGateway({
    payouts: createPayoutsClient(client, { rpcTimeoutMs: 2_000 }),
    connection,
    logger: createLogger({ level: 'silent' }),
    apiKeys: parseApiKeys(JSON.stringify([{ name: 'test', sha256, scopes: ['read', 'payouts:write'] }])),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  try {
    const started = await app.inject({
      method: 'POST',
      url: '/v1/payouts',
      headers: { authorization: `Bearer ${key}` },
      payload: {
        referenceId: 'DOWN-1',
        accountId: FINAN_SOURCE_ACCOUNT_ID,
        amount: 1_000_000,
        beneficiaryAccountName: 'NGUYEN VAN A',
        beneficiaryAccountNumber: '1234567890',
        beneficiaryBankId: '161',
        description: 'temporal down',
      },
    });
    expect(started.statusCode).toBe(503);
    expect(started.json().error.code).toBe('temporal_unavailable');

    const read = await app.inject({ method: 'GET', url: '/v1/payouts/DOWN-1', headers: { authorization: `Bearer ${key}` } });
    expect(read.statusCode).toBe(503);

    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'degraded', temporal: 'unreachable' });
  } finally {
    await app.close();
    await connection.close().catch(() => undefined);
  }
}, 60_000);
