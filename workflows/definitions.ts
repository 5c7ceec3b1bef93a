/**
 * What workflows, activities, workers and clients all agree on: task queues, message definitions,
 * search attribute keys and the plain types that cross the Temporal boundary.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const WORKFLOW_TASK_QUEUE = 'dongflow';
export const FINAN_TASK_QUEUE = 'dongflow-finan';

export const searchAttributes = {
  kind: defineSearchAttributeKey('DongflowKind', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('DongflowStatus', SearchAttributeType.KEYWORD),
  reference: defineSearchAttributeKey('DongflowReference', SearchAttributeType.KEYWORD),
  providerId: defineSearchAttributeKey('DongflowProviderId', SearchAttributeType.KEYWORD),
  amount: defineSearchAttributeKey('DongflowAmount', SearchAttributeType.INT),
} as const;

export const ALL_SEARCH_ATTRIBUTES = Object.values(searchAttributes);

export const payoutWorkflowId = (referenceId: string): string => `payout-${referenceId}`;

/** Finan's payout states, as the provider reports them. */
export type ProviderPayoutStatus = 'waiting_confirm' | 'processing' | 'success' | 'failed';

/**
 * A payout flow's status. Beyond Finan's four:
 * - `creating`: the payout is being created at Finan (or adopted: one with this reference already exists there);
 * - `confirming`: an OTP verification may have reached Finan but its answer was lost; the flow reads Finan until it
 *   knows (no cancel, no expiry meanwhile), then continues as Finan says;
 * - `rejected`: Finan refused the payout itself (validation, unknown account, insufficient balance): none exists;
 * - `unavailable`: Finan could not be reached within the creation window, or refused *us* (401 credentials, 403 IP
 *   whitelist). No OTP was sent, so no money moved; the reference may be submitted again, and the new run adopts
 *   whatever an earlier attempt created at Finan;
 * - `cancelled`: cancelled before an OTP was accepted, and Finan then still reported the payout unconfirmed;
 * - `expired`: no OTP accepted before the OTP deadline, and Finan then still reported it unconfirmed;
 * - `needs_attention`: Finan did not give a final answer within the polling horizon; an operator must check.
 */
export type PayoutStatus =
  | 'creating'
  | 'waiting_confirm'
  | 'confirming'
  | 'processing'
  | 'success'
  | 'failed'
  | 'rejected'
  | 'unavailable'
  | 'cancelled'
  | 'expired'
  | 'needs_attention';

export const FINAL_PAYOUT_STATUSES: readonly PayoutStatus[] = ['success', 'failed', 'rejected', 'unavailable', 'cancelled', 'expired', 'needs_attention'];

/** The failure type of a payout run that ended `unavailable`: the one close that lets its reference be used again. */
export const PAYOUT_UNAVAILABLE_FAILURE = 'PayoutUnavailable';

export interface PayoutInput {
  referenceId: string;
  /** Finan's id of the source Shinhan account (uuid). */
  accountId: string;
  /** Integer VND. */
  amount: number;
  currency: string;
  beneficiaryAccountName: string;
  beneficiaryAccountNumber: string;
  /** Finan's bank id (e.g. "161"), not a NAPAS BIN. */
  beneficiaryBankId: string;
  description: string;
  /** How long to wait for an accepted OTP after the payout is created. Default 10 minutes. */
  otpTimeoutMs?: number;
  /** How long to keep polling a `processing` payout before handing it to an operator. Default 24 hours. */
  pollHorizonMs?: number;
  /** First polling interval; doubles up to `pollMaxIntervalMs`. */
  pollInitialIntervalMs?: number;
  pollMaxIntervalMs?: number;
  /** How long creation keeps retrying an unreachable Finan before the run ends `unavailable`. Default 10 minutes. */
  createWindowMs?: number;
}

/** Why a step failed, for the caller and the operator: provider status, code and request id when Finan answered. */
export interface FailureInfo {
  /** Stable failure type, e.g. `FinanValidation`, `FinanForbidden`, `OtpAttemptsExhausted`. */
  type: string;
  message: string;
  httpStatus?: number;
  providerCode?: number;
  requestId?: string;
}


/** Provider failures that retrying cannot fix (see `activities/finan.ts`): a step ends at once on them. */
export const NON_RETRYABLE_FINAN_FAILURES: string[] = ['FinanValidation', 'FinanUnauthorized', 'FinanForbidden', 'FinanNotFound', 'FinanUnprocessable'];

/** The answer of the `status` query, and of `GET /v1/payouts/{referenceId}`. */
export interface PayoutState {
  referenceId: string;
  workflowId: string;
  status: PayoutStatus;
  /** Finan's payout id, once known. */
  payoutId: string | null;
  remainingTry: number | null;
  amount: number;
  currency: string;
  beneficiaryBankId: string;
  /** Last four digits only: the full number is PII. */
  beneficiaryAccountLast4: string;
  description: string;
  /** The last status Finan itself reported. */
  providerStatus: ProviderPayoutStatus | null;
  /** ISO time after which a pending OTP wait expires. */
  otpDeadline: string | null;
  createdAt: string;
  updatedAt: string;
  failure: FailureInfo | null;
}

export interface OtpSubmission {
  /** The bank's OTP, exactly 6 digits (a string: it can start with 0). */
  code: string;
}

export interface OtpOutcome {
  /** `null`: Finan's answer was lost; the flow is confirming the outcome with Finan (status `confirming`). */
  accepted: boolean | null;
  status: PayoutStatus;
  remainingTry: number | null;
}

export const OTP_PATTERN = /^\d{6}$/;

export const otpSignal = defineSignal<[OtpSubmission]>('otp');
export const submitOtpUpdate = defineUpdate<OtpOutcome, [OtpSubmission]>('submitOtp');
export const cancelSignal = defineSignal<[]>('cancel');
/** The gateway's cancel: the same as the `cancel` signal, but answers whether it took effect. */
export const cancelPayoutUpdate = defineUpdate<PayoutState, []>('cancelPayout');
export const payoutStatusQuery = defineQuery<PayoutState>('status');

// ---------------------------------------------------------------------------------------------------------------
// Payment collection: payment requests, invoice-linked payments, reconciliation and unmatched payments.

export const paymentWorkflowId = (referenceId: string): string => `payment-${referenceId}`;
export const invoiceWorkflowId = (invoiceId: string): string => `invoice-${invoiceId}`;
/** The operators' inbox of payments that match no running flow: orphans and late payments. */
export const UNMATCHED_PAYMENTS_WORKFLOW_ID = 'unmatched-payments';
export const RECONCILIATION_SCHEDULE_ID = 'dongflow-reconciliation';

/** The page's `reference_type` linking a payment request to an invoice. */
export const INVOICE_REFERENCE_TYPE = 'invoice';

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
 * The failure types of payment runs that ended `unavailable`: the only way a payment or invoice run fails, so the
 * start's `ALLOW_DUPLICATE_FAILED_ONLY` reuse policy lets exactly those references be submitted again.
 */
export const PAYMENT_REQUEST_UNAVAILABLE_FAILURE = 'PaymentRequestUnavailable';
export const INVOICE_UNAVAILABLE_FAILURE = 'InvoiceUnavailable';
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

/** An invoice's status: Finan's four from the invoice's totals while collecting, then `overdue` past its due date. */
export type InvoiceStatus = 'creating' | PaymentAmountStatus | 'overdue' | 'rejected' | 'unavailable';
export const FINAL_INVOICE_STATUSES: readonly InvoiceStatus[] = ['paid', 'extra_paid', 'overdue', 'rejected', 'unavailable'];

export interface InvoicePaymentInput {
  invoiceId: string;
  accountId?: string;
  /** The invoice total, integer VND. */
  amount: number;
  /** ISO 8601 instant from which the invoice is overdue. */
  dueAt: string;
  paymentMethod: PaymentMethod;
  description?: string;
  /** Lifetime of each payment request (link). Default 30 minutes. */
  linkTtlMs?: number;
  /** Continue-as-new past this many history events (default 2,000). */
  maxHistoryEvents?: number;
  /** Set by continue-as-new: the state so far. */
  carried?: InvoiceState;
}

export interface InvoicePaymentRequest extends CreatedPaymentRequest {
  /** What this request asked for: the invoice's outstanding amount when it was created. */
  amount: number;
  /** What Finan says was paid to this request. */
  paidAmount: number;
  createdAt: string;
  expiresAt: string;
  open: boolean;
}

/** The answer of the invoice's `status` query and of `GET /v1/invoices/{invoiceId}`. */
export interface InvoiceState {
  invoiceId: string;
  workflowId: string;
  status: InvoiceStatus;
  amount: number;
  /** Sum over every payment request of the invoice, as Finan lists them. */
  paidAmount: number;
  dueAt: string;
  description: string | null;
  /** The open request the payer should use, if any. */
  current: InvoicePaymentRequest | null;
  /** Every request created for the invoice, oldest first (the most recent 20 unpaid ones and every paid one). */
  requests: InvoicePaymentRequest[];
  /** Requests created in total (renewals included). */
  requestCount: number;
  payments: ConfirmedPayment[];
  unconfirmedPaymentIds: string[];
  /** What unconfirmed announcements said was paid: shown apart, never in `paidAmount`. */
  unconfirmedAmount?: number;
  /** Runs of the flow so far (continue-as-new keeps history bounded). */
  run: number;
  createdAt: string;
  updatedAt: string;
  failure: FailureInfo | null;
}

export const invoiceCreatedUpdate = defineUpdate<InvoiceState, []>('invoiceCollecting');
export const invoiceStatusQuery = defineQuery<InvoiceState>('status');

/** Why a payment is in the operators' inbox. */
export type UnmatchedReason = 'orphan' | 'late';

/** A payment that reached no running flow: for an operator to refund, credit or link. */
export interface UnmatchedPaymentNotice {
  paymentId: string;
  reason: UnmatchedReason;
  source: PaymentNotice['source'];
  /** The flow it belonged to, when one exists (closed for a late payment). */
  flowWorkflowId: string | null;
  paymentRequestId: string | null;
  referenceId: string | null;
  referenceType: string | null;
  /** As announced: confirmed against Finan before it is shown as confirmed. */
  amount: number;
  method: string | null;
  createdAt: string | null;
}

export interface UnmatchedPayment extends UnmatchedPaymentNotice {
  /** Finan lists it in the payment request's payments (an orphan to a static QR cannot be confirmed: false). */
  confirmed: boolean;
  recordedAt: string;
  resolution: string | null;
}

export interface UnmatchedPaymentsState {
  open: UnmatchedPayment[];
  /** The most recent resolved entries (older ones are in earlier runs' histories). */
  resolved: UnmatchedPayment[];
  /** Sum of the open entries Finan confirmed: the money really waiting for a decision. */
  openAmount: number;
  /** Sum of the open entries nobody could confirm with Finan (a webhook's word only): shown apart. */
  unconfirmedAmount?: number;
  /**
   * Payment ids resolved beyond `resolved`'s full entries, kept for deduplication only: the most recent
   * `unmatchedKeptResolvedIds`, so a payment resolved long ago and reported again is not reopened.
   */
  resolvedIds?: string[];
}

export interface UnmatchedPaymentsInput {
  carried?: UnmatchedPaymentsState;
}

export interface UnmatchedPaymentResolution {
  paymentId: string;
  /** What the operator did, e.g. "refunded 2024-01-21, ticket 812". */
  resolution: string;
}

export const unmatchedPaymentSignal = defineSignal<[UnmatchedPaymentNotice[]]>('unmatchedPayments');
export const resolveUnmatchedPaymentUpdate = defineUpdate<UnmatchedPayment, [UnmatchedPaymentResolution]>('resolveUnmatchedPayment');
export const unmatchedPaymentsQuery = defineQuery<UnmatchedPaymentsState>('status');
/** A reconciliation run's report so far (`npx dongflow show` on a run). */
export const reconciliationStatusQuery = defineQuery<ReconciliationReport>('status');

export interface ReconciliationInput {
  /**
   * Only for the very first run (no high-water mark yet from an earlier run): how far back it looks. Default 24
   * hours. Every later run reads from the mark, however long ago that was.
   */
  lookbackMs?: number;
  /** Read from this payment time (ISO) instead of the previous run's mark: an operator's re-read of a period. */
  since?: string;
}

/** A run's findings: its workflow result, memo and search attributes show them in the Temporal UI. */
export interface ReconciliationReport {
  /** This run's workflow id (`npx dongflow show <it>`). */
  workflowId?: string;
  startedAt: string;
  lookbackMs: number;
  /** Payments made at or after this time were read (the previous run's mark, less a small overlap). */
  since?: string;
  /**
   * The latest payment time this run fully processed (never earlier than the mark it started from): the next run
   * of the Schedule reads from here (its `lastCompletionResult`). A failed run leaves the mark where it was.
   */
  highWaterMark?: string;
  /** `reading` while the run works (the `status` query), `done` once its findings are final. */
  phase?: 'reading' | 'done';
  /** Payment requests with payments since the mark. */
  requestsChecked: number;
  /** Flows that missed a webhook and were told to re-read Finan. */
  flowsSignalled: { workflowId: string; paymentIds: string[] }[];
  /** Payments newly recorded in the operators' inbox. */
  unmatchedRecorded: { paymentId: string; reason: UnmatchedReason; flowWorkflowId: string | null }[];
}

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

/** What a flow has counted, as the reconciliation sees it. */
export interface FlowKnowledge {
  workflowId: string;
  /** `missing`: no flow with this id was ever started (or it was deleted with its namespace's retention). */
  state: 'running' | 'closed' | 'missing';
  countedPaymentIds: string[];
}
