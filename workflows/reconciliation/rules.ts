/** The reconciliation's and the unmatched-payments inbox's rules as pure functions: no Temporal, no I/O. */
import { invoiceWorkflowId, INVOICE_REFERENCE_TYPE } from '../invoice/messages';
import type { ConfirmedPayment, ProviderPaymentRequest } from '../payment-request/messages';
import { paymentWorkflowId } from '../payment-request/messages';
import type { FlowKnowledge, UnmatchedPayment, UnmatchedPaymentNotice } from './messages';

export const RECONCILIATION_DEFAULTS = {
  /** The very first run looks this far back; every later run reads from the mark the previous one left. */
  lookbackMs: 24 * 60 * 60_000,
  /** Each reconciliation re-reads this much before its mark: a payment Finan lists a little late is still seen. */
  overlapMs: 5 * 60_000,
  unmatchedMaxHistoryEvents: 2_000,
  unmatchedKeptResolved: 500,
  /** Ids of resolved inbox entries kept for deduplication beyond the full entries (about 40 bytes each). */
  unmatchedKeptResolvedIds: 5_000,
} as const;

/** The mark an earlier run left in its result (the Schedule's last completion result), if it is one. */
export function previousHighWaterMark(lastResult: unknown): string | undefined {
  const mark = (lastResult as { highWaterMark?: unknown } | null | undefined)?.highWaterMark;
  return typeof mark === 'string' && Number.isFinite(Date.parse(mark)) ? mark : undefined;
}

/**
 * Where a reconciliation run starts: an explicit `since`, else the previous run's mark, else (the very first run)
 * `lookbackMs` before now. It reads from `overlapMs` before that, so a payment Finan lists late is not skipped.
 */
export function reconciliationStart(input: { since?: string; previousMark?: string; nowMs: number; lookbackMs: number; overlapMs: number }): { mark: string; readSince: string } {
  const explicit = input.since !== undefined && Number.isFinite(Date.parse(input.since)) ? input.since : undefined;
  const mark = explicit ?? input.previousMark ?? new Date(input.nowMs - input.lookbackMs).toISOString();
  return { mark, readSince: new Date(Date.parse(mark) - (explicit ? 0 : input.overlapMs)).toISOString() };
}

/** The latest payment time a run fully processed: the newest payment it read, never before the mark it started from. */
export function nextHighWaterMark(mark: string, requests: readonly Pick<ProviderPaymentRequest, 'payments'>[]): string {
  let latest = Date.parse(mark);
  for (const request of requests) {
    for (const payment of request.payments) {
      const at = Date.parse(payment.createdAt);
      if (Number.isFinite(at) && at > latest) latest = at;
    }
  }
  return new Date(latest).toISOString();
}

/** The flow a payment request belongs to: `invoice-{id}` for invoice-linked ones, else `payment-{reference}`. */
export function flowWorkflowIdForReference(referenceType: string | null | undefined, referenceId: string | null | undefined): string | null {
  if (!referenceId) return null;
  return referenceType === INVOICE_REFERENCE_TYPE ? invoiceWorkflowId(referenceId) : paymentWorkflowId(referenceId);
}

export interface ReconciliationPlan {
  /** Running flows that have not counted payments Finan lists: told to re-read. */
  signals: { workflowId: string; paymentRequestId: string; paymentIds: string[] }[];
  /** Payments no running flow will count: late (their flow has ended) or orphan (no flow). */
  unmatched: UnmatchedPaymentNotice[];
}

/**
 * Compares Finan's payment requests with what the flows counted. A payment counted by its flow needs nothing; one
 * its running flow has not counted means a missed webhook; one whose flow has ended (or never existed) goes to the
 * operators.
 */
export function planReconciliation(requests: readonly ProviderPaymentRequest[], flows: readonly FlowKnowledge[]): ReconciliationPlan {
  const byId = new Map(flows.map((flow) => [flow.workflowId, flow]));
  const plan: ReconciliationPlan = { signals: [], unmatched: [] };
  for (const request of requests) {
    const workflowId = flowWorkflowIdForReference(request.referenceType, request.referenceId);
    const flow = workflowId === null ? undefined : byId.get(workflowId);
    const counted = new Set(flow?.countedPaymentIds ?? []);
    const uncounted = request.payments.filter((payment) => !counted.has(payment.paymentId));
    if (uncounted.length === 0) continue;
    if (workflowId !== null && flow?.state === 'running') {
      plan.signals.push({ workflowId, paymentRequestId: request.paymentRequestId, paymentIds: uncounted.map((p) => p.paymentId) });
      continue;
    }
    const late = flow?.state === 'closed';
    plan.unmatched.push(...uncounted.map((payment) => unmatchedNotice(request, payment, late ? 'late' : 'orphan', late ? workflowId : null)));
  }
  return plan;
}

export function unmatchedNotice(
  request: Pick<ProviderPaymentRequest, 'paymentRequestId' | 'referenceId' | 'referenceType'>,
  payment: ConfirmedPayment,
  reason: UnmatchedPaymentNotice['reason'],
  flowWorkflowId: string | null,
): UnmatchedPaymentNotice {
  return {
    paymentId: payment.paymentId,
    reason,
    source: 'reconciliation',
    flowWorkflowId,
    paymentRequestId: request.paymentRequestId,
    referenceId: request.referenceId,
    referenceType: request.referenceType,
    amount: payment.amount,
    method: payment.method,
    createdAt: payment.createdAt,
  };
}

/** Every payment id the inbox knows: open, resolved, and resolved long ago (ids only). */
export function knownUnmatchedIds(inbox: { open: readonly UnmatchedPayment[]; resolved: readonly UnmatchedPayment[]; resolvedIds?: readonly string[] }): Set<string> {
  return new Set([...inbox.open.map((e) => e.paymentId), ...inbox.resolved.map((e) => e.paymentId), ...(inbox.resolvedIds ?? [])]);
}

/**
 * Moves a resolved entry into the inbox's memory: the most recent `keepEntries` in full, older ones as ids only
 * (the most recent `keepIds`), so deduplication outlives the full entries and both stay bounded.
 */
export function rememberResolved(
  inbox: { resolved: UnmatchedPayment[]; resolvedIds?: string[] },
  entry: UnmatchedPayment,
  keepEntries: number = RECONCILIATION_DEFAULTS.unmatchedKeptResolved,
  keepIds: number = RECONCILIATION_DEFAULTS.unmatchedKeptResolvedIds,
): void {
  const all = [...inbox.resolved, entry];
  const overflow = all.slice(0, Math.max(all.length - keepEntries, 0));
  inbox.resolved = all.slice(overflow.length);
  if (overflow.length > 0 || inbox.resolvedIds !== undefined) {
    inbox.resolvedIds = [...(inbox.resolvedIds ?? []), ...overflow.map((e) => e.paymentId)].slice(-keepIds);
  }
}

/** The inbox's totals: confirmed money waiting for a decision, and what only a webhook claimed, apart. */
export function unmatchedTotals(open: readonly UnmatchedPayment[]): { openAmount: number; unconfirmedAmount: number } {
  let openAmount = 0;
  let unconfirmedAmount = 0;
  for (const entry of open) {
    if (entry.confirmed) openAmount += entry.amount;
    else unconfirmedAmount += entry.amount;
  }
  return { openAmount, unconfirmedAmount };
}

/** Adds the notices not seen before (by payment id, open or resolved) to the inbox; returns the new entries. */
export function addUnmatched(
  inbox: { open: UnmatchedPayment[]; resolved: readonly UnmatchedPayment[]; resolvedIds?: readonly string[] },
  notices: readonly UnmatchedPaymentNotice[],
  recordedAt: string,
): UnmatchedPayment[] {
  const known = knownUnmatchedIds(inbox);
  const added: UnmatchedPayment[] = [];
  for (const notice of notices) {
    if (known.has(notice.paymentId)) continue;
    known.add(notice.paymentId);
    const entry: UnmatchedPayment = { ...notice, confirmed: false, recordedAt, resolution: null };
    inbox.open.push(entry);
    added.push(entry);
  }
  return added;
}

