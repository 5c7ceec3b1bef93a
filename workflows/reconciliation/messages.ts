/**
 * The reconciliation's messages: its runs' input and report, and the operators' inbox of unmatched payments
 * (its signal, resolve update and query).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { PaymentNotice } from '../payment-request/messages';

/** The operators' inbox of payments that match no running flow: orphans and late payments. */
export const UNMATCHED_PAYMENTS_WORKFLOW_ID = 'unmatched-payments';
export const RECONCILIATION_SCHEDULE_ID = 'dongflow-reconciliation';

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

/** What a flow has counted, as the reconciliation sees it. */
export interface FlowKnowledge {
  workflowId: string;
  /** `missing`: no flow with this id was ever started (or it was deleted with its namespace's retention). */
  state: 'running' | 'closed' | 'missing';
  countedPaymentIds: string[];
}

