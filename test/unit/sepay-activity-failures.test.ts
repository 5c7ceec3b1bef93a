/** SePay's errors become Temporal failures of the taxonomy in one place: type, retryability, Retry-After, no token. */
import { ApplicationFailure } from '@temporalio/common';
import { toSepayActivityFailure } from '../../activities/sepay/failures';
import {
  SepayAbortedError,
  SepayBadRequestError,
  SepayForbiddenError,
  SepayInvalidClientError,
  SepayInvalidGrantError,
  SepayInvalidResponseError,
  SepayNetworkError,
  SepayRateLimitedError,
  SepayRejectedError,
  SepayRequestValidationError,
  SepayServerError,
  SepayTimeoutError,
  SepayUnauthorizedError,
} from '../../providers/sepay/errors';
import { NON_RETRYABLE_SEPAY_FAILURES } from '../../workflows/common/failures';

const http = (httpStatus: number) => ({ httpStatus, requestId: 'req-7', providerMessage: 'Không đủ quyền truy cập' });

it.each([
  [new SepayRequestValidationError('paymentCodeFormats.0.prefix', 'must be 2 to 3 letters'), 'SepayValidation', true],
  [new SepayBadRequestError(http(400)), 'SepayValidation', true],
  [new SepayUnauthorizedError(http(401)), 'SepayUnauthorized', true],
  [new SepayForbiddenError(http(403)), 'SepayForbidden', true],
  [new SepayRejectedError(http(200)), 'SepayUnprocessable', true],
  [new SepayInvalidGrantError({ ...http(400), providerCode: 'invalid_grant' }), 'SepayConsentNeeded', true],
  [new SepayInvalidClientError({ ...http(401), providerCode: 'invalid_client' }), 'SepayInvalidClient', true],
  [new SepayRateLimitedError(http(429), 1000), 'SepayRateLimited', false],
  [new SepayServerError(http(503)), 'SepayUnavailable', false],
  [new SepayInvalidResponseError({ ...http(200), reason: 'not JSON' }), 'SepayInvalidResponse', false],
  [new SepayNetworkError('POST /oauth/token failed (ECONNRESET)', new Error('reset')), 'SepayNetwork', false],
  [new SepayTimeoutError('GET /api/v1/company timed out'), 'SepayNetwork', false],
])('%s → %s (non-retryable: %s)', (error, type, nonRetryable) => {
  const failure = toSepayActivityFailure(error) as ApplicationFailure;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.type).toBe(type);
  expect(failure.nonRetryable).toBe(nonRetryable);
  expect(NON_RETRYABLE_SEPAY_FAILURES.includes(type)).toBe(nonRetryable);
  expect(failure.details?.[0]).toMatchObject({ httpStatus: error.httpStatus, requestId: error.requestId });
});

it("a 429 is retried after exactly SePay's Retry-After; others by the retry policy", () => {
  expect((toSepayActivityFailure(new SepayRateLimitedError(http(429), 2000)) as ApplicationFailure).nextRetryDelay).toBe(2000);
  expect((toSepayActivityFailure(new SepayServerError(http(503))) as ApplicationFailure).nextRetryDelay).toBeUndefined();
});

it('a cancellation and foreign errors pass through untouched', () => {
  const aborted = new SepayAbortedError('cancelled');
  expect(toSepayActivityFailure(aborted)).toBe(aborted);
  const bug = new TypeError('bug');
  expect(toSepayActivityFailure(bug)).toBe(bug);
});
