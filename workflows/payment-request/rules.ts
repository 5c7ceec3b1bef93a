/**
 * The payment request's rules as pure functions: no Temporal, no I/O, unit-tested directly. The workflow in
 * `workflow.ts` is a thin, durable shell around them; the invoice flow counts its payments by the same rules.
 */
import type { ConfirmedPayment, PaymentAmountStatus, PaymentNotice, PaymentRequestStatus } from './messages';
import { FINAL_PAYMENT_REQUEST_STATUSES } from './messages';

export const PAYMENT_REQUEST_DEFAULTS = {
  /** "Mỗi liên kết thanh toán có hiệu lực trong 30 phút." */
  ttlMs: 30 * 60_000,
  /** Announced (unconfirmed) payment ids a flow keeps; the oldest are forgotten beyond this (a forged-webhook flood). */
  keptAnnouncedPayments: 100,
} as const;

/** Announced payments (webhook hints) not confirmed by Finan: their ids, in arrival order, and what they said. */
export function unconfirmedView(announced: ReadonlyMap<string, number | null>): { unconfirmedPaymentIds: string[]; unconfirmedAmount: number } {
  let amount = 0;
  for (const value of announced.values()) amount += value ?? 0;
  return { unconfirmedPaymentIds: [...announced.keys()], unconfirmedAmount: amount };
}

/** Records an announcement, forgetting the oldest beyond `keep` so the map stays bounded. */
export function announce(announced: Map<string, number | null>, paymentId: string, amount: number | null, keep: number = PAYMENT_REQUEST_DEFAULTS.keptAnnouncedPayments): void {
  if (announced.has(paymentId)) return;
  announced.set(paymentId, amount);
  while (announced.size > keep) announced.delete(announced.keys().next().value as string);
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


/**
 * Takes a notice from the `paymentNotice` signal: `ignored` when it is not one, `duplicate` when it names nothing
 * new, else `read`, its new payment ids announced. A notice's amount is one payment's (a webhook's): it is
 * attributed only when the notice names exactly one.
 */
export function takeNotice(
  raw: unknown,
  counted: ReadonlySet<string>,
  announced: Map<string, number | null>,
): { outcome: 'ignored' } | { outcome: 'duplicate' | 'read'; notice: PaymentNotice } {
  const notice = readNotice(raw);
  if (!notice) return { outcome: 'ignored' };
  if (!noticeNeedsRead(notice, counted, announced)) return { outcome: 'duplicate', notice };
  const ids = notice.paymentIds ?? [];
  for (const id of ids) if (!counted.has(id)) announce(announced, id, ids.length === 1 ? (notice.amount ?? null) : null);
  return { outcome: 'read', notice };
}
