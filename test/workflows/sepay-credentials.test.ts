/**
 * The SePay credentials flow's long timers and long life on Temporal's time-skipping server, against the sandbox:
 * an access token near its expiry is refreshed before use (not after), a month-old consent is kept alive by a
 * refresh, a refresh token SePay refuses or lets expire turns the connection to consent_needed, and the flow
 * continues as new with its grant.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createSepayCompanyActivities } from '../../activities/sepay/company';
import { createSepayOAuthActivities } from '../../activities/sepay/oauth';
import { SepayClient } from '../../providers/sepay/client';
import type { RunningSandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';
import { SEPAY_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../../workflows/common/task-queues';
import type { SepayCredentialsInput } from '../../workflows/sepay/messages';
import { beginConsentUpdate, completeConsentUpdate, getCompanyUpdate, sepayConnectionQuery } from '../../workflows/sepay/messages';
import type { sepayCredentialsWorkflow } from '../../workflows/sepay/workflow';

const REDIRECT = 'http://127.0.0.1:9/v1/sepay/callback';
const DAY = 24 * 3600_000;
let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let sepay: SepayClient;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, sandbox, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } } }),
    startSandbox({ port: 0, sepay: { redirectUri: REDIRECT, requestsPerSecond: 1000 } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } }),
  ]);
  sepay = new SepayClient({ baseUrl: sandbox.sepayBaseUrl, clientId: 'sandbox-sepay-client', clientSecret: 'sandbox-sepay-secret', redirectUri: REDIRECT });
});

afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

const started: WorkflowHandle[] = [];

beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});

// The flow never ends on its own: each test's flow is ended, so its timers do not run in the next test's skipped time.
afterEach(async () => {
  for (const handle of started.splice(0)) await env.client.workflow.getHandle(handle.workflowId).terminate('test over').catch(() => undefined);
});

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const workflowWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: WORKFLOW_TASK_QUEUE, workflowBundle: bundle });
  const sepayWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: SEPAY_TASK_QUEUE,
    activities: { ...createSepayOAuthActivities({ sepay }), ...createSepayCompanyActivities({ sepay }) },
  });
  return workflowWorker.runUntil(sepayWorker.runUntil(fn));
}

const stats = async () => (await (await fetch(`${sandbox.url}/_sandbox/sepay/stats`)).json()) as { requests: number; refreshes: number; refreshTokenReuses: number };
let counter = 0;

/** Starts a credentials flow and consents through the sandbox, as the gateway and the browser would. */
async function connected(input: SepayCredentialsInput = {}): Promise<WorkflowHandle<typeof sepayCredentialsWorkflow>> {
  const handle = await env.client.workflow.start<typeof sepayCredentialsWorkflow>('sepayCredentialsWorkflow', {
    workflowId: `sepay-credentials-test-${counter++}`,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [input],
  });
  started.push(handle);
  const state = randomBytes(16).toString('hex');
  const stateHash = createHash('sha256').update(state).digest('hex');
  await handle.executeUpdate(beginConsentUpdate, { args: [{ stateHash }] });
  const atSepay = await fetch(sepay.authorizeUrl(state, ['company']), { redirect: 'manual' });
  const code = new URL(atSepay.headers.get('location')!).searchParams.get('code')!;
  const view = await handle.executeUpdate(completeConsentUpdate, { args: [{ stateHash, code }] });
  expect(view.status).toBe('connected');
  return handle;
}

test('an access token within 5 minutes of its expiry is refreshed before use, not earlier', async () => {
  await withWorkers(async () => {
    const handle = await connected();
    await env.sleep('50 minutes');
    await handle.executeUpdate(getCompanyUpdate);
    expect((await stats()).refreshes).toBe(0);
    await env.sleep('6 minutes');
    await handle.executeUpdate(getCompanyUpdate);
    // SePay would still have taken the old token (its clock is real time): the refresh came from our side, ahead.
    expect((await stats()).refreshes).toBe(1);
    expect(await handle.query(sepayConnectionQuery)).toMatchObject({ status: 'connected', refreshes: 1 });
  });
});

test('an unused consent is kept alive: a refresh 3 days before the refresh token would expire, every month', async () => {
  await withWorkers(async () => {
    const handle = await connected();
    const first = await handle.query(sepayConnectionQuery);
    await env.sleep(26 * DAY);
    expect((await stats()).refreshes).toBe(0);
    await env.sleep(2 * DAY);
    const kept = await handle.query(sepayConnectionQuery);
    expect(kept).toMatchObject({ status: 'connected', refreshes: 1 });
    expect(Date.parse(kept.refreshTokenExpiresAt!)).toBeGreaterThan(Date.parse(first.refreshTokenExpiresAt!));
    await env.sleep(28 * DAY);
    expect(await handle.query(sepayConnectionQuery)).toMatchObject({ status: 'connected', refreshes: 2 });
    expect((await stats()).refreshTokenReuses).toBe(0);
  });
});

test('a refresh token SePay refuses (the user removed the app) turns the connection to consent_needed', async () => {
  await withWorkers(async () => {
    const handle = await connected();
    await fetch(`${sandbox.url}/_sandbox/sepay/tokens/revoke`, { method: 'POST' });
    await env.sleep(28 * DAY);
    const view = await handle.query(sepayConnectionQuery);
    expect(view).toMatchObject({ status: 'consent_needed', connected: false, accessTokenExpiresAt: null, refreshTokenExpiresAt: null });
    expect(view.consentNeededReason).toMatch(/refused the refresh token/);
    await expect(handle.executeUpdate(getCompanyUpdate)).rejects.toMatchObject({ cause: { type: 'SepayNotConnected', message: expect.stringMatching(/npx dongflow sepay authorize/) } });
  });
});

test('a refresh token whose month runs out while SePay cannot be reached turns the connection to consent_needed', async () => {
  await withWorkers(async () => {
    const handle = await connected({ keepAliveAheadMs: 2 * 3600_000 });
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ path: '/oauth/token', errorRate: 1, errorStatus: 503 }] }) });
    try {
      await env.sleep(31 * DAY);
      const view = await handle.query(sepayConnectionQuery);
      expect(view).toMatchObject({ status: 'consent_needed', refreshes: 0 });
      expect(view.consentNeededReason).toMatch(/refresh token expired/);
    } finally {
      await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    }
  });
});

test('the flow continues as new before its history grows, with its grant: no consent, no refresh', async () => {
  await withWorkers(async () => {
    const handle = await connected({ maxHistoryEvents: 40 });
    const firstRun = (await handle.describe()).runId;
    for (let i = 0; i < 8; i++) await handle.executeUpdate(getCompanyUpdate);
    const latest = env.client.workflow.getHandle(handle.workflowId);
    expect((await latest.describe()).runId).not.toBe(firstRun);
    expect(await latest.query(sepayConnectionQuery)).toMatchObject({ status: 'connected', refreshes: 0 });
    await latest.executeUpdate(getCompanyUpdate);
    expect(await stats()).toMatchObject({ refreshes: 0, refreshTokenReuses: 0 });
  });
});
