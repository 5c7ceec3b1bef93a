/**
 * A payout from the merchant's Shinhan account through Finan, paid once and never twice:
 * create (idempotent) → wait for the bank's OTP → verify → poll until Finan settles it.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { FinanPayoutActivities as FinanActivities, ProviderPayout } from '../../activities/finan/payouts';
import { failureInfo } from '../common/failure-info';
import type { FailureInfo } from '../common/failures';
import { FINAN_READ_REFUSALS, NON_RETRYABLE_FINAN_FAILURES, creationFailureStatus } from '../common/failures';
import { searchAttributes } from '../common/search-attributes';
import { FINAN_TASK_QUEUE } from '../common/task-queues';
import type { OtpOutcome, PayoutInput, PayoutState, PayoutStatus } from './messages';
import { PAYOUT_UNAVAILABLE_FAILURE, cancelPayoutUpdate, cancelSignal, otpSignal, payoutStatusQuery, submitOtpUpdate } from './messages';
import {
  PAYOUT_DEFAULTS,
  cancelProblem,
  isFinalPayoutStatus,
  last4,
  otpAcceptedFromRead,
  otpSubmissionProblem,
  otpVerificationOutcome,
  payoutDetails,
} from './rules';

const NON_RETRYABLE = NON_RETRYABLE_FINAN_FAILURES;
/**
 * Reading Finan to learn a payout's state retries through everything a fix can cure (outages, credentials, the IP
 * whitelist): only a request Finan calls malformed, or a payout it does not know, stops it.
 */
const NON_RETRYABLE_READS = FINAN_READ_REFUSALS;

/** Marks the change that reads Finan before a payout ends without money (histories before it ended at once). */
export const READ_FINAN_BEFORE_ENDING = 'read-finan-before-ending';

/** The OTP answer is awaited by a caller: retry briefly, then confirm the outcome with Finan. */
const verification = proxyActivities<FinanActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** A first read of Finan's state, kept short because a caller (a cancel, an OTP) may be waiting for it. */
const quickRead = proxyActivities<FinanActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE_READS },
});

export async function payoutWorkflow(input: PayoutInput): Promise<PayoutState> {
  const otpTimeoutMs = input.otpTimeoutMs ?? PAYOUT_DEFAULTS.otpTimeoutMs;
  const pollHorizonMs = input.pollHorizonMs ?? PAYOUT_DEFAULTS.pollHorizonMs;
  const pollRetry = {
    initialInterval: input.pollInitialIntervalMs ?? PAYOUT_DEFAULTS.pollInitialIntervalMs,
    backoffCoefficient: 2,
    maximumInterval: input.pollMaxIntervalMs ?? PAYOUT_DEFAULTS.pollMaxIntervalMs,
  };
  /** Creation retries an unreachable Finan for a bounded window, then the run ends `unavailable`. */
  const creation = proxyActivities<FinanActivities>({
    taskQueue: FINAN_TASK_QUEUE,
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: input.createWindowMs ?? PAYOUT_DEFAULTS.createWindowMs,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
  });
  /** When Finan's answer was lost: read it with the polling backoff until it answers, up to the polling horizon. */
  const patientRead = proxyActivities<FinanActivities>({
    taskQueue: FINAN_TASK_QUEUE,
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: pollHorizonMs,
    retry: { ...pollRetry, nonRetryableErrorTypes: NON_RETRYABLE_READS },
  });

  const startedAt = new Date().toISOString();
  const state: PayoutState = {
    referenceId: input.referenceId,
    workflowId: workflowInfo().workflowId,
    status: 'creating',
    payoutId: null,
    remainingTry: null,
    amount: input.amount,
    currency: input.currency,
    beneficiaryBankId: input.beneficiaryBankId,
    beneficiaryAccountLast4: last4(input.beneficiaryAccountNumber),
    description: input.description,
    providerStatus: null,
    otpDeadline: null,
    createdAt: startedAt,
    updatedAt: startedAt,
    failure: null,
  };

  // The starter sets dongflow's search attributes; a flow started without them (a namespace where they are not
  // registered) must not upsert, or every workflow task would fail.
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;

  function setStatus(status: PayoutStatus): void {
    state.status = status;
    state.updatedAt = new Date().toISOString();
    if (searchable) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: status },
        ...(state.payoutId ? [{ key: searchAttributes.providerId, value: state.payoutId }] : []),
      ]);
    }
    setCurrentDetails(payoutDetails(state));
    log.info('Payout status changed', { referenceId: state.referenceId, status, payoutId: state.payoutId });
  }

  function recordProvider(payout: ProviderPayout): void {
    state.payoutId = payout.payoutId;
    state.providerStatus = payout.status;
    state.remainingTry = payout.remainingTry;
    if (payout.status !== state.status) setStatus(payout.status);
  }

  // One OTP at a time: a submission made while another is verified or confirmed is refused, never left waiting.
  let pendingOtp: { id: number; code: string } | null = null;
  const otpOutcomes = new Map<number, OtpOutcome>();
  let nextOtpId = 0;
  let otpInFlight = false;
  let cancelRequested = false;
  /** Set once a cancel has been decided: `refused` when Finan showed the payout past its OTP. */
  let cancelDecision: 'cancelled' | 'refused' | null = null;
  let workflowCancelled = false;

  const otpBusy = () => (otpInFlight || pendingOtp !== null ? 'verifying' : null);
  const takeOtp = (code: string): number => {
    const id = nextOtpId++;
    pendingOtp = { id, code };
    return id;
  };

  setCurrentDetails(payoutDetails(state));
  setHandler(payoutStatusQuery, () => ({ ...state }));

  setHandler(otpSignal, (submission) => {
    const problem = otpSubmissionProblem(state, submission?.code, otpBusy());
    // A signal cannot be refused: an unusable one is noted (without the code) and dropped.
    if (problem) log.warn('OTP signal ignored', { referenceId: state.referenceId, reason: problem });
    else takeOtp(submission.code);
  });

  setHandler(
    submitOtpUpdate,
    async ({ code }) => {
      const id = takeOtp(code);
      await condition(() => otpOutcomes.has(id));
      return otpOutcomes.get(id)!;
    },
    {
      // Runs before anything is written: a refused submission leaves no trace in history.
      validator: (submission) => {
        const problem = otpSubmissionProblem(state, submission?.code, otpBusy());
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(cancelSignal, () => {
    const problem = cancelProblem(state, otpBusy() !== null);
    if (problem) log.warn('Cancel signal ignored', { referenceId: state.referenceId, reason: problem });
    else cancelRequested = true;
  });

  setHandler(
    cancelPayoutUpdate,
    async () => {
      cancelRequested = true;
      // Answered once decided, or as soon as Finan's word is slow to come (the status then says `confirming`).
      await condition(() => cancelDecision !== null || isFinalPayoutStatus(state.status) || state.status === 'confirming');
      if (cancelDecision === 'refused') {
        throw ApplicationFailure.nonRetryable(`Finan reports the payout ${state.status}: an OTP was accepted, so it can no longer be cancelled`, 'CancelRefused');
      }
      return { ...state };
    },
    {
      validator: () => {
        const problem = cancelProblem(state, otpBusy() !== null);
        if (problem) throw new Error(problem);
      },
    },
  );

  const finish = async (): Promise<PayoutState> => {
    // Nothing may be left waiting: answer a pending submission with the final state.
    if (pendingOtp) otpOutcomes.set(pendingOtp.id, { accepted: false, status: state.status, remainingTry: state.remainingTry });
    pendingOtp = null;
    // Also when the workflow itself was cancelled: the last answers must still go out.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    if (state.status === 'unavailable') {
      // A failed run is the one close that lets a new run take the reference (ALLOW_DUPLICATE_FAILED_ONLY).
      throw ApplicationFailure.nonRetryable(state.failure?.message ?? 'Finan could not be reached', PAYOUT_UNAVAILABLE_FAILURE, { ...state });
    }
    return { ...state };
  };

  /**
   * Finan's word on the payout, whatever it takes: a quick read first, then (status `confirming`) reads with the
   * polling backoff up to the polling horizon. Never cancelled: what it learns decides whether money moved.
   * Returns undefined when Finan gave no answer within the horizon.
   */
  const readFinan = async (read: (activities: FinanActivities) => Promise<ProviderPayout | null>): Promise<ProviderPayout | null | undefined> =>
    CancellationScope.nonCancellable(async () => {
      try {
        return await read(quickRead);
      } catch (err) {
        state.failure = failureInfo(err);
        setStatus('confirming');
      }
      try {
        const answer = await read(patientRead);
        state.failure = null;
        return answer;
      } catch (err) {
        state.failure = {
          ...failureInfo(err),
          type: 'OutcomeUnknown',
          message: `Finan gave no answer about the payout within the polling horizon; check it with Finan before acting (${failureInfo(err).message})`,
        };
        return undefined;
      }
    });

  /** Ends the flow without money only if Finan still shows the payout unconfirmed; otherwise follows Finan. */
  const endUnlessFinanMovedOn = async (ending: 'cancelled' | 'expired', reason: FailureInfo | null): Promise<void> => {
    const payoutId = state.payoutId;
    const finanSays = await readFinan((activities) =>
      payoutId ? activities.getPayout(payoutId) : activities.findPayoutByReference(input.referenceId),
    );
    if (finanSays === undefined) {
      if (cancelRequested) cancelDecision = 'refused';
      setStatus('needs_attention');
    } else if (finanSays === null || finanSays.status === 'waiting_confirm') {
      if (finanSays) recordProvider(finanSays);
      state.failure = reason;
      if (ending === 'cancelled') cancelDecision = 'cancelled';
      setStatus(ending);
    } else {
      // Finan moved on without us (a lost OTP answer, or an OTP accepted elsewhere): Finan's word wins.
      if (cancelRequested) cancelDecision = 'refused';
      state.failure = null;
      recordProvider(finanSays);
    }
  };
  const readBeforeEnding = () => patched(READ_FINAN_BEFORE_ENDING);

  // 1. Create the payout at Finan (adopting one that already exists for the reference), unless cancelled first.
  try {
    // A cancel request during creation stops waiting for it (Finan may be retried for a long time).
    const creationScope = new CancellationScope();
    // A watcher only: if the whole workflow is cancelled its condition rejects, which must not fail the task.
    condition(() => cancelRequested).then(
      () => creationScope.cancel(),
      () => undefined,
    );
    const created = await creationScope.run(() =>
      creation.createPayout({
        referenceId: input.referenceId,
        accountId: input.accountId,
        amount: input.amount,
        currency: input.currency,
        beneficiaryAccountName: input.beneficiaryAccountName,
        beneficiaryAccountNumber: input.beneficiaryAccountNumber,
        beneficiaryBankId: input.beneficiaryBankId,
        description: input.description,
      }),
    );
    recordProvider(created);
  } catch (err) {
    if (isCancellation(err) || cancelRequested) {
      workflowCancelled = isCancellation(err) && !cancelRequested;
      cancelRequested = true;
      // An attempt may have created the payout before the cancel: learn what Finan holds for the reference.
      if (readBeforeEnding()) await endUnlessFinanMovedOn('cancelled', null);
      else setStatus('cancelled');
    } else {
      state.failure = failureInfo(err);
      setStatus(creationFailureStatus(state.failure.type));
    }
  }

  // 2. Wait for the bank's OTP until the deadline; each verification spends a try. A lost answer is confirmed with
  // Finan before anything else; a cancel or the deadline ends the payout only once Finan shows it unconfirmed.
  const deadline = Date.now() + otpTimeoutMs;
  if (state.status === 'waiting_confirm') state.otpDeadline = new Date(deadline).toISOString();
  while (state.status === 'waiting_confirm') {
    const remaining = deadline - Date.now();
    let woke = false;
    if (remaining > 0 && !workflowCancelled) {
      try {
        woke = await condition(() => pendingOtp !== null || cancelRequested, remaining);
      } catch (err) {
        if (!isCancellation(err)) throw err;
        // Cancelled from the Temporal UI: handled like a cancel request.
        workflowCancelled = true;
        cancelRequested = true;
      }
    }
    if (cancelRequested || !woke) {
      const ending = cancelRequested ? 'cancelled' : 'expired';
      const reason = cancelRequested ? null : { type: 'OtpTimeout', message: `No OTP was accepted within ${Math.round(otpTimeoutMs / 1000)} seconds` };
      if (readBeforeEnding()) {
        await endUnlessFinanMovedOn(ending, reason);
      } else {
        state.failure = reason;
        setStatus(ending);
      }
      continue;
    }
    const submission = pendingOtp!;
    pendingOtp = null;
    otpInFlight = true;
    const remainingTryBefore = state.remainingTry ?? 0;
    try {
      // Once sent, the answer must be read whatever happens to the workflow: it may have moved money.
      const result = await CancellationScope.nonCancellable(() =>
        verification.verifyPayoutOtp({ payoutId: state.payoutId!, code: submission.code, remainingTryBefore }),
      );
      const { outcome, failure } = otpVerificationOutcome(result.accepted, result.payout);
      // The reason first: the status change below publishes it (current details) with the new status.
      state.failure = failure;
      recordProvider(result.payout);
      otpOutcomes.set(submission.id, outcome);
    } catch (err) {
      // The code may have reached Finan and its answer been lost: Finan's state decides, nothing else.
      state.failure = failureInfo(err);
      const payoutId = state.payoutId!;
      let settled = false;
      const answered = readFinan((activities) => activities.getPayout(payoutId)).finally(() => (settled = true));
      // The submitter learns at once that the outcome is being confirmed, if the first read did not settle it.
      await CancellationScope.nonCancellable(() => condition(() => settled || state.status === 'confirming'));
      if (!settled) otpOutcomes.set(submission.id, { accepted: null, status: 'confirming', remainingTry: state.remainingTry });
      const finanSays = await answered;
      if (!finanSays) {
        setStatus('needs_attention');
      } else {
        const accepted = otpAcceptedFromRead(remainingTryBefore, finanSays);
        const { outcome, failure } = otpVerificationOutcome(accepted ?? false, finanSays);
        // No trace at Finan: the code never arrived, and the reason stays the failed call.
        if (accepted !== null) state.failure = failure;
        recordProvider(finanSays);
        if (!otpOutcomes.has(submission.id)) otpOutcomes.set(submission.id, outcome);
      }
    } finally {
      otpInFlight = false;
    }
  }
  if (state.status !== 'processing') return finish();

  // 3. Poll Finan until the transfer settles. Cancelling now cannot stop the bank, so this step is not cancellable.
  const horizon = Date.now() + pollHorizonMs;
  await CancellationScope.nonCancellable(async () => {
    const polling = proxyActivities<FinanActivities>({
      taskQueue: FINAN_TASK_QUEUE,
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: pollHorizonMs,
      retry: { ...pollRetry, nonRetryableErrorTypes: NON_RETRYABLE_READS },
    });
    try {
      const settled = await polling.awaitPayoutSettled(state.payoutId!);
      if (settled.status === 'failed') state.failure = { type: 'PayoutFailed', message: 'Finan reported the transfer as failed' };
      recordProvider(settled);
    } catch (err) {
      const horizonReached =
        err instanceof ActivityFailure && (err.retryState === RetryState.TIMEOUT || err.cause instanceof TimeoutFailure);
      state.failure = horizonReached
        ? { type: 'PollingHorizonReached', message: 'Finan still reported the transfer as processing at the polling horizon; check it with Finan before acting' }
        : failureInfo(err);
      // Retries stop when the next one would pass the horizon; wait for it, then read Finan one last time,
      // so the operator sees Finan's word at the horizon next to the reason.
      if (horizonReached && horizon > Date.now()) await sleep(horizon - Date.now());
      try {
        const last = await verification.getPayout(state.payoutId!);
        state.providerStatus = last.status;
        state.remainingTry = last.remainingTry;
        if (last.status === 'success' || last.status === 'failed') {
          state.failure = null;
          recordProvider(last);
          return;
        }
      } catch (readErr) {
        log.warn('Final payout read failed', { referenceId: state.referenceId, error: failureInfo(readErr).message });
      }
      setStatus('needs_attention');
    }
  });
  return finish();
}
