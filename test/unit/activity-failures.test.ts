import { ApplicationFailure } from '@temporalio/common';
import { NON_RETRYABLE_FINAN_FAILURES } from '../../workflows/common/failures';
import { toActivityFailure } from '../../activities/finan/failures';
import {
  FinanAbortedError,
  FinanBadRequestError,
  FinanConflictError,
  FinanForbiddenError,
  FinanNetworkError,
  FinanNotFoundError,
  FinanRateLimitedError,
  FinanRequestValidationError,
  FinanServerError,
  FinanTimeoutError,
  FinanUnauthorizedError,
  FinanUnprocessableError,
} from '../../providers/finan/errors';

const http = (httpStatus: number) => ({ httpStatus, providerCode: 104000, requestId: 'req-42', providerMessage: 'Yêu cầu không hợp lệ' });

describe('provider errors become Temporal failures in one place', () => {
  it.each([
    [new FinanBadRequestError(http(400)), 'FinanValidation', true],
    [new FinanRequestValidationError('description', 'must be at most 30 characters'), 'FinanValidation', true],
    [new FinanUnauthorizedError(http(401)), 'FinanUnauthorized', true],
    [new FinanForbiddenError({ ...http(403), providerMessage: 'IP address not whitelisted' }), 'FinanForbidden', true],
    [new FinanNotFoundError(http(404)), 'FinanNotFound', true],
    [new FinanUnprocessableError(http(422)), 'FinanUnprocessable', true],
    [new FinanConflictError({ ...http(409), providerMessage: 'Customer code already exists' }), 'FinanConflict', true],
    [new FinanRateLimitedError({ ...http(429), retryAfterMs: 1500 }), 'FinanRateLimited', false],
    [new FinanServerError(http(503)), 'FinanUnavailable', false],
    [new FinanNetworkError('POST /api/v1/payouts', 'ECONNRESET'), 'FinanNetwork', false],
    [new FinanTimeoutError('GET /api/v1/payouts', 15000), 'FinanNetwork', false],
  ])('%s → %s (non-retryable: %s)', (error, type, nonRetryable) => {
    const failure = toActivityFailure(error) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    expect(NON_RETRYABLE_FINAN_FAILURES.includes(type)).toBe(nonRetryable);
    expect(failure.details?.[0]).toMatchObject({ httpStatus: error.httpStatus, requestId: error.requestId });
  });

  it("keeps Finan's status, code and request id for the operator", () => {
    const failure = toActivityFailure(new FinanForbiddenError({ ...http(403), providerMessage: 'IP address not whitelisted' })) as ApplicationFailure;
    expect(failure.details?.[0]).toMatchObject({ httpStatus: 403, providerCode: 104000, requestId: 'req-42', providerMessage: 'IP address not whitelisted' });
    expect(failure.message).toContain('IP address not whitelisted');
  });

  it('waits as long as Retry-After asks on 429', () => {
    expect((toActivityFailure(new FinanRateLimitedError({ ...http(429), retryAfterMs: 1500 })) as ApplicationFailure).nextRetryDelay).toBe(1500);
  });

  it('leaves a cancellation and foreign errors untouched', () => {
    const aborted = new FinanAbortedError('GET /api/v1/payouts/1');
    expect(toActivityFailure(aborted)).toBe(aborted);
    const other = new TypeError('boom');
    expect(toActivityFailure(other)).toBe(other);
  });
});
