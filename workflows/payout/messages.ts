/**
 * The payout's messages: its input, state, statuses, signals, updates and query. What a client imports to start,
 * read and drive a payout without pulling in workflow code.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { FailureInfo } from '../common/failures';

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
  /** The bank's OTP, exactly 6 digits (a string: it can start with 0; the rule: `isOtpCode` of providers/finan/rules). */
  code: string;
}

export interface OtpOutcome {
  /** `null`: Finan's answer was lost; the flow is confirming the outcome with Finan (status `confirming`). */
  accepted: boolean | null;
  status: PayoutStatus;
  remainingTry: number | null;
}

export const otpSignal = defineSignal<[OtpSubmission]>('otp');
export const submitOtpUpdate = defineUpdate<OtpOutcome, [OtpSubmission]>('submitOtp');
export const cancelSignal = defineSignal<[]>('cancel');
/** The gateway's cancel: the same as the `cancel` signal, but answers whether it took effect. */
export const cancelPayoutUpdate = defineUpdate<PayoutState, []>('cancelPayout');
export const payoutStatusQuery = defineQuery<PayoutState>('status');
