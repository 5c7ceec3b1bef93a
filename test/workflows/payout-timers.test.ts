/**
 * The payout's long timers on Temporal's time-skipping test server: the 10-minute OTP deadline, the polling
 * backoff and the 24-hour polling horizon, run in seconds against the real Finan sandbox.
 */
import { activityInfo } from '@temporalio/activity';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createFinanPayoutActivities } from '../../activities/finan/payouts';
import { FinanClient } from '../../providers/finan/client';
import type { RunningSandbox } from '../../sandbox/server';
import { FINAN_SOURCE_ACCOUNT_ID, STUCK_BENEFICIARY_ACCOUNT_NUMBER, startSandbox } from '../../sandbox/server';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { PayoutInput, PayoutState } from '../../workflows/payout/messages';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../../workflows/common/task-queues';
import { cancelPayoutUpdate, otpSignal, payoutStatusQuery, submitOtpUpdate } from '../../workflows/payout/messages';
import type { payoutWorkflow } from '../../workflows/payout/workflow';
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

const EventType = temporal.api.enums.v1.EventType;
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
const controls = () => sandboxControls(sandbox.url);
const transfersOf = async (referenceId: string) => (await controls().ledger()).filter((t) => t.reference_id === referenceId);
const finanPayoutsOf = async (referenceId: string) => (await finan.listPayouts()).data.filter((p) => p.reference_id === referenceId);
/** Finan answers nothing at all (every call 503) until the faults are cleared. */
const finanDown = (first: object[] = []) => controls().setFaults({ rules: [...first, { errorRate: 1, errorStatus: 503 }] });

const startPayout = (payout: PayoutInput) =>
  env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
    workflowId: `payout-${payout.referenceId}`,
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [payout],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  });

/** Server time (skipped) of the first history event of a type: measured by Temporal, not by the workflow. */
async function eventTimeMs(handle: WorkflowHandle, type: temporal.api.enums.v1.EventType, nth = 0): Promise<number> {
  const events = (await handle.fetchHistory()).events!.filter((e) => e.eventType === type);
  const time = events[nth]!.eventTime!;
  return Number(time.seconds) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}

afterEach(async () => {
  await controls().clearFaults();
});

test('without an OTP the payout waits exactly 10 minutes, reads Finan, then expires', async () => {
  const payout = input();
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status !== 'creating');
    expect(waiting.status).toBe('waiting_confirm');
    const created = await eventTimeMs(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);

    // One second before the deadline it is still waiting...
    await env.sleep(created + 10 * MINUTE - 1_000 - (await env.currentTimeMs()));
    expect((await handle.query(payoutStatusQuery)).status).toBe('waiting_confirm');

    // ...and at the deadline it asks Finan, which still shows the payout unconfirmed: expired, nothing moved.
    const final: PayoutState = await handle.result();
    expect(final).toMatchObject({ status: 'expired', providerStatus: 'waiting_confirm', failure: { type: 'OtpTimeout' } });
    const fired = await eventTimeMs(handle, EventType.EVENT_TYPE_TIMER_FIRED);
    expect(fired - created).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(fired - created).toBeLessThan(10 * MINUTE + 5_000);
    // The read before ending: a Finan call scheduled after the deadline fired.
    const scheduled = (await handle.fetchHistory()).events!.filter((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes!.activityType!.name)).toEqual(['createPayout', 'getPayout']);
  });
  expect(await transfersOf(payout.referenceId)).toHaveLength(0);
});

test('a per-payout OTP timeout overrides the default', async () => {
  const payout = input({ otpTimeoutMs: 3 * MINUTE });
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    expect((await handle.result()).status).toBe('expired');
    const waited = (await eventTimeMs(handle, EventType.EVENT_TYPE_TIMER_FIRED)) - (await eventTimeMs(handle, EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED));
    expect(waited).toBeGreaterThanOrEqual(3 * MINUTE);
    expect(waited).toBeLessThan(3 * MINUTE + 5_000);
  });
});

test('at the deadline a payout whose OTP Finan accepted meanwhile is followed to success, not expired', async () => {
  const payout = input();
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status !== 'creating');
    // The OTP reached Finan without the flow hearing of it (here: sent directly).
    await finan.verifyPayoutOtp(waiting.payoutId!, await controls().otp(waiting.payoutId!));
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'success', providerStatus: 'success', failure: null });
  });
  expect(await transfersOf(payout.referenceId)).toHaveLength(1);
});

test('at the deadline with Finan unreachable the payout is not expired: it confirms with Finan first', async () => {
  const payout = input();
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    await eventually(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
    await finanDown();
    await env.sleep(40 * MINUTE);
    expect((await handle.query(payoutStatusQuery)).status).toBe('confirming');
    await controls().clearFaults();
    expect(await handle.result()).toMatchObject({ status: 'expired', providerStatus: 'waiting_confirm', failure: { type: 'OtpTimeout' } });
  });
});

test('an OTP answer lost while Finan stays down past the deadline: no cancel, no expiry, and the payout ends as Finan has it', async () => {
  const payout = input();
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
    await finanDown([{ method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 }]);
    await handle.signal(otpSignal, { code: await controls().otp(waiting.payoutId!) });
    // Well past the verification's retry window and the 10-minute OTP deadline.
    await env.sleep(30 * MINUTE);
    expect((await handle.query(payoutStatusQuery)).status).toBe('confirming');
    const refusal = await handle.executeUpdate(cancelPayoutUpdate).catch((err: { cause?: Error }) => err.cause?.message);
    expect(refusal).toMatch(/being confirmed/);
    await controls().clearFaults();
    expect(await handle.result()).toMatchObject({ status: 'success', providerStatus: 'success' });
  });
  expect(await transfersOf(payout.referenceId)).toHaveLength(1);
  expect(await finanPayoutsOf(payout.referenceId)).toHaveLength(1);
});

test('an OTP answer lost and Finan silent until the polling horizon ends needs_attention, never a no-money state', async () => {
  const payout = input({ pollHorizonMs: 2 * 60 * MINUTE });
  const handle = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    const waiting = await eventually(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
    await finanDown([{ method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 }]);
    await handle.signal(otpSignal, { code: await controls().otp(waiting.payoutId!) });
    // Time is moved on explicitly (awaiting the result while Finan fails every call stalls the test server).
    for (let skipped = 0; (await handle.describe()).status.name === 'RUNNING' && skipped < 4 * 60; skipped += 15) {
      expect(['waiting_confirm', 'confirming']).toContain((await handle.query(payoutStatusQuery)).status);
      await env.sleep(15 * MINUTE);
    }
    const state = await handle.result();
    expect(state).toMatchObject({ status: 'needs_attention', failure: { type: 'OutcomeUnknown' } });
  });
  await controls().clearFaults();
  // Finan did take the code: an ending without money would have been a lie.
  expect((await finan.getPayout((await handle.result()).payoutId!)).data.status).not.toBe('waiting_confirm');
});

test('a creation that cannot reach Finan within its window ends unavailable, and the reference can be submitted again: the new run adopts what Finan holds', async () => {
  const payout = input();
  const first = await startPayout(payout);
  await withWorkers(createFinanPayoutActivities({ finan }), async () => {
    await finanDown();
    await expect(first.result()).rejects.toThrow();
    const ended = await first.query(payoutStatusQuery);
    expect(ended).toMatchObject({ status: 'unavailable', payoutId: null, failure: { httpStatus: 503 } });
    // Ten minutes of retries, then given up: measured on the server's clock.
    const started = await eventTimeMs(first, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    const failed = await eventTimeMs(first, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED);
    expect(failed - started).toBeGreaterThanOrEqual(9 * MINUTE);
    expect(failed - started).toBeLessThan(11 * MINUTE);
    await controls().clearFaults();

    // An attempt whose answer was lost may have created the payout meanwhile (made here directly at Finan).
    const lost = await finan.createPayout({
      account_id: payout.accountId,
      amount: payout.amount,
      beneficiary_account_name: payout.beneficiaryAccountName,
      beneficiary_account_number: payout.beneficiaryAccountNumber,
      beneficiary_bank_id: payout.beneficiaryBankId,
      currency: 'VND',
      reference_id: payout.referenceId,
      description: payout.description,
    });
    const second = await startPayout(payout);
    const waiting = await eventually(() => second.query(payoutStatusQuery), (s) => s.status !== 'creating');
    expect(waiting).toMatchObject({ status: 'waiting_confirm', payoutId: lost.data.id });
    await second.signal(otpSignal, { code: await controls().otp(waiting.payoutId!) });
    expect((await second.result()).status).toBe('success');
  });
  expect(await finanPayoutsOf(payout.referenceId)).toHaveLength(1);
  expect(await transfersOf(payout.referenceId)).toHaveLength(1);
});

test('a payout stuck in processing is polled with doubling intervals up to 10 minutes, then handed to an operator at 24 hours', async () => {
  const payout = input({ beneficiaryAccountNumber: STUCK_BENEFICIARY_ACCOUNT_NUMBER });
  const real = createFinanPayoutActivities({ finan });
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
    expect(outcome).toEqual({ accepted: true, status: 'processing', remainingTry: 2 });
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
