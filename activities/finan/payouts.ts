/**
 * Finan payout activities: one thin function per signed provider call. Each calls the provider client and maps its
 * errors to `ApplicationFailure` types (`failures.ts`); the business decisions stay in the workflows.
 */
import { activityInfo, ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { FinanClient } from '../../providers/finan/client';
import { FinanUnprocessableError } from '../../providers/finan/errors';
import type { Payout, PayoutCreated } from '../../providers/finan/schemas';
import { FinanFailureType } from '../../workflows/common/failures';
import type { PayoutInput, ProviderPayoutStatus } from '../../workflows/payout/messages';
import { otpAcceptedFromRead } from '../../workflows/payout/rules';
import { mapFinanErrors as mapErrors } from './failures';

/** What Finan needs to create a payout: the flow's input without its timing options. */
export type CreatePayoutActivityInput = Omit<PayoutInput, 'otpTimeoutMs' | 'pollHorizonMs' | 'pollInitialIntervalMs' | 'pollMaxIntervalMs' | 'createWindowMs'>;

/** Finan's view of a payout, in our words. */
export interface ProviderPayout {
  payoutId: string;
  status: ProviderPayoutStatus;
  remainingTry: number;
}

export interface VerifyOtpActivityInput {
  payoutId: string;
  code: string;
  /** Tries Finan had left before this submission: tells a retry whether the first attempt was already counted. */
  remainingTryBefore: number;
}

export interface VerifyOtpActivityResult {
  accepted: boolean;
  payout: ProviderPayout;
}

function fromFinan(p: Pick<Payout | PayoutCreated, 'id' | 'status' | 'remaining_try'>): ProviderPayout {
  return { payoutId: p.id, status: p.status, remainingTry: p.remaining_try };
}

/**
 * Among payouts sharing a reference, the one that went furthest: a transfer under way or done outranks one waiting for
 * its OTP, which outranks a failed one; among equals the oldest. Adopting anything else could pay twice.
 */
export function mostAdvanced<P extends Pick<Payout, 'status' | 'created_at'>>(payouts: readonly P[]): P | undefined {
  const rank: Record<ProviderPayoutStatus, number> = { success: 3, processing: 2, waiting_confirm: 1, failed: 0 };
  return [...payouts].sort((a, b) => rank[b.status] - rank[a.status] || a.created_at.localeCompare(b.created_at))[0];
}

/** What the payout activities need: the Finan client (a sandbox's, a fake's in tests). */
export interface FinanPayoutActivityDeps {
  finan: FinanClient;
}

export function createFinanPayoutActivities({ finan }: FinanPayoutActivityDeps) {
  return {
    /**
     * Creates the payout at Finan exactly once per reference. Finan publishes no idempotency key, so every attempt
     * (the first of every run included) first looks the payout up by `reference_id` and adopts one that exists: an
     * earlier attempt whose answer was lost, a run before a reset in the Temporal UI, or a payout made outside dongflow.
     */
    async createPayout(input: CreatePayoutActivityInput): Promise<ProviderPayout> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        const existing = mostAdvanced((await finan.findPayoutsByReference(input.referenceId, { signal })).data);
        if (existing) {
          log.info('Payout with this reference already exists at Finan; adopted', { payoutId: existing.id, status: existing.status, attempt: activityInfo().attempt });
          return fromFinan(existing);
        }
        const created = await finan.createPayout(
          {
            account_id: input.accountId,
            amount: input.amount,
            beneficiary_account_name: input.beneficiaryAccountName,
            beneficiary_account_number: input.beneficiaryAccountNumber,
            beneficiary_bank_id: input.beneficiaryBankId,
            currency: input.currency,
            reference_id: input.referenceId,
            description: input.description,
          },
          { signal },
        );
        log.info('Payout created', { payoutId: created.data.id, requestId: created.requestId });
        return fromFinan(created.data);
      });
    },

    /** The payout Finan holds for a reference (the most advanced, as creation adopts it), or null when none exists. */
    async findPayoutByReference(referenceId: string): Promise<ProviderPayout | null> {
      return mapErrors(async () => {
        const existing = mostAdvanced((await finan.findPayoutsByReference(referenceId, { signal: cancellationSignal() })).data);
        return existing ? fromFinan(existing) : null;
      });
    },

    async getPayout(payoutId: string): Promise<ProviderPayout> {
      return mapErrors(async () => fromFinan((await finan.getPayout(payoutId, { signal: cancellationSignal() })).data));
    },

    /**
     * Submits an OTP at most once per call. A retry reads the payout first: if the earlier attempt reached Finan
     * (state moved on, or a try was used up) its result is taken from there instead of spending another try.
     */
    async verifyPayoutOtp(input: VerifyOtpActivityInput): Promise<VerifyOtpActivityResult> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        if (activityInfo().attempt > 1) {
          const current = fromFinan((await finan.getPayout(input.payoutId, { signal })).data);
          const accepted = otpAcceptedFromRead(input.remainingTryBefore, current);
          if (accepted !== null) return { accepted, payout: current };
        }
        try {
          const verified = await finan.verifyPayoutOtp(input.payoutId, input.code, { signal });
          return { accepted: true, payout: fromFinan(verified.data) };
        } catch (err) {
          // 422: a wrong code or no tries left. Finan's error carries no payout, so read the tries left.
          if (err instanceof FinanUnprocessableError) {
            log.info('OTP refused by Finan', { payoutId: input.payoutId, requestId: err.requestId });
            return { accepted: false, payout: fromFinan((await finan.getPayout(input.payoutId, { signal })).data) };
          }
          throw err;
        }
      });
    },

    /**
     * Polls a payout until Finan settles it: throws a retryable failure while it is `processing`, so the retry
     * policy (backoff, horizon) does the waiting and the workflow history stays flat however long it takes.
     */
    async awaitPayoutSettled(payoutId: string): Promise<ProviderPayout> {
      const payout = await mapErrors(async () => fromFinan((await finan.getPayout(payoutId, { signal: cancellationSignal() })).data));
      if (payout.status === 'processing' || payout.status === 'waiting_confirm') {
        throw ApplicationFailure.create({
          message: `Payout ${payoutId} is still ${payout.status}`,
          type: FinanFailureType.PayoutStillProcessing,
          details: [payout],
          // Expected while the bank works: logged at debug level and kept out of failure metrics.
          category: ApplicationFailureCategory.BENIGN,
        });
      }
      return payout;
    },
  };
}

export type FinanPayoutActivities = ReturnType<typeof createFinanPayoutActivities>;
