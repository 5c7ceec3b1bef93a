/**
 * The payout's business rules as pure functions: no Temporal, no I/O, unit-tested directly.
 * The workflow in `workflow.ts` is a thin, durable shell around them.
 */
import { isOtpCode } from '../../providers/finan/rules';
import type { FailureInfo } from '../common/failures';
import type { OtpOutcome, PayoutState, PayoutStatus, ProviderPayoutStatus } from './messages';
import { FINAL_PAYOUT_STATUSES } from './messages';

export const PAYOUT_DEFAULTS = {
  otpTimeoutMs: 10 * 60_000,
  createWindowMs: 10 * 60_000,
  pollHorizonMs: 24 * 60 * 60_000,
  pollInitialIntervalMs: 2_000,
  pollMaxIntervalMs: 10 * 60_000,
} as const;

export function isFinalPayoutStatus(status: PayoutStatus): boolean {
  return FINAL_PAYOUT_STATUSES.includes(status);
}

/** What an OTP submission must wait for, if anything: another one being verified, or a lost answer being confirmed. */
export type OtpBusy = 'verifying' | null;

/** Why an OTP submission must be refused before it is recorded, or null when it may go ahead. */
export function otpSubmissionProblem(state: Pick<PayoutState, 'status'>, code: unknown, busy: OtpBusy = null): string | null {
  if (!isOtpCode(code)) return 'code must be a string of exactly 6 digits';
  if (state.status === 'creating') return 'the payout is still being created at Finan; submit the OTP once it is waiting_confirm';
  if (state.status === 'confirming') {
    return "Finan's answer to an earlier OTP was lost and is being confirmed with Finan; read the payout and submit again only if it is waiting_confirm";
  }
  if (state.status !== 'waiting_confirm') return `the payout is ${state.status}, not waiting for an OTP`;
  if (busy === 'verifying') return 'an OTP is being verified with Finan; wait for its answer before submitting another';
  return null;
}

/** Why a cancel request must be refused, or null when it may go ahead (after Finan confirms nothing was accepted). */
export function cancelProblem(state: Pick<PayoutState, 'status'>, otpInFlight: boolean): string | null {
  if (state.status === 'confirming') return "Finan's answer to an OTP is being confirmed; money may be moving, so the payout cannot be cancelled now";
  if (otpInFlight) return 'an OTP is being verified with Finan; the payout can no longer be cancelled';
  if (state.status === 'creating' || state.status === 'waiting_confirm') return null;
  return `the payout is ${state.status}; only a payout waiting for its OTP can be cancelled`;
}

/**
 * What Finan's answer to an OTP means: the submitter's outcome and, when the answer ended the payout, why.
 * Every verification spends a try (the page: created with 3, a right code answers `processing, remaining_try: 2`);
 * with none left after a wrong code Finan marks the payout failed.
 */
export function otpVerificationOutcome(accepted: boolean, payout: { status: ProviderPayoutStatus; remainingTry: number }): {
  outcome: OtpOutcome;
  failure: FailureInfo | null;
} {
  return {
    outcome: { accepted, status: payout.status, remainingTry: payout.remainingTry },
    failure: payout.status === 'failed' ? { type: 'OtpAttemptsExhausted', message: 'Finan refused the OTP and no tries are left' } : null,
  };
}

/**
 * What a read of the payout says about an OTP sent while it had `remainingTryBefore` tries, when the answer to
 * that submission was lost: accepted once Finan moved past `waiting_confirm` (unless it failed); refused when a try
 * was spent without leaving `waiting_confirm`; `null` when Finan shows no trace of it (the code never arrived).
 */
export function otpAcceptedFromRead(remainingTryBefore: number, payout: { status: ProviderPayoutStatus; remainingTry: number }): boolean | null {
  if (payout.status === 'processing' || payout.status === 'success') return true;
  if (payout.status === 'failed') return false;
  return payout.remainingTry < remainingTryBefore ? false : null;
}

/** Last four characters of an account number: enough for an operator to recognise it, not PII. */
export function last4(accountNumber: string): string {
  return accountNumber.slice(-4);
}

/** One line for the Temporal UI's "current details": what the payout is doing and what, if anything, it waits for. */
export function payoutDetails(state: Pick<PayoutState, 'status' | 'payoutId' | 'remainingTry' | 'otpDeadline' | 'amount' | 'currency' | 'failure'>): string {
  const money = `${state.amount.toLocaleString('en-US')} ${state.currency}`;
  switch (state.status) {
    case 'creating':
      return `Creating the payout of ${money} at Finan`;
    case 'waiting_confirm':
      return `Waiting for the bank's OTP until ${state.otpDeadline ?? '?'} (${state.remainingTry ?? '?'} tries left); Finan payout ${state.payoutId}`;
    case 'confirming':
      return `Finan's answer to an OTP was lost; reading payout ${state.payoutId ?? '(by reference)'} from Finan until it is known`;
    case 'processing':
      return `OTP accepted; polling Finan until payout ${state.payoutId} settles`;
    case 'success':
      return `Paid ${money}; Finan payout ${state.payoutId}`;
    default:
      return `${state.status}: ${state.failure ? `${state.failure.type}: ${state.failure.message}` : 'no money moved'}`;
  }
}
