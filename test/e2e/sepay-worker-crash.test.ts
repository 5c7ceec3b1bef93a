/**
 * SePay under load and under crashes, with the worker as a process of its own (as in worker-crash.test.ts):
 * twenty SePay calls at once stay under SePay's 3 requests per second (none refused by the sandbox's limit), and a
 * worker killed in the middle of a token refresh loses no credential and reuses no refresh token.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { SEPAY_CREDENTIALS_WORKFLOW_ID } from '../../workflows/sepay/messages';
import { freePort } from '../helpers/ports';
import { sandboxControls } from '../helpers/sandbox-controls';
import { consent, sepayControls } from '../helpers/sepay-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let sepay: ReturnType<typeof sepayControls>;
const workers: ChildProcess[] = [];

async function startWorker(): Promise<ChildProcess> {
  const keys = readFileSync(join(stack.dataDir, 'encryption-keys'), 'utf8').trim().split(/\s+/).join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../workers/main.ts')], {
    cwd: resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      FINAN_BASE_URL: stack.finanBaseUrl,
      FINAN_CLIENT_ID: 'sandbox-client',
      FINAN_SECRET_KEY: 'sandbox-secret',
      SEPAY_BASE_URL: stack.sepayBaseUrl,
      SEPAY_CLIENT_ID: 'sandbox-sepay-client',
      SEPAY_CLIENT_SECRET: 'sandbox-sepay-secret',
      SEPAY_REDIRECT_URI: `${stack.gatewayUrl}/v1/sepay/callback`,
      LOG_LEVEL: 'error',
      DONGFLOW_ENCRYPTION_KEYS: keys,
      DONGFLOW_WORKER_METRICS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  stack = await startTestStack({ runWorker: false });
  api = gatewayApi(stack);
  sepay = sepayControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await Promise.all(workers.map(kill));
  await stack?.stop();
});

/** Waits until the credentials flow has `activity` running or waiting for its next attempt. */
async function refreshPending(minAttempt: number): Promise<void> {
  await eventually(
    async () => (await stack.client.workflow.getHandle(SEPAY_CREDENTIALS_WORKFLOW_ID).describe()).raw.pendingActivities ?? [],
    (pending) => pending.some((a) => a.activityType?.name === 'refreshSepayToken' && (a.attempt ?? 0) >= minAttempt),
    60_000,
    50,
  );
}

/** Starting a consent needs the worker: a new worker process takes a while to poll on a busy machine. */
const authorizeUrl = async (): Promise<string> => (await eventually(() => api.get('/v1/sepay/authorize'), (r) => r.status === 200)).body.url;

test('a consent through a worker of its own', async () => {
  await startWorker();
  const back = await consent(await authorizeUrl());
  expect(back.body).toMatchObject({ status: 'connected' });
});

test("twenty SePay calls at once all succeed and none is refused by SePay's 3/s limit", async () => {
  const before = await sepay.stats();
  const started = Date.now();
  const answers = await Promise.all(Array.from({ length: 20 }, () => api.get('/v1/sepay/company')));
  const seconds = (Date.now() - started) / 1000;
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  const after = await sepay.stats();
  expect(after.requests - before.requests).toBe(20);
  expect(after.rateLimited - before.rateLimited).toBe(0);
  // 20 calls at 3 per second (the first 3 at once) cannot take less than about 5.7 s.
  expect(seconds).toBeGreaterThan(5);
}, 120_000);

test('killing the worker in the middle of a token refresh loses no credential and reuses no refresh token', async () => {
  const before = await sepay.stats();
  // SePay throttles the refresh (429 before it rotates anything): the refresh is under way, retried, when the worker dies.
  await sandboxControls(stack.sandboxUrl!).setFaults({ rules: [{ method: 'POST', path: '/oauth/token', errorRate: 1, errorStatus: 429 }] });
  await sepay.expireTokens();
  const call = api.get('/v1/sepay/company');
  await refreshPending(2);
  await kill(workers[workers.length - 1]!);
  await sandboxControls(stack.sandboxUrl!).clearFaults();

  await startWorker();
  // The call that triggered the refresh may have timed out at the gateway meanwhile: the flow finished it anyway.
  await call;
  const connection = await eventually(() => api.get('/v1/sepay/connection'), (r) => r.body.refreshes === 1);
  expect(connection.body).toMatchObject({ status: 'connected', connected: true });
  expect((await api.get('/v1/sepay/company')).status).toBe(200);
  const after = await sepay.stats();
  expect(after.refreshes - before.refreshes).toBe(1);
  expect(after.refreshTokenReuses).toBe(0);
}, 180_000);

test('a refresh whose answer is lost after SePay rotated the token ends consent_needed, honestly', async () => {
  // SePay commits the rotation and the connection drops: the new refresh token never reaches us.
  await sandboxControls(stack.sandboxUrl!).setFaults({ rules: [{ method: 'POST', path: '/oauth/token', commitThenDropRate: 1 }] });
  const before = await sepay.stats();
  await sepay.expireTokens();
  const call = api.get('/v1/sepay/company');
  await eventually(() => sepay.stats(), (s) => s.refreshes > before.refreshes, 60_000, 20);
  await sandboxControls(stack.sandboxUrl!).clearFaults();
  expect((await call).status).toBe(409);
  const connection = await eventually(() => api.get('/v1/sepay/connection'), (r) => r.body.status === 'consent_needed');
  expect(connection.body.consentNeededReason).toMatch(/already used/);
  expect((await sepay.stats()).refreshTokenReuses).toBeGreaterThanOrEqual(1);

  // A person consents again, and everything works.
  expect((await consent(await authorizeUrl())).body).toMatchObject({ status: 'connected' });
  expect((await api.get('/v1/sepay/company')).status).toBe(200);
}, 180_000);

test('the credentials flow is found by its search attributes, which hold no token', async () => {
  const description = await stack.client.workflow.getHandle(SEPAY_CREDENTIALS_WORKFLOW_ID).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.raw.workflowExecutionInfo?.status).toBe(temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
});
