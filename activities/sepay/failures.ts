/** The one mapping from SePay's errors to Temporal failures of the taxonomy (`workflows/common/failures.ts`). */
import { ApplicationFailure } from '@temporalio/activity';
import { SepayError, SepayRateLimitedError } from '../../providers/sepay/errors';
import { NON_RETRYABLE_SEPAY_FAILURES, SepayFailureType } from '../../workflows/common/failures';

const TYPE_BY_ERROR: Record<string, string> = {
  SepayRequestValidationError: SepayFailureType.Validation,
  SepayBadRequestError: SepayFailureType.Validation,
  SepayUnauthorizedError: SepayFailureType.Unauthorized,
  SepayForbiddenError: SepayFailureType.Forbidden,
  SepayRejectedError: SepayFailureType.Unprocessable,
  SepayInvalidGrantError: SepayFailureType.ConsentNeeded,
  SepayInvalidClientError: SepayFailureType.InvalidClient,
  SepayRateLimitedError: SepayFailureType.RateLimited,
  SepayServerError: SepayFailureType.Unavailable,
  SepayNetworkError: SepayFailureType.Network,
  SepayTimeoutError: SepayFailureType.Network,
  SepayInvalidResponseError: SepayFailureType.InvalidResponse,
};

/** Details carry status, SePay's code and request id, never a token; a 429 is retried after its `Retry-After`. */
export function toSepayActivityFailure(err: unknown): unknown {
  if (!(err instanceof SepayError) || err.name === 'SepayAbortedError') return err;
  const type = TYPE_BY_ERROR[err.name] ?? SepayFailureType.Unavailable;
  return ApplicationFailure.create({
    message: err.message,
    type,
    nonRetryable: NON_RETRYABLE_SEPAY_FAILURES.includes(type),
    details: [err.toJSON()],
    nextRetryDelay: err instanceof SepayRateLimitedError ? err.retryAfterMs : undefined,
  });
}

/** Runs a SePay call, its errors mapped: every SePay activity goes through here. */
export async function mapSepayErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toSepayActivityFailure(err);
  }
}
