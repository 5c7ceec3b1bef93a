/**
 * The payment collection rules as pure functions: no Temporal, no I/O, unit-tested directly. The workflows in
 * `payment-request.ts`, `invoice-payment.ts` and `reconciliation.ts` are thin, durable shells around them.
 */
import type {
  ConfirmedPayment,
  FlowKnowledge,
  InvoiceStatus,
  PaymentAmountStatus,
  PaymentNotice,
  PaymentRequestStatus,
  ProviderPaymentRequest,
  UnmatchedPayment,
  UnmatchedPaymentNotice,
} from './definitions';
import { FINAL_INVOICE_STATUSES, FINAL_PAYMENT_REQUEST_STATUSES, INVOICE_REFERENCE_TYPE, invoiceWorkflowId, paymentWorkflowId } from './definitions';

export const PAYMENT_DEFAULTS = {
  /** "Mỗi liên kết thanh toán có hiệu lực trong 30 phút." */
  ttlMs: 30 * 60_000,
  reconcileEveryMs: 15 * 60_000,
  /** Each reconciliation looks at payments this recent; older ones were seen by earlier runs. */
  reconcileLookbackMs: 24 * 60 * 60_000,
  invoiceMaxHistoryEvents: 2_000,
  unmatchedMaxHistoryEvents: 2_000,
  /** Unpaid (expired) requests an invoice keeps in its state; paid ones are always kept. */
  invoiceKeptUnpaidRequests: 20,
  unmatchedKeptResolved: 500,
  /** Ids of resolved inbox entries kept for deduplication beyond the full entries (about 40 bytes each). */
  unmatchedKeptResolvedIds: 5_000,
  /** Each reconciliation re-reads this much before its mark: a payment Finan lists a little late is still seen. */
  reconcileOverlapMs: 5 * 60_000,
  /** Announced (unconfirmed) payment ids a flow keeps; the oldest are forgotten beyond this (a forged-webhook flood). */
  keptAnnouncedPayments: 100,
} as const;

/**
 * Finan's refusals of the request itself (validation, an unknown account, a duplicate): final, the reference is
 * spent. Anything else (no answer in time, 5xx, nonsense, 401/403 refusing *us*) leaves the reference usable.
 */
const REQUEST_REFUSALS: readonly string[] = ['FinanValidation', 'FinanNotFound', 'FinanUnprocessable'];

/** How a flow whose creation failed with this failure type ends. */
export function creationFailureStatus(failureType: string): 'rejected' | 'unavailable' {
  return REQUEST_REFUSALS.includes(failureType) ? 'rejected' : 'unavailable';
}

/** Announced payments (webhook hints) not confirmed by Finan: their ids, in arrival order, and what they said. */
export function unconfirmedView(announced: ReadonlyMap<string, number | null>): { unconfirmedPaymentIds: string[]; unconfirmedAmount: number } {
  let amount = 0;
  for (const value of announced.values()) amount += value ?? 0;
  return { unconfirmedPaymentIds: [...announced.keys()], unconfirmedAmount: amount };
}

/** Records an announcement, forgetting the oldest beyond `keep` so the map stays bounded. */
export function announce(announced: Map<string, number | null>, paymentId: string, amount: number | null, keep: number = PAYMENT_DEFAULTS.keptAnnouncedPayments): void {
  if (announced.has(paymentId)) return;
  announced.set(paymentId, amount);
  while (announced.size > keep) announced.delete(announced.keys().next().value as string);
}

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

/** Finan's status table: 0 → unpaid, below the amount → partial_paid, equal → paid, above → extra_paid. */
export function paymentStatusFromAmounts(amount: number, paidAmount: number): PaymentAmountStatus {
  if (paidAmount <= 0) return 'unpaid';
  if (paidAmount < amount) return 'partial_paid';
  return paidAmount === amount ? 'paid' : 'extra_paid';
}

/** How a payment request ends at its link's expiry, after the last reconciliation read. */
export function finalPaymentRequestStatus(amount: number, paidAmount: number): PaymentRequestStatus {
  const status = paymentStatusFromAmounts(amount, paidAmount);
  if (status === 'unpaid') return 'expired';
  if (status === 'partial_paid') return 'expired_partial';
  return status;
}

export function isFinalPaymentRequestStatus(status: PaymentRequestStatus): boolean {
  return FINAL_PAYMENT_REQUEST_STATUSES.includes(status);
}

export function isFinalInvoiceStatus(status: InvoiceStatus): boolean {
  return FINAL_INVOICE_STATUSES.includes(status);
}

/** Sum of payments, each payment id counted once. */
export function paidAmountOf(payments: readonly ConfirmedPayment[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const payment of payments) {
    if (seen.has(payment.paymentId)) continue;
    seen.add(payment.paymentId);
    total += payment.amount;
  }
  return total;
}

/** `known` plus the payments of `listed` not in it yet (by payment id); `added` are the new ones, in Finan's order. */
export function mergeConfirmedPayments(
  known: readonly ConfirmedPayment[],
  listed: readonly ConfirmedPayment[],
): { payments: ConfirmedPayment[]; added: ConfirmedPayment[] } {
  const ids = new Set(known.map((p) => p.paymentId));
  const added: ConfirmedPayment[] = [];
  for (const payment of listed) {
    if (ids.has(payment.paymentId)) continue;
    ids.add(payment.paymentId);
    added.push(payment);
  }
  return { payments: [...known, ...added], added };
}

/**
 * Whether a notice is worth a read of Finan. A webhook whose payments are all counted or already announced is a
 * duplicate; the reconciliation speaks for Finan itself, so only payments already counted make it one; an empty
 * notice (an operator's nudge) always asks for a read.
 */
export function noticeNeedsRead(notice: Pick<PaymentNotice, 'source' | 'paymentIds'>, counted: ReadonlySet<string>, announced: { has(id: string): boolean }): boolean {
  const ids = notice.paymentIds ?? [];
  if (ids.length === 0) return true;
  const known = (id: string) => counted.has(id) || (notice.source === 'webhook' && announced.has(id));
  return !ids.every(known);
}

/** Normalises a notice from a signal: operators may send hand-written JSON. Null when it is unusable. */
export function readNotice(raw: unknown): PaymentNotice | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const notice = raw as Record<string, unknown>;
  const source = notice.source;
  if (source !== 'webhook' && source !== 'reconciliation' && source !== 'operator') return null;
  const ids = Array.isArray(notice.paymentIds) ? notice.paymentIds.filter((id): id is string => typeof id === 'string' && id !== '') : [];
  const requestId = typeof notice.paymentRequestId === 'string' && notice.paymentRequestId !== '' ? notice.paymentRequestId : null;
  return {
    source,
    paymentIds: ids,
    paymentRequestId: requestId,
    ...(typeof notice.amount === 'number' ? { amount: notice.amount } : {}),
  };
}

/** What an invoice does when its current link expires, given Finan's total for the invoice. */
export function invoiceAfterLinkExpiry(input: { amount: number; paidAmount: number; nowMs: number; dueAtMs: number }):
  | { action: 'end'; status: 'paid' | 'extra_paid' | 'overdue' }
  | { action: 'renew'; outstanding: number } {
  const status = paymentStatusFromAmounts(input.amount, input.paidAmount);
  if (status === 'paid' || status === 'extra_paid') return { action: 'end', status };
  if (input.nowMs >= input.dueAtMs) return { action: 'end', status: 'overdue' };
  return { action: 'renew', outstanding: input.amount - input.paidAmount };
}

/** Whether a long-lived flow should continue as new: its history is past `maxEvents` or Temporal suggests it. */
export function shouldContinueAsNew(info: { historyLength: number; continueAsNewSuggested: boolean }, maxEvents: number): boolean {
  return info.continueAsNewSuggested || info.historyLength >= maxEvents;
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
  keepEntries: number = PAYMENT_DEFAULTS.unmatchedKeptResolved,
  keepIds: number = PAYMENT_DEFAULTS.unmatchedKeptResolvedIds,
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

/** Keeps every paid request and the most recent `keepUnpaid` unpaid ones, in their order. */
export function boundedRequests<T extends { paidAmount: number; open: boolean }>(requests: readonly T[], keepUnpaid: number): T[] {
  let unpaidToDrop = requests.filter((r) => r.paidAmount === 0 && !r.open).length - keepUnpaid;
  return requests.filter((r) => {
    if (unpaidToDrop > 0 && r.paidAmount === 0 && !r.open) {
      unpaidToDrop--;
      return false;
    }
    return true;
  });
}
