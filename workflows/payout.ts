/**
 * A payout from the merchant's Shinhan account through Finan, paid once and never twice:
 * create (idempotent) → wait for the bank's OTP → verify → poll until Finan settles it.
 */
import {
  ActivityFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  isCancellation,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { FinanActivities, ProviderPayout } from '../activities/finan';
import type { OtpOutcome, PayoutInput, PayoutState, PayoutStatus } from './definitions';
import {
  FINAN_TASK_QUEUE,
  NON_RETRYABLE_FINAN_FAILURES,
  cancelPayoutUpdate,
  cancelSignal,
  otpSignal,
  payoutStatusQuery,
  searchAttributes,
  submitOtpUpdate,
} from './definitions';
import {
  PAYOUT_DEFAULTS,
  cancelProblem,
  isFinalPayoutStatus,
  last4,
  otpSubmissionProblem,
  otpVerificationOutcome,
  payoutDetails,
} from './payout-rules';
import { failureInfo } from './failures';

const NON_RETRYABLE = NON_RETRYABLE_FINAN_FAILURES;

/** Creation retries until it succeeds or Finan refuses: a transient outage must not abandon a payout. */
const creation = proxyActivities<FinanActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE },
});

/** The OTP answer is awaited by a caller: retry briefly, then report that Finan could not be reached. */
const verification = proxyActivities<FinanActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: NON_RETRYABLE },
});

export async function payoutWorkflow(input: PayoutInput): Promise<PayoutState> {
  const otpTimeoutMs = input.otpTimeoutMs ?? PAYOUT_DEFAULTS.otpTimeoutMs;
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

  // OTP submissions are processed one at a time, in arrival order, by the main loop below.
  const otpQueue: { id: number; code: string }[] = [];
  const otpOutcomes = new Map<number, OtpOutcome>();
  let nextOtpId = 0;
  let otpInFlight = false;
  let cancelRequested = false;

  const enqueueOtp = (code: string): number => {
    const id = nextOtpId++;
    otpQueue.push({ id, code });
    return id;
  };

  setCurrentDetails(payoutDetails(state));
  setHandler(payoutStatusQuery, () => ({ ...state }));

  setHandler(otpSignal, (submission) => {
    const problem = otpSubmissionProblem(state, submission?.code);
    // A signal cannot be refused: an unusable one is noted (without the code) and dropped.
    if (problem) log.warn('OTP signal ignored', { referenceId: state.referenceId, reason: problem });
    else enqueueOtp(submission.code);
  });

  setHandler(
    submitOtpUpdate,
    async ({ code }) => {
      const id = enqueueOtp(code);
      await condition(() => otpOutcomes.has(id));
      return otpOutcomes.get(id)!;
    },
    {
      // Runs before anything is written: a refused submission leaves no trace in history.
      validator: (submission) => {
        const problem = otpSubmissionProblem(state, submission?.code);
        if (problem) throw new Error(problem);
      },
    },
  );

  setHandler(cancelSignal, () => {
    const problem = cancelProblem(state, otpInFlight || otpQueue.length > 0);
    if (problem) log.warn('Cancel signal ignored', { referenceId: state.referenceId, reason: problem });
    else cancelRequested = true;
  });

  setHandler(
    cancelPayoutUpdate,
    async () => {
      cancelRequested = true;
      await condition(() => isFinalPayoutStatus(state.status));
      return { ...state };
    },
    {
      validator: () => {
        const problem = cancelProblem(state, otpInFlight || otpQueue.length > 0);
        if (problem) throw new Error(problem);
      },
    },
  );

  const finish = async (): Promise<PayoutState> => {
    // Nothing queued may be left waiting: answer every pending submission with the final state.
    for (const pending of otpQueue.splice(0)) {
      otpOutcomes.set(pending.id, { accepted: false, status: state.status, remainingTry: state.remainingTry });
    }
    // Also when the workflow itself was cancelled: the last answers must still go out.
    await CancellationScope.nonCancellable(() => condition(allHandlersFinished));
    return { ...state };
  };

  // 1. Create the payout at Finan (idempotent by reference), unless cancelled first.
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
      // A payout Finan may have created is never confirmed without an OTP: no money can move.
      setStatus('cancelled');
      return finish();
    }
    state.failure = failureInfo(err);
    setStatus('rejected');
    return finish();
  }

  // 2. Wait for the bank's OTP until the deadline; a wrong code leaves fewer tries.
  const deadline = Date.now() + otpTimeoutMs;
  state.otpDeadline = new Date(deadline).toISOString();
  try {
    while (state.status === 'waiting_confirm') {
      const remaining = deadline - Date.now();
      const woke = remaining > 0 && (await condition(() => otpQueue.length > 0 || cancelRequested, remaining));
      if (cancelRequested) {
        setStatus('cancelled');
        break;
      }
      if (!woke) {
        state.failure = { type: 'OtpTimeout', message: `No OTP was accepted within ${Math.round(otpTimeoutMs / 1000)} seconds` };
        setStatus('expired');
        break;
      }
      const submission = otpQueue.shift()!;
      otpInFlight = true;
      try {
        // Once sent, the answer must be read whatever happens to the workflow: it may have moved money.
        const result = await CancellationScope.nonCancellable(() =>
          verification.verifyPayoutOtp({ payoutId: state.payoutId!, code: submission.code, remainingTryBefore: state.remainingTry ?? 0 }),
        );
        const { outcome, failure } = otpVerificationOutcome(result.accepted, result.payout);
        // The reason first: the status change below publishes it (current details) with the new status.
        state.failure = failure;
        recordProvider(result.payout);
        otpOutcomes.set(submission.id, outcome);
      } catch (err) {
        // Finan could not be asked (or refused the call itself): the code was not accepted; keep waiting.
        state.failure = failureInfo(err);
        state.updatedAt = new Date().toISOString();
        otpOutcomes.set(submission.id, { accepted: false, status: state.status, remainingTry: state.remainingTry });
      } finally {
        otpInFlight = false;
      }
    }
  } catch (err) {
    if (!isCancellation(err)) throw err;
    setStatus('cancelled');
  }
  if (state.status !== 'processing') return finish();

  // 3. Poll Finan until the transfer settles. Cancelling now cannot stop the bank, so this step is not cancellable.
  const pollHorizonMs = input.pollHorizonMs ?? PAYOUT_DEFAULTS.pollHorizonMs;
  const horizon = Date.now() + pollHorizonMs;
  await CancellationScope.nonCancellable(async () => {
    const polling = proxyActivities<FinanActivities>({
      taskQueue: FINAN_TASK_QUEUE,
      startToCloseTimeout: '30 seconds',
      scheduleToCloseTimeout: pollHorizonMs,
      retry: {
        initialInterval: input.pollInitialIntervalMs ?? PAYOUT_DEFAULTS.pollInitialIntervalMs,
        backoffCoefficient: 2,
        maximumInterval: input.pollMaxIntervalMs ?? PAYOUT_DEFAULTS.pollMaxIntervalMs,
        nonRetryableErrorTypes: NON_RETRYABLE,
      },
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
