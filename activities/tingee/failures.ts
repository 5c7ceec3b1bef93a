/**
 * The one mapping from Tingee's errors (the provider's classes) to Temporal failures of the taxonomy in
 * `workflows/common/failures.ts`. Whether a failure is retried is the taxonomy's word, not each call's.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { TingeeError, TingeeRateLimitedError } from '../../providers/tingee/errors';
import { NON_RETRYABLE_TINGEE_FAILURES, TingeeFailureType } from '../../workflows/common/failures';

const TYPE_BY_ERROR: Record<string, string> = {
  TingeeRequestValidationError: TingeeFailureType.Validation,
  TingeeTimestampFormatError: TingeeFailureType.Unauthorized,
  TingeeSignatureError: TingeeFailureType.Unauthorized,
  TingeeRequestExpiredError: TingeeFailureType.RequestExpired,
  TingeeRefusedError: TingeeFailureType.Unprocessable,
  TingeeRateLimitedError: TingeeFailureType.RateLimited,
  TingeeServerError: TingeeFailureType.Unavailable,
  TingeeNetworkError: TingeeFailureType.Network,
  TingeeTimeoutError: TingeeFailureType.Network,
  TingeeInvalidResponseError: TingeeFailureType.InvalidResponse,
};

/** Details carry status, Tingee's code and the request id, never a secret (errors hold none). */
export function toTingeeActivityFailure(err: unknown): unknown {
  if (!(err instanceof TingeeError) || err.name === 'TingeeAbortedError') return err;
  const type = TYPE_BY_ERROR[err.name] ?? TingeeFailureType.Unavailable;
  return ApplicationFailure.create({
    message: err.message,
    type,
    nonRetryable: NON_RETRYABLE_TINGEE_FAILURES.includes(type),
    details: [err.toJSON()],
    nextRetryDelay: err instanceof TingeeRateLimitedError ? err.retryAfterMs : undefined,
  });
}

/** Runs a Tingee call, its errors mapped: every Tingee activity goes through here. */
export async function mapTingeeErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toTingeeActivityFailure(err);
  }
}
