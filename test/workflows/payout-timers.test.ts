/**
 * The payout's long timers on Temporal's time-skipping test server: the 10-minute OTP deadline, the polling
 * backoff and the 24-hour polling horizon, run in seconds against the real Finan sandbox.
 */
import { activityInfo } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createFinanActivities } from '../../activities/finan';
import { FinanClient } from '../../providers/finan/client';
import type { RunningSandbox } from '../../sandbox/server';
import { FINAN_SOURCE_ACCOUNT_ID, STUCK_BENEFICIARY_ACCOUNT_NUMBER, startSandbox } from '../../sandbox/server';
import type { PayoutInput, PayoutState } from '../../workflows/definitions';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE, payoutStatusQuery, submitOtpUpdate } from '../../workflows/definitions';
import type { payoutWorkflow } from '../../workflows/payout';
import { sandboxControls } from '../helpers/sandbox-controls';
import { eventually } from '../helpers/stack';

let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let finan: FinanClient;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  [env, sandbox, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
    }),
    startSandbox({ port: 0, finan: { processingDelayMs: 20 } }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } }),
  ]);
  finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
});

afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

async function withWorkers<T>(activities: object, fn: () => Promise<T>): Promise<T> {
  const workflowWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: WORKFLOW_TASK_QUEUE, workflowBundle: bundle });
  const activityWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: FINAN_TASK_QUEUE, activities });
  return workflowWorker.runUntil(activityWorker.runUntil(fn));
}

let counter = 0;
const input = (overrides: Partial<PayoutInput> = {}): PayoutInput => ({
  referenceId: `TS-${Date.now().toString(36)}-${counter++}`,
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 1_500_000,
  currency: 'VND',
  beneficiaryAccountName: 'TRAN THI B',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  description: 'tra luong',
  ...overrides,
});

const MINUTE = 60_000;

test('without an OTP the payout waits exactly 10 minutes, then expires', async () => {
  const payout = input();
  const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
    workflowId: `payout-${payout.referenceId}`,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [payout],
  });
  await withWorkers(createFinanActivities(finan), async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status !== 'creating');
    expect(waiting.status).toBe('waiting_confirm');
    const waitingSince = Date.parse(waiting.updatedAt);
    expect(Date.parse(waiting.otpDeadline!) - waitingSince).toBe(10 * MINUTE);

    // One second before the deadline it is still waiting...
    await env.sleep(10 * MINUTE - 1_000 - (Date.parse((await handle.query(payoutStatusQuery)).updatedAt) - waitingSince));
    expect((await handle.query(payoutStatusQuery)).status).toBe('waiting_confirm');

    // ...and at the deadline it expires, having confirmed nothing.
    const final: PayoutState = await handle.result();
    expect(final.status).toBe('expired');
    expect(final.failure?.type).toBe('OtpTimeout');
    // The timer starts when the server records it, a few milliseconds after the workflow computed the deadline.
    const waited = Date.parse(final.updatedAt) - waitingSince;
    expect(waited).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(waited).toBeLessThan(10 * MINUTE + 1_000);
  });
  const ledger = await sandboxControls(sandbox.url).ledger();
  expect(ledger.filter((t) => t.reference_id === payout.referenceId)).toHaveLength(0);
});

test('a per-payout OTP timeout overrides the default', async () => {
  const payout = input({ otpTimeoutMs: 3 * MINUTE });
  const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
    workflowId: `payout-${payout.referenceId}`,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [payout],
  });
  await withWorkers(createFinanActivities(finan), async () => {
    const final = await handle.result();
    expect(final.status).toBe('expired');
    const waited = Date.parse(final.updatedAt) - (Date.parse(final.otpDeadline!) - 3 * MINUTE);
    expect(waited).toBeGreaterThanOrEqual(3 * MINUTE);
    expect(waited).toBeLessThan(3 * MINUTE + 1_000);
  });
});

test('a payout stuck in processing is polled with doubling intervals up to 10 minutes, then handed to an operator at 24 hours', async () => {
  const payout = input({ beneficiaryAccountNumber: STUCK_BENEFICIARY_ACCOUNT_NUMBER });
  const real = createFinanActivities(finan);
  const polls: { attempt: number; scheduledAt: number }[] = [];
  const activities = {
    ...real,
    // The real activity, observed: each attempt's number and the (skipped) server time it was scheduled at.
    awaitPayoutSettled: async (payoutId: string) => {
      polls.push({ attempt: activityInfo().attempt, scheduledAt: activityInfo().currentAttemptScheduledTimestampMs });
      return real.awaitPayoutSettled(payoutId);
    },
  };
  const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
    workflowId: `payout-${payout.referenceId}`,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [payout],
  });
  await withWorkers(activities, async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status !== 'creating');
    const otp = await sandboxControls(sandbox.url).otp(waiting.payoutId!);
    const outcome = await handle.executeUpdate(submitOtpUpdate, { args: [{ code: otp }] });
    expect(outcome).toEqual({ accepted: true, status: 'processing', remainingTry: 3 });
    const processingSince = Date.parse((await handle.query(payoutStatusQuery)).updatedAt);

    const final = await handle.result();
    expect(final).toMatchObject({ status: 'needs_attention', providerStatus: 'processing', failure: { type: 'PollingHorizonReached' } });

    // The test server stamps a retry with the time the previous attempt failed; the backoff follows, so the
    // gap between stamps n and n+1 is the backoff after attempt n-1: 2 s, 4 s, 8 s, ... capped at 10 minutes.
    const gaps = polls.slice(2).map((p, i) => p.scheduledAt - polls[i + 1]!.scheduledAt);
    const expected = gaps.map((_, i) => Math.min(2_000 * 2 ** i, 10 * MINUTE));
    gaps.forEach((gap, i) => expect(Math.abs(gap - expected[i]!)).toBeLessThan(1_500));
    expect(polls.map((p) => p.attempt)).toEqual(polls.map((_, i) => i + 1));

    // Handed over when the 24-hour horizon (counted from the accepted OTP) ran out, not before.
    const polledFor = Date.parse(final.updatedAt) - processingSince;
    expect(polledFor).toBeGreaterThanOrEqual(24 * 60 * MINUTE);
    expect(polledFor).toBeLessThan(24 * 60 * MINUTE + MINUTE);

    // Polling by activity retry keeps the history flat however many polls it took.
    const history = await handle.fetchHistory();
    expect(polls.length).toBeGreaterThan(140);
    expect(history.events!.length).toBeLessThan(60);
    process.stdout.write(`stuck payout: ${polls.length} polls over 24 h, ${history.events!.length} history events\n`);
  });
  const ledger = await sandboxControls(sandbox.url).ledger();
  expect(ledger.filter((t) => t.reference_id === payout.referenceId)).toHaveLength(0);
}, 180_000);
