/** The invoice's rules as pure functions: no Temporal, no I/O, unit-tested directly. */
import { paymentStatusFromAmounts } from '../payment-request/rules';
import type { InvoiceStatus } from './messages';
import { FINAL_INVOICE_STATUSES } from './messages';

export const INVOICE_DEFAULTS = {
  /** Each payment request's link lives as long as Finan's (30 minutes) unless the invoice says otherwise. */
  linkTtlMs: 30 * 60_000,
  maxHistoryEvents: 2_000,
  /** Unpaid (expired) requests an invoice keeps in its state; paid ones are always kept. */
  keptUnpaidRequests: 20,
} as const;

export function isFinalInvoiceStatus(status: InvoiceStatus): boolean {
  return FINAL_INVOICE_STATUSES.includes(status);
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
