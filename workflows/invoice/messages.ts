/** The invoice-linked payment's messages: input, state, statuses, its creation update and status query. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FailureInfo } from '../common/failures';
import type { ConfirmedPayment, CreatedPaymentRequest, PaymentAmountStatus, PaymentMethod } from '../payment-request/messages';

export const invoiceWorkflowId = (invoiceId: string): string => `invoice-${invoiceId}`;

/** The page's `reference_type` linking a payment request to an invoice. */
export const INVOICE_REFERENCE_TYPE = 'invoice';

/** The failure of an invoice run that ended `unavailable`, the one failed close (see PAYMENT_REQUEST_UNAVAILABLE_FAILURE). */
export const INVOICE_UNAVAILABLE_FAILURE = 'InvoiceUnavailable';

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
