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
 * - `creating`: the payout is being created at Finan;
 * - `rejected`: Finan refused to create it (validation, auth, IP whitelist, unknown account): no payout exists;
 * - `cancelled`: cancelled before an OTP was accepted: nothing was confirmed, no money moved;
 * - `expired`: no OTP accepted before the OTP deadline: nothing was confirmed, no money moved;
 * - `needs_attention`: Finan still reported `processing` at the polling horizon; an operator must check.
 */
export type PayoutStatus =
  | 'creating'
  | 'waiting_confirm'
  | 'processing'
  | 'success'
  | 'failed'
  | 'rejected'
  | 'cancelled'
  | 'expired'
  | 'needs_attention';

export const FINAL_PAYOUT_STATUSES: readonly PayoutStatus[] = ['success', 'failed', 'rejected', 'cancelled', 'expired', 'needs_attention'];

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
}

export interface PayoutFailureInfo {
  /** Stable failure type, e.g. `FinanValidation`, `FinanForbidden`, `OtpAttemptsExhausted`. */
  type: string;
  message: string;
  httpStatus?: number;
  providerCode?: number;
  requestId?: string;
}

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
  failure: PayoutFailureInfo | null;
}

export interface OtpSubmission {
  /** The bank's OTP, exactly 6 digits (a string: it can start with 0). */
  code: string;
}

export interface OtpOutcome {
  accepted: boolean;
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
