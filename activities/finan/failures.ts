/**
 * The one mapping from Finan's errors (the provider's classes) to Temporal failures of the taxonomy in
 * `workflows/common/failures.ts`. Whether a failure is retried is the taxonomy's word, not each call's.
 */
import { activityInfo, ApplicationFailure } from '@temporalio/activity';
import { FinanError, FinanRateLimitedError } from '../../providers/finan/errors';
import type { ProviderFailureKind } from '../../workflows/common/failures';
import { FinanFailureType, NON_RETRYABLE_FINAN_FAILURES } from '../../workflows/common/failures';

export { FinanFailureType, NON_RETRYABLE_FINAN_FAILURES };

const KIND_BY_ERROR: Record<string, ProviderFailureKind> = {
  FinanRequestValidationError: 'Validation',
  FinanBadRequestError: 'Validation',
  FinanUnauthorizedError: 'Unauthorized',
  FinanForbiddenError: 'Forbidden',
  FinanNotFoundError: 'NotFound',
  FinanUnprocessableError: 'Unprocessable',
  FinanConflictError: 'Conflict',
  FinanRateLimitedError: 'RateLimited',
  FinanServerError: 'Unavailable',
  FinanNetworkError: 'Network',
  FinanTimeoutError: 'Network',
  FinanInvalidResponseError: 'InvalidResponse',
};

/** The one mapping from provider errors to Temporal failures. Details carry status, code and request id, never secrets. */
export function toActivityFailure(err: unknown): unknown {
  if (!(err instanceof FinanError) || err.name === 'FinanAbortedError') return err;
  const type = FinanFailureType[KIND_BY_ERROR[err.name] ?? 'Unavailable'];
  return ApplicationFailure.create({
    message: err.message,
    type,
    nonRetryable: NON_RETRYABLE_FINAN_FAILURES.includes(type),
    details: [err.toJSON()],
    // Stryker disable next-line ConditionalExpression: equivalent, without Retry-After both branches give undefined
    nextRetryDelay: err instanceof FinanRateLimitedError && err.retryAfterMs !== undefined ? err.retryAfterMs : undefined,
  });
}

/** Attempts after which an answer that is not what the page documents stops being retried and is surfaced. */
export const MAX_INVALID_ANSWER_ATTEMPTS = 3;

/**
 * An answer that is not Finan's documented shape (or a QR that fails its check) is retried a few times (a proxy's
 * error page, a deploy in progress), then surfaced as non-retryable: it would otherwise be retried for as long as
 * the activity may run (a renewal: until the invoice's due date).
 */
export function boundedInvalidAnswers(failure: unknown): unknown {
  if (!(failure instanceof ApplicationFailure) || failure.nonRetryable) return failure;
  if (failure.type !== FinanFailureType.InvalidResponse && failure.type !== FinanFailureType.InvalidQr) return failure;
  if (activityInfo().attempt < MAX_INVALID_ANSWER_ATTEMPTS) return failure;
  return ApplicationFailure.create({
    message: `${failure.message} (after ${activityInfo().attempt} attempts)`,
    type: failure.type,
    nonRetryable: true,
    details: failure.details ? [...failure.details] : undefined,
  });
}

/** Runs a Finan call, its errors mapped: every Finan activity goes through here. */
export async function mapFinanErrors<T>(call: () => Promise<T>, map: (failure: unknown) => unknown = (f) => f): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw map(toActivityFailure(err));
  }
}
