/**
 * The payment request's messages: input, state, statuses, the payment notice signal, the creation update and the
 * status query, plus the plain types a provider's payment request is read into. Shared by the invoice flow and
 * the reconciliation, which collect through payment requests too.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FailureInfo } from '../common/failures';

export const paymentWorkflowId = (referenceId: string): string => `payment-${referenceId}`;

export type PaymentMethod = 'bank_transfer' | 'card' | 'ewallet_momo';

/** Finan's four statuses, from the amounts alone. */
export type PaymentAmountStatus = 'unpaid' | 'partial_paid' | 'paid' | 'extra_paid';

/**
 * A payment request flow's status: Finan's four while the link lives, then the final one at its expiry.
 * - `creating`: the request is being created at Finan (or adopted: an earlier attempt made one with this reference);
 * - `rejected`: Finan refused the request itself (validation, unknown account): no link exists, the reference is spent;
 * - `unavailable`: Finan could not be reached within the creation window, answered nonsense, or refused *us* (401
 *   credentials, 403 IP whitelist): `failure` holds its last error. The run fails with `PaymentRequestUnavailable`, so
 *   the reference may be submitted again; the new run adopts whatever an earlier attempt left at Finan;
 * - `expired`: the link expired with nothing paid; `expired_partial`: it expired partly paid.
 */
export type PaymentRequestStatus = 'creating' | PaymentAmountStatus | 'expired' | 'expired_partial' | 'rejected' | 'unavailable';

export const FINAL_PAYMENT_REQUEST_STATUSES: readonly PaymentRequestStatus[] = ['paid', 'extra_paid', 'expired', 'expired_partial', 'rejected', 'unavailable'];

/**
 * The failure type of payment runs that ended `unavailable`: the only way a payment (or invoice) run fails, so the
 * start's `ALLOW_DUPLICATE_FAILED_ONLY` reuse policy lets exactly those references be submitted again.
 */
export const PAYMENT_REQUEST_UNAVAILABLE_FAILURE = 'PaymentRequestUnavailable';
/** The creation update's failure for a request Finan refused (final: the reference is spent). */
export const PAYMENT_REQUEST_REJECTED_FAILURE = 'PaymentRequestRejected';

export interface PaymentItemInput {
  name: string;
  /** Integer VND. */
  price: number;
  quantity: number;
  /** price × quantity. */
  amount: number;
}

export interface PaymentPartyInput {
  name?: string;
  phone?: string;
  address?: string;
  email?: string;
}

export interface PaymentRequestInput {
  referenceId: string;
  /** Finan's id of the account the money is paid into (required for bank_transfer). */
  accountId?: string;
  /** Integer VND. */
  amount: number;
  paymentMethod: PaymentMethod;
  description?: string;
  items?: PaymentItemInput[];
  /** PII: kept in (encrypted) history for Finan, never in search attributes or the status query. */
  customer?: PaymentPartyInput & { name: string };
  merchant?: PaymentPartyInput;
  successRedirectUrl?: string;
  failureRedirectUrl?: string;
  /** How long the link is collected before the final reconciliation. Default 30 minutes (Finan's link validity). */
  ttlMs?: number;
}

export interface BankTransferDetails {
  /** The VietQR string (EMVCo), not an image. */
  qrCode: string;
  bankName: string;
  accountName: string;
  accountNumber: string;
  /** The transfer content the payer must keep: Finan matches the transfer on it. */
  remark: string;
}

/** A payment request as created at Finan: what the payer needs. */
export interface CreatedPaymentRequest {
  paymentRequestId: string;
  paymentRequestCode: string;
  /** Empty for bank_transfer. */
  paymentUrl: string;
  bankTransfer: BankTransferDetails | null;
}

/** One payment Finan confirmed (listed in a payment request's `payments[]`). */
export interface ConfirmedPayment {
  paymentId: string;
  paymentRequestId: string;
  amount: number;
  method: PaymentMethod;
  createdAt: string;
}


/** The answer of the `status` query, of the `created` update and of `GET /v1/payment-requests/{referenceId}`. */
export interface PaymentRequestState {
  referenceId: string;
  workflowId: string;
  status: PaymentRequestStatus;
  amount: number;
  /** Sum of the confirmed payments, each counted once. */
  paidAmount: number;
  payments: ConfirmedPayment[];
  paymentMethod: PaymentMethod;
  description: string | null;
  paymentRequestId: string | null;
  paymentRequestCode: string | null;
  paymentUrl: string | null;
  bankTransfer: BankTransferDetails | null;
  /** When the link is reconciled one last time and the flow ends. */
  expiresAt: string | null;
  /** Payment ids announced (webhook) that Finan has not listed yet: not counted. */
  unconfirmedPaymentIds: string[];
  /** What those announcements said was paid: shown apart, never in `paidAmount`. */
  unconfirmedAmount: number;
  /** Requests an earlier attempt (or run) left at Finan with this reference: read, and their payments counted. */
  adoptedPaymentRequestIds: string[];
  createdAt: string;
  updatedAt: string;
  failure: FailureInfo | null;
}

/**
 * A hint that money may have arrived: from the webhook receiver, the reconciliation or an operator. Never counted
 * as such: the flow re-reads Finan and counts only what Finan lists. Plain JSON, so an operator can send
 * `temporal workflow signal -w payment-REF --name paymentNotice --input '{"source":"operator"}'`.
 */
export interface PaymentNotice {
  source: 'webhook' | 'reconciliation' | 'operator';
  /** The payment(s) the sender saw; when every one is already known the notice is a duplicate. Absent: re-read. */
  paymentIds?: string[];
  paymentRequestId?: string | null;
  /** What the sender saw (a hint, never counted). */
  amount?: number;
}

export const paymentNoticeSignal = defineSignal<[PaymentNotice]>('paymentNotice');
/** Answers once the request exists at Finan (the VietQR, remark, URL); fails if Finan refused it. */
export const paymentRequestCreatedUpdate = defineUpdate<PaymentRequestState, []>('paymentRequestCreated');
export const paymentRequestStatusQuery = defineQuery<PaymentRequestState>('status');

/** A payment request as Finan reads or lists it, in our words (no customer or merchant data). */
export interface ProviderPaymentRequest {
  paymentRequestId: string;
  referenceId: string;
  referenceType: string | null;
  amount: number;
  paidAmount: number;
  status: PaymentAmountStatus;
  payments: ConfirmedPayment[];
}

