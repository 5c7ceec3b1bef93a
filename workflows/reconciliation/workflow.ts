/**
 * Webhooks get lost; Finan's own state is the truth. `reconciliationWorkflow` (run by a Schedule) compares the
 * payments Finan lists since its high-water mark with what the flows counted, tells flows that missed a webhook to
 * re-read Finan, and puts payments no running flow will count into `unmatchedPaymentsWorkflow`, the operators' inbox.
 * The mark travels from run to run in the Schedule's last completion result (`workflowInfo().lastResult`): a run
 * that fails (Finan down) leaves it where it was, so the next run reads everything since, however long the outage.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { FinanPaymentActivities } from '../../activities/finan/payments';
import type { PaymentFlowActivities } from '../../activities/reconciliation';
import { NON_RETRYABLE_FINAN_FAILURES } from '../common/failures';
import { shouldContinueAsNew } from '../common/history';
import { searchAttributes } from '../common/search-attributes';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../common/task-queues';
import { paymentNoticeSignal } from '../payment-request/messages';
import type { ReconciliationInput, ReconciliationReport, UnmatchedPaymentNotice, UnmatchedPaymentsInput, UnmatchedPaymentsState } from './messages';
import { reconciliationStatusQuery, resolveUnmatchedPaymentUpdate, unmatchedPaymentSignal, unmatchedPaymentsQuery } from './messages';
import {
  RECONCILIATION_DEFAULTS,
  addUnmatched,
  flowWorkflowIdForReference,
  nextHighWaterMark,
  planReconciliation,
  previousHighWaterMark,
  reconciliationStart,
  rememberResolved,
  unmatchedNotice,
  unmatchedTotals,
} from './rules';

const NON_RETRYABLE = NON_RETRYABLE_FINAN_FAILURES;

const finan = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '1 minute',
  // Under the 15-minute interval: a run that cannot reach Finan fails (visibly) and the next one reads again from
  // the same mark, so a read is never given up on, only handed over.
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Temporal-side lookups (queries, signal-with-start), run by the workflow worker. */
const flows = proxyActivities<PaymentFlowActivities>({
  taskQueue: WORKFLOW_TASK_QUEUE,
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function reconciliationWorkflow(input: ReconciliationInput = {}): Promise<ReconciliationReport> {
  const lookbackMs = input.lookbackMs ?? RECONCILIATION_DEFAULTS.lookbackMs;
  const startedAt = new Date().toISOString();
  const { mark, readSince } = reconciliationStart({
    since: input.since,
    previousMark: previousHighWaterMark(workflowInfo().lastResult),
    nowMs: Date.now(),
    lookbackMs,
    overlapMs: RECONCILIATION_DEFAULTS.overlapMs,
  });
  const report: ReconciliationReport = {
    workflowId: workflowInfo().workflowId,
    startedAt,
    lookbackMs,
    since: readSince,
    highWaterMark: mark,
    phase: 'reading',
    requestsChecked: 0,
    flowsSignalled: [],
    unmatchedRecorded: [],
  };
  setHandler(reconciliationStatusQuery, () => ({ ...report }));

  // Finan's list documents no paging: it is read whole and filtered on payment time (inclusive) in the activity.
  const requests = await finan.listRecentlyPaidRequests(readSince);
  report.requestsChecked = requests.length;
  const flowIds = new Set(requests.map((r) => flowWorkflowIdForReference(r.referenceType, r.referenceId)).filter((id): id is string => id !== null));
  const plan = planReconciliation(requests, flowIds.size > 0 ? await flows.inspectPaymentFlows([...flowIds]) : []);

  // All signals go out in one workflow task.
  const outcomes = await Promise.allSettled(
    plan.signals.map((missed) =>
      getExternalWorkflowHandle(missed.workflowId).signal(paymentNoticeSignal, {
        source: 'reconciliation',
        paymentIds: missed.paymentIds,
        paymentRequestId: missed.paymentRequestId,
      }),
    ),
  );
  plan.signals.forEach((missed, i) => {
    const outcome = outcomes[i]!;
    if (outcome.status === 'fulfilled') {
      report.flowsSignalled.push({ workflowId: missed.workflowId, paymentIds: missed.paymentIds });
      return;
    }
    // It ended since it was inspected: its payments are late now.
    log.info('Flow ended before the reconciliation could signal it', { workflowId: missed.workflowId, error: String(outcome.reason) });
    const request = requests.find((r) => r.paymentRequestId === missed.paymentRequestId);
    const payments = request?.payments.filter((p) => missed.paymentIds.includes(p.paymentId)) ?? [];
    plan.unmatched.push(...payments.map((payment) => unmatchedNotice(request!, payment, 'late', missed.workflowId)));
  });

  const recorded = new Set(plan.unmatched.length > 0 ? await flows.recordUnmatchedPayments(plan.unmatched) : []);
  report.unmatchedRecorded = plan.unmatched
    .filter((n) => recorded.has(n.paymentId))
    .map((n) => ({ paymentId: n.paymentId, reason: n.reason, flowWorkflowId: n.flowWorkflowId }));

  const findings = report.flowsSignalled.length + report.unmatchedRecorded.length;
  // Everything read is processed: the mark moves to the newest payment read (never back).
  report.highWaterMark = nextHighWaterMark(mark, requests);
  report.phase = 'done';
  // Visible in the UI's list (status), the run's memo and its result.
  upsertMemo({
    findings: { requestsChecked: report.requestsChecked, flowsSignalled: report.flowsSignalled.length, unmatchedRecorded: report.unmatchedRecorded.length },
    since: report.since,
    highWaterMark: report.highWaterMark,
  });
  if (workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined) {
    upsertSearchAttributes([{ key: searchAttributes.status, value: findings > 0 ? 'findings' : 'clean' }]);
  }
  log.info('Reconciliation finished', {
    since: report.since,
    highWaterMark: report.highWaterMark,
    requestsChecked: report.requestsChecked,
    flowsSignalled: report.flowsSignalled.length,
    unmatched: report.unmatchedRecorded.length,
  });
  return report;
}

/**
 * The operators' inbox (workflow id `unmatched-payments`): payments that reached no running flow, each recorded
 * once (by payment id), confirmed against Finan when a payment request names it, and kept open until an operator
 * resolves it (update `resolveUnmatchedPayment`). Runs for ever, continuing as new to keep its history bounded.
 */
export async function unmatchedPaymentsWorkflow(input: UnmatchedPaymentsInput = {}): Promise<void> {
  const state: UnmatchedPaymentsState = input.carried ?? { open: [], resolved: [], openAmount: 0, unconfirmedAmount: 0 };
  const toConfirm: string[] = state.open.filter((e) => !e.confirmed && e.paymentRequestId !== null).map((e) => e.paymentId);
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;

  const publish = (): void => {
    // Only confirmed money in the total (and the search attribute); a webhook's unconfirmed word apart.
    Object.assign(state, unmatchedTotals(state.open));
    if (searchable) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: state.open.length > 0 ? 'needs_attention' : 'clear' },
        { key: searchAttributes.amount, value: state.openAmount },
      ]);
    }
  };

  setHandler(unmatchedPaymentsQuery, () => ({ ...state }));

  setHandler(unmatchedPaymentSignal, (notices: UnmatchedPaymentNotice[]) => {
    if (!Array.isArray(notices)) return;
    const valid = notices.filter((n) => typeof n?.paymentId === 'string' && n.paymentId !== '' && typeof n.amount === 'number');
    const added = addUnmatched(state, valid, new Date().toISOString());
    for (const entry of added) {
      log.warn('Unmatched payment recorded', { paymentId: entry.paymentId, reason: entry.reason, flowWorkflowId: entry.flowWorkflowId });
      if (entry.paymentRequestId !== null) toConfirm.push(entry.paymentId);
    }
    if (added.length > 0) publish();
  });

  setHandler(
    resolveUnmatchedPaymentUpdate,
    ({ paymentId, resolution }) => {
      const index = state.open.findIndex((e) => e.paymentId === paymentId);
      const [entry] = state.open.splice(index, 1);
      entry!.resolution = resolution;
      // Full entries for the most recent, ids beyond: a payment resolved long ago and reported again stays resolved.
      rememberResolved(state, entry!);
      publish();
      return entry!;
    },
    {
      validator: (request) => {
        if (typeof request?.resolution !== 'string' || request.resolution.trim() === '') throw new Error('resolution must say what was done');
        if (!state.open.some((e) => e.paymentId === request.paymentId)) throw new Error(`no open unmatched payment ${String(request?.paymentId)}`);
      },
    },
  );

  for (;;) {
    await condition(() => toConfirm.length > 0 || shouldContinueAsNew(workflowInfo(), RECONCILIATION_DEFAULTS.unmatchedMaxHistoryEvents));
    const paymentId = toConfirm.shift();
    if (paymentId === undefined) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof unmatchedPaymentsWorkflow>({ carried: state });
      continue;
    }
    const entry = state.open.find((e) => e.paymentId === paymentId);
    if (!entry || entry.paymentRequestId === null) continue;
    try {
      const request = await finan.getPaymentRequest(entry.paymentRequestId);
      const listed = request.payments.find((p) => p.paymentId === paymentId);
      if (listed) {
        entry.confirmed = true;
        entry.amount = listed.amount;
        publish();
      } else {
        log.warn('Unmatched payment not listed by Finan: kept unconfirmed', { paymentId });
      }
    } catch (err) {
      log.warn('Could not confirm an unmatched payment with Finan: kept unconfirmed', { paymentId, error: (err as Error).message });
    }
  }
}
