/**
 * Payment collection's long timers on Temporal's time-skipping test server, against the real Finan sandbox: the
 * exact 30-minute link, the one reconciliation read at its expiry, notices counted once, and an invoice renewed
 * every 30 minutes for two days (continuing as new) until it is overdue.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createFinanPaymentActivities } from '../../activities/finan/payments';
import { FinanClient } from '../../providers/finan/client';
import { decodeVietQr } from '../../providers/vietqr';
import type { RunningSandbox } from '../../sandbox/server';
import { FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../../sandbox/server';
import { Client, WorkflowFailedError, WorkflowIdReusePolicy } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { createPaymentFlowActivities } from '../../activities/reconciliation';
import { createPaymentsClient } from '../../client/payments';
import type { InvoicePaymentInput } from '../../workflows/invoice/messages';
import type { PaymentRequestInput } from '../../workflows/payment-request/messages';
import { PAYMENT_REQUEST_UNAVAILABLE_FAILURE, paymentNoticeSignal, paymentRequestStatusQuery, paymentWorkflowId } from '../../workflows/payment-request/messages';
import { RECONCILIATION_SCHEDULE_ID } from '../../workflows/reconciliation/messages';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../../workflows/common/task-queues';
import { invoiceStatusQuery, invoiceWorkflowId } from '../../workflows/invoice/messages';
import type { invoicePaymentWorkflow } from '../../workflows/invoice/workflow';
import type { paymentRequestWorkflow } from '../../workflows/payment-request/workflow';
import type { reconciliationWorkflow } from '../../workflows/reconciliation/workflow';
import { paymentControls } from '../helpers/payment-controls';
import { eventually } from '../helpers/stack';

let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let finan: FinanClient;
let bundle: WorkflowBundleWithSourceMap;

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

beforeAll(async () => {
  [env, sandbox, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } } }),
    startSandbox({ port: 0 }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet }),
  ]);
  finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
});

afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

/** The real payment activities, with Finan reads counted. */
function countedActivities() {
  const real = createFinanPaymentActivities({ finan });
  const calls = { getPaymentRequest: 0, listPaymentRequests: 0, createPaymentRequest: 0 };
  return {
    calls,
    activities: {
      ...real,
      createPaymentRequest: async (input: Parameters<typeof real.createPaymentRequest>[0]) => {
        calls.createPaymentRequest++;
        return real.createPaymentRequest(input);
      },
      getPaymentRequest: async (id: string) => {
        calls.getPaymentRequest++;
        return real.getPaymentRequest(id);
      },
      listPaymentRequests: async (filter: Parameters<typeof real.listPaymentRequests>[0]) => {
        calls.listPaymentRequests++;
        return real.listPaymentRequests(filter);
      },
    },
  };
}

async function withWorkers<T>(activities: object, fn: () => Promise<T>): Promise<T> {
  const workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowBundle: bundle,
    // The reconciliation's Temporal-side lookups, as workers/worker.ts registers them: over a plain client, since the
    // time-skipping client's result() locks and unlocks the server's clock, which only the test itself may do.
    activities: createPaymentFlowActivities({ flows: createPaymentsClient(new Client({ connection: env.connection, namespace: env.namespace })) }),
  });
  const activityWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: FINAN_TASK_QUEUE, activities });
  return workflowWorker.runUntil(activityWorker.runUntil(fn));
}

let counter = 0;
const MINUTE = 60_000;
const request = (overrides: Partial<PaymentRequestInput> = {}): PaymentRequestInput => ({
  referenceId: `TSP-${Date.now().toString(36)}-${counter++}`,
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 150_000,
  paymentMethod: 'bank_transfer',
  description: 'don hang 42',
  ...overrides,
});

async function startRequest(input: PaymentRequestInput) {
  // No search attributes: the time-skipping server rejects custom ones (the flow then does not upsert).
  return env.client.workflow.start<typeof paymentRequestWorkflow>('paymentRequestWorkflow', {
    workflowId: paymentWorkflowId(input.referenceId),
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [input],
    // As the gateway starts it: a reference may be used again only after a failed (unavailable) run.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
  });
}

const faults = (body: unknown) =>
  fetch(`${sandbox.url}/_sandbox/faults`, { method: body === null ? 'DELETE' : 'POST', headers: { 'content-type': 'application/json' }, body: body === null ? undefined : JSON.stringify(body) });

test('without a payment the link is collected exactly 30 minutes, Finan is read once at expiry, and the request expires', async () => {
  const input = request();
  const handle = await startRequest(input);
  const { calls, activities } = countedActivities();
  await withWorkers(activities, async () => {
    const open = await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
    expect(open.status).toBe('unpaid');
    const openedAt = Date.parse(open.updatedAt);
    expect(Date.parse(open.expiresAt!) - openedAt).toBe(30 * MINUTE);
    // The QR pays the exact amount into the merchant's account, with the remark as its purpose.
    const qr = decodeVietQr(open.bankTransfer!.qrCode);
    expect(qr).toMatchObject({ amount: 150_000, accountNumber: open.bankTransfer!.accountNumber, purpose: open.bankTransfer!.remark });

    // A minute before the expiry it is still collecting, and has not read Finan (a minute: a busy machine's pause
    // between reading the clock and skipping cannot reach the timer)...
    await env.sleep(openedAt + 29 * MINUTE - (await env.currentTimeMs()));
    expect((await handle.query(paymentRequestStatusQuery)).status).toBe('unpaid');
    expect(calls.getPaymentRequest).toBe(0);

    // ...and at the expiry it reads Finan once and ends.
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'expired', paidAmount: 0, payments: [] });
    expect(calls.getPaymentRequest).toBe(1);
    // The link's one timer is exactly 30 minutes, and the final read comes after it fired (from history, not clocks).
    const events = (await handle.fetchHistory()).events!;
    expect(events.filter((e) => e.timerStartedEventAttributes).map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds))).toEqual([30 * 60]);
    const fired = events.findIndex((e) => e.timerFiredEventAttributes);
    const finalRead = events.findIndex((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'getPaymentRequest');
    expect(fired).toBeGreaterThan(0);
    expect(finalRead).toBeGreaterThan(fired);
    const history = await handle.fetchHistory();
    process.stdout.write(`payment request, expired unpaid: ${history.events!.length} history events\n`);
  });
});

test('a per-request TTL overrides the default', async () => {
  const handle = await startRequest(request({ ttlMs: 5 * MINUTE }));
  await withWorkers(countedActivities().activities, async () => {
    const final = await handle.result();
    expect(final.status).toBe('expired');
    const timers = (await handle.fetchHistory()).events!.filter((e) => e.timerStartedEventAttributes);
    expect(timers.map((e) => Number(e.timerStartedEventAttributes!.startToFireTimeout!.seconds))).toEqual([5 * 60]);
  });
});

test('a partial payment announced twice is read once, counted once, and the request ends expired_partial', async () => {
  const input = request();
  const handle = await startRequest(input);
  const { calls, activities } = countedActivities();
  await withWorkers(activities, async () => {
    const open = await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
    const payment = await paymentControls(sandbox.url).transfer(`CK ${open.bankTransfer!.remark}`, 50_000);
    const notice = { source: 'webhook' as const, paymentIds: [payment.id], paymentRequestId: open.paymentRequestId, amount: 50_000 };
    await handle.signal(paymentNoticeSignal, notice);
    await handle.signal(paymentNoticeSignal, notice);
    const partial = await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.paidAmount > 0);
    expect(partial).toMatchObject({ status: 'partial_paid', paidAmount: 50_000, unconfirmedPaymentIds: [] });
    expect(partial.payments).toEqual([{ paymentId: payment.id, paymentRequestId: open.paymentRequestId, amount: 50_000, method: 'bank_transfer', createdAt: payment.created_at }]);
    // The reconciliation repeating what is already counted changes nothing either.
    await handle.signal(paymentNoticeSignal, { source: 'reconciliation', paymentIds: [payment.id], paymentRequestId: open.paymentRequestId });
    expect((await handle.query(paymentRequestStatusQuery)).paidAmount).toBe(50_000);
    expect(calls.getPaymentRequest).toBe(1);

    const final = await handle.result();
    expect(final).toMatchObject({ status: 'expired_partial', paidAmount: 50_000 });
    expect(final.payments).toHaveLength(1);
    expect(calls.getPaymentRequest).toBe(2);
  });
});

test('a notice Finan does not confirm is never counted', async () => {
  const handle = await startRequest(request({ ttlMs: 5 * MINUTE }));
  await withWorkers(countedActivities().activities, async () => {
    const open = await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
    await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: ['PAY-invented'], paymentRequestId: open.paymentRequestId, amount: 150_000 });
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'expired', paidAmount: 0, payments: [], unconfirmedPaymentIds: ['PAY-invented'] });
  });
});

test('a request paid in full is paid at once and still paid at its expiry', async () => {
  const handle = await startRequest(request());
  await withWorkers(countedActivities().activities, async () => {
    const open = await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
    const payment = await paymentControls(sandbox.url).transfer(open.bankTransfer!.remark, 150_000);
    await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: [payment.id], paymentRequestId: open.paymentRequestId });
    await eventually(() => handle.query(paymentRequestStatusQuery), (s) => s.status === 'paid');
    const final = await handle.result();
    expect(final).toMatchObject({ status: 'paid', paidAmount: 150_000 });
    const history = await handle.fetchHistory();
    // Budget: start, create, one notice with its read, the expiry timer, the final read, the upserts.
    expect(history.events!.length).toBeLessThan(50);
    process.stdout.write(`payment request, paid by one transfer over 30 min: ${history.events!.length} history events\n`);
  });
});

test('an unpaid invoice is renewed every 30 minutes for two days, continuing as new, then ends overdue', async () => {
  const invoiceId = `TSI-${Date.now().toString(36)}`;
  const input: InvoicePaymentInput = {
    invoiceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 2_000_000,
    dueAt: new Date((await env.currentTimeMs()) + 48 * 60 * MINUTE).toISOString(),
    paymentMethod: 'bank_transfer',
    maxHistoryEvents: 400,
  };
  const handle = await env.client.workflow.start<typeof invoicePaymentWorkflow>('invoicePaymentWorkflow', {
    workflowId: invoiceWorkflowId(invoiceId),
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [input],
  });
  const { calls, activities } = countedActivities();
  await withWorkers(activities, async () => {
    const final = await handle.result();
    // 96 links of 30 minutes cover the 48 hours; the 96th expires at the due date.
    expect(final).toMatchObject({ status: 'overdue', paidAmount: 0, requestCount: 96, current: null });
    expect(final.run).toBeGreaterThan(1);
    expect(final.requests.length).toBeLessThanOrEqual(20);
    expect(calls.createPaymentRequest).toBe(96);
    const atFinan = await finan.listPaymentRequests({ referenceType: 'invoice', referenceId: invoiceId });
    expect(atFinan.data).toHaveLength(96);
    expect(new Set(atFinan.data.map((p) => p.amount))).toEqual(new Set([2_000_000]));
    const lastRun = await handle.fetchHistory();
    expect(lastRun.events!.length).toBeLessThan(400 + 40);
    const state = await handle.query(invoiceStatusQuery);
    expect(state.status).toBe('overdue');
    process.stdout.write(`invoice, 96 renewals over 48 h: ${final.run} runs, last run ${lastRun.events!.length} history events\n`);
  });
}, 120_000);

test('an outage ends the request unavailable (the run fails, the reference is free); the next run adopts what the lost answers created, and creates nothing when it is already paid', async () => {
  const input = request({ ttlMs: 5 * MINUTE });
  const { calls, activities } = countedActivities();
  await withWorkers(activities, async () => {
    // Every create reaches Finan and its answer is lost, for the whole creation window.
    await faults({ rules: [{ method: 'POST', path: '/api/v1/payments', commitThenDropRate: 1 }] });
    const first = await startRequest(input);
    try {
      const failure = await first.result().then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(WorkflowFailedError);
      expect(((failure as WorkflowFailedError).cause as ApplicationFailure).type).toBe(PAYMENT_REQUEST_UNAVAILABLE_FAILURE);
      expect(await first.query(paymentRequestStatusQuery)).toMatchObject({ status: 'unavailable', paymentRequestId: null, failure: { type: expect.stringMatching(/^(FinanNetwork|Timeout)$/) } });
    } finally {
      await faults(null);
    }
    const left = (await finan.listPaymentRequests({ referenceId: input.referenceId })).data;
    expect(left.length).toBeGreaterThanOrEqual(2);
    // The payer of the first run's QR (which the merchant never got) still pays: say through the first request.
    const inspection = (await (await fetch(`${sandbox.url}/_sandbox/finan/payment-requests/${left[left.length - 1]!.payment_request_id}`)).json()) as { remark: string };
    const payment = await paymentControls(sandbox.url).transfer(inspection.remark, input.amount);

    const createsBefore = calls.createPaymentRequest;
    const second = await startRequest(input);
    const final = await second.result();
    expect(final).toMatchObject({ status: 'paid', paidAmount: input.amount, bankTransfer: null });
    expect(final.payments.map((p) => p.paymentId)).toEqual([payment.id]);
    expect(final.adoptedPaymentRequestIds.sort()).toEqual(left.map((r) => r.payment_request_id).sort());
    expect(calls.createPaymentRequest).toBe(createsBefore + 1);
    // No second request for a reference whose money is in: Finan holds exactly what the first run left.
    expect((await finan.listPaymentRequests({ referenceId: input.referenceId })).data).toHaveLength(left.length);
  });
});

test('a reconciliation after a three-day outage reads everything since its mark, not a fixed 24-hour window', async () => {
  // A four-day link whose payment's webhook never came.
  const input = request({ ttlMs: 4 * 24 * 60 * MINUTE });
  const flow = await startRequest(input);
  await withWorkers(countedActivities().activities, async () => {
    const open = await eventually(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
    const mark = new Date(Date.now() - MINUTE).toISOString();
    const payment = await paymentControls(sandbox.url).transfer(open.bankTransfer!.remark, input.amount);
    // Three days pass (Finan down meanwhile, no run completed); the next run starts from the last good run's mark.
    await env.sleep(3 * 24 * 60 * MINUTE);
    const report = await env.client.workflow.execute<typeof reconciliationWorkflow>('reconciliationWorkflow', {
      workflowId: `${RECONCILIATION_SCHEDULE_ID}-${input.referenceId}`,
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [{ since: mark }],
    });
    expect(report.since).toBe(mark);
    expect(report.flowsSignalled).toContainEqual({ workflowId: flow.workflowId, paymentIds: [payment.id] });
    expect(Date.parse(report.highWaterMark!)).toBeGreaterThanOrEqual(Date.parse(payment.created_at));
    const counted = await eventually(() => flow.query(paymentRequestStatusQuery), (s) => s.status === 'paid');
    expect(counted.paidAmount).toBe(input.amount);
    await flow.terminate('test done');
  });
});
