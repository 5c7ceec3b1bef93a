/**
 * The typed payout API for TypeScript backends (and the gateway): start a payout, read it, submit the bank's OTP,
 * cancel it. Backends never deal with signatures, retries or timers.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { OtpOutcome, PayoutInput, PayoutState } from '../workflows/payout/messages';
import { cancelPayoutUpdate, payoutStatusQuery, payoutWorkflowId, submitOtpUpdate } from '../workflows/payout/messages';
import { cancelProblem, otpSubmissionProblem } from '../workflows/payout/rules';
import type { payoutWorkflow } from '../workflows/payout/workflow';
import { InvalidStateError } from './errors';
import { ReferenceSchema, parseOrThrow } from './schemas/common';
import type { PayoutRequest } from './schemas/payouts';
import { OtpRequestSchema, PayoutRequestSchema } from './schemas/payouts';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls } from './temporal';

export { callTemporal, translateTemporalError } from './temporal';

export interface PayoutsClientOptions extends TemporalCallOptions {
  /** Defaults applied when a request does not override them. */
  otpTimeoutMs?: number;
  pollHorizonMs?: number;
  createWindowMs?: number;
}

export interface StartedPayout {
  referenceId: string;
  workflowId: string;
  status: PayoutState['status'];
}

/**
 * Temporal answers "not found" to an update sent to a workflow that has ended. When the payout exists, say why
 * the request cannot apply to it, in the same words the workflow's own validator uses.
 */
async function refuseIfEnded<T>(
  handle: WorkflowHandle<typeof payoutWorkflow>,
  problem: (state: PayoutState) => string | null,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const state = await handle.query(payoutStatusQuery).catch(() => undefined);
    if (!state) throw err;
    throw new InvalidStateError(problem(state) ?? `the payout is ${state.status}`);
  }
}

/** An OTP answer waits for Finan (verification up to a minute, then a quick read of up to 30 s): never longer. */
const OTP_ANSWER_TIMEOUT_MS = 150_000;

export function createPayoutsClient(client: Client, options: PayoutsClientOptions = {}) {
  const handleFor = (referenceId: string): WorkflowHandle<typeof payoutWorkflow> =>
    client.workflow.getHandle<typeof payoutWorkflow>(payoutWorkflowId(parseOrThrow(ReferenceSchema, referenceId, 'referenceId')));

  const calls = guardedCalls(client, options);
  const guarded = <T>(referenceId: string, call: () => Promise<T>, timeoutMs?: number): Promise<T> => calls('payout', referenceId, call, timeoutMs);

  return {
    /**
     * Starts a payout. A reference can pay only once: reusing one, even after the first finished, is refused — except
     * after a run that ended `unavailable` (Finan unreachable, or refusing our credentials or IP): that run failed,
     * and a new one may take the reference; it adopts whatever the earlier run created at Finan.
     */
    async startPayout(request: PayoutRequest): Promise<StartedPayout> {
      const valid = parseOrThrow(PayoutRequestSchema, request);
      const input: PayoutInput = {
        referenceId: valid.referenceId,
        accountId: valid.accountId,
        amount: valid.amount,
        currency: valid.currency,
        beneficiaryAccountName: valid.beneficiaryAccountName,
        beneficiaryAccountNumber: valid.beneficiaryAccountNumber,
        beneficiaryBankId: valid.beneficiaryBankId,
        description: valid.description,
        otpTimeoutMs: valid.otpTimeoutSeconds !== undefined ? valid.otpTimeoutSeconds * 1000 : options.otpTimeoutMs,
        pollHorizonMs: options.pollHorizonMs,
        createWindowMs: options.createWindowMs,
      };
      const workflowId = payoutWorkflowId(valid.referenceId);
      return guarded(valid.referenceId, async () => {
        await client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
          workflowId,
          taskQueue: options.taskQueue ?? WORKFLOW_TASK_QUEUE,
          args: [input],
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: 'payout' },
            { key: searchAttributes.reference, value: valid.referenceId },
            { key: searchAttributes.amount, value: valid.amount },
            { key: searchAttributes.status, value: 'creating' },
          ],
          staticSummary: `Payout ${valid.amount.toLocaleString('en-US')} ${valid.currency} to bank ${valid.beneficiaryBankId} ****${valid.beneficiaryAccountNumber.slice(-4)}`,
        });
        return { referenceId: valid.referenceId, workflowId, status: 'creating' as const };
      });
    },

    /** The payout's current state (also after it finished). */
    async getPayout(referenceId: string): Promise<PayoutState> {
      return guarded(referenceId, () => handleFor(referenceId).query(payoutStatusQuery));
    },

    /**
     * Passes on the OTP the bank texted. Answers once Finan has: `accepted`, the new status and the tries left; or,
     * when Finan's answer was lost and could not be read back at once, `accepted: null` with status `confirming`
     * (the flow keeps reading Finan; read the payout for the outcome). Refused while another OTP is being verified.
     * `submissionId` makes a retried call idempotent (the same id returns the first call's outcome).
     */
    async submitOtp(referenceId: string, code: string, opts: { submissionId?: string } = {}): Promise<OtpOutcome> {
      const otp = parseOrThrow(OtpRequestSchema, { code });
      const handle = handleFor(referenceId);
      return guarded(referenceId, () =>
          refuseIfEnded(handle, (state) => otpSubmissionProblem(state, otp.code), () =>
            handle.executeUpdate(submitOtpUpdate, { args: [otp], ...(opts.submissionId ? { updateId: opts.submissionId } : {}) }),
          ),
        // The answer waits for Finan's verification, retried for up to two minutes.
        OTP_ANSWER_TIMEOUT_MS,
      );
    },

    /**
     * Cancels a payout that has not had its OTP accepted: ends `cancelled` only once Finan shows it unconfirmed;
     * refused once money may be moving (an OTP being verified or confirmed, or Finan showing it accepted).
     */
    async cancelPayout(referenceId: string): Promise<PayoutState> {
      const handle = handleFor(referenceId);
      return guarded(referenceId, () =>
        refuseIfEnded(handle, (state) => cancelProblem(state, false), () => handle.executeUpdate(cancelPayoutUpdate)),
        // A cancel first asks Finan whether the payout is still unconfirmed.
        OTP_ANSWER_TIMEOUT_MS,
      );
    },
  };
}

export type PayoutsClient = ReturnType<typeof createPayoutsClient>;
