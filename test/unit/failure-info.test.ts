/** What a flow reports as `failure` when an activity failed: the type an operator can act on, Finan's ids, no guesses. */
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { failureInfo } from '../../workflows/common/failure-info';

const activityFailed = (cause: Error) => new ActivityFailure('activity failed', 'createPayout', '1', RetryState.NON_RETRYABLE_FAILURE, 'worker', cause);

describe('the failure a flow reports', () => {
  it("takes an activity's application failure: its type, message, and Finan's status, code and request id", () => {
    const cause = ApplicationFailure.create({
      message: 'Finan 403 (code 104000, request_id abc123): IP address not whitelisted',
      type: 'FinanForbidden',
      nonRetryable: true,
      details: [{ name: 'FinanForbiddenError', httpStatus: 403, providerCode: 104000, requestId: 'abc123', retryable: false }],
    });
    expect(failureInfo(activityFailed(cause))).toEqual({
      type: 'FinanForbidden',
      message: 'Finan 403 (code 104000, request_id abc123): IP address not whitelisted',
      httpStatus: 403,
      providerCode: 104000,
      requestId: 'abc123',
    });
  });

  it('reads an application failure thrown directly, too', () => {
    const failure = ApplicationFailure.create({ message: 'no tries left', type: 'OtpAttemptsExhausted' });
    expect(failureInfo(failure)).toEqual({ type: 'OtpAttemptsExhausted', message: 'no tries left', httpStatus: undefined, providerCode: undefined, requestId: undefined });
  });

  it('an application failure without a type or details is an Error with its message', () => {
    const failure = new ApplicationFailure('broken', null);
    expect(failureInfo(activityFailed(failure))).toEqual({ type: 'Error', message: 'broken', httpStatus: undefined, providerCode: undefined, requestId: undefined });
  });

  it('an activity that timed out says Finan did not answer in time', () => {
    expect(failureInfo(activityFailed(new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE)))).toEqual({ type: 'Timeout', message: 'Finan did not answer in time' });
  });

  it('anything else is an Error with its message', () => {
    expect(failureInfo(new Error('boom'))).toEqual({ type: 'Error', message: 'boom' });
    expect(failureInfo('boom')).toEqual({ type: 'Error', message: 'boom' });
  });
});
