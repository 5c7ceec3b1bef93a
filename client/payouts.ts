/**
 * The typed payout API for TypeScript backends (and the gateway): start a payout, read it, submit the bank's OTP,
 * cancel it. Backends never deal with signatures, retries or timers.
 */
import type { Client, Connection, WorkflowHandle } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { OtpOutcome, PayoutInput, PayoutState } from '../workflows/definitions';
import {
  WORKFLOW_TASK_QUEUE,
  cancelPayoutUpdate,
  payoutStatusQuery,
  payoutWorkflowId,
  searchAttributes,
  submitOtpUpdate,
} from '../workflows/definitions';
import type { payoutWorkflow } from '../workflows/payout';
import { cancelProblem, otpSubmissionProblem } from '../workflows/payout-rules';
import { DongflowError, DuplicateReferenceError, InvalidStateError, NotFoundError, TemporalUnavailableError, WorkerUnavailableError } from './errors';
import type { PayoutRequest } from './schemas';
import { OtpRequestSchema, PayoutRequestSchema, ReferenceSchema, parseOrThrow } from './schemas';

export interface PayoutsClientOptions {
  taskQueue?: string;
  /** How long a start or read may wait for Temporal before answering TemporalUnavailableError. Default 10 s. */
  rpcTimeoutMs?: number;
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
 * Runs Temporal calls with a deadline, so an unreachable server is reported quickly instead of being waited for,
 * and translates Temporal's errors into the library's. Every call of the library goes through it.
 */
export async function callTemporal<T>(
  client: Client,
  timeoutMs: number,
  kind: string,
  referenceId: string,
  call: () => Promise<T>,
  /** A flow-specific reading of the error, before the common translation. */
  interpret: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, call);
  } catch (err) {
    const translated = translateTemporalError(interpret(err), kind, referenceId);
    // Out of time: either Temporal is unreachable, or it is up and no worker answered (a query or update needs one).
    if (translated instanceof TemporalUnavailableError && (await temporalAnswers(client))) throw new WorkerUnavailableError(kind, referenceId);
    throw translated;
  }
}

async function temporalAnswers(client: Client): Promise<boolean> {
  try {
    const connection = client.connection as Connection;
    await connection.withDeadline(Date.now() + 1_000, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}

/** Temporal's own errors, translated into the library's: one place, used by every call. */
export function translateTemporalError(err: unknown, kind: string, referenceId: string): unknown {
  if (err instanceof DongflowError) return err;
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new DuplicateReferenceError(referenceId, kind);
  if (err instanceof WorkflowNotFoundError) return new NotFoundError(kind, referenceId);
  if (err instanceof WorkflowUpdateFailedError) return new InvalidStateError(err.cause?.message ?? err.message);
  const message = err instanceof Error ? err.message : String(err);
  const grpcCode = (err as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (err as { code?: unknown })?.code;
  // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED: the server could not be reached; nothing happened.
  if (grpcCode === 14 || grpcCode === 4 || /UNAVAILABLE|ECONNREFUSED|failed to connect|Failed to connect|DEADLINE_EXCEEDED/i.test(message)) {
    return new TemporalUnavailableError(err);
  }
  return err;
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

  const rpcTimeoutMs = options.rpcTimeoutMs ?? 10_000;
  const guarded = <T>(referenceId: string, call: () => Promise<T>, timeoutMs = rpcTimeoutMs): Promise<T> =>
    callTemporal(client, timeoutMs, 'payout', referenceId, call);

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
