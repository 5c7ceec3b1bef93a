import { cancelProblem, isFinalPayoutStatus, last4, otpAcceptedFromRead, otpSubmissionProblem, otpVerificationOutcome, payoutDetails } from '../../workflows/payout/rules';
import { creationFailureStatus } from '../../workflows/common/failures';

describe('OTP submissions', () => {
  it('accepts exactly six digits while the payout waits for its OTP, leading zero included', () => {
    expect(otpSubmissionProblem({ status: 'waiting_confirm' }, '012345')).toBeNull();
  });
  it.each([['12345'], ['1234567'], ['12345a'], [' 123456'], [123456], [undefined]])('refuses %p as a code', (code) => {
    expect(otpSubmissionProblem({ status: 'waiting_confirm' }, code)).toBe('code must be a string of exactly 6 digits');
  });
  it('refuses an OTP while the payout is still being created', () => {
    expect(otpSubmissionProblem({ status: 'creating' }, '123456')).toMatch(/still being created/);
  });
  it.each(['processing', 'success', 'failed', 'cancelled', 'expired', 'rejected', 'unavailable', 'needs_attention'] as const)('refuses an OTP when the payout is %s', (status) => {
    expect(otpSubmissionProblem({ status }, '123456')).toBe(`the payout is ${status}, not waiting for an OTP`);
  });
  it('refuses a second OTP while one is being verified, instead of queueing it', () => {
    expect(otpSubmissionProblem({ status: 'waiting_confirm' }, '123456', 'verifying')).toMatch(/an OTP is being verified/);
  });
  it('refuses an OTP while a lost answer is being confirmed with Finan', () => {
    expect(otpSubmissionProblem({ status: 'confirming' }, '123456')).toMatch(/being confirmed with Finan/);
  });
});

describe('cancelling', () => {
  it('is allowed while creating or waiting for the OTP', () => {
    expect(cancelProblem({ status: 'creating' }, false)).toBeNull();
    expect(cancelProblem({ status: 'waiting_confirm' }, false)).toBeNull();
  });
  it('is refused while an OTP is being verified: money may be about to move', () => {
    expect(cancelProblem({ status: 'waiting_confirm' }, true)).toMatch(/OTP is being verified/);
  });
  it.each(['processing', 'success', 'failed', 'expired'] as const)('is refused once the payout is %s', (status) => {
    expect(cancelProblem({ status }, false)).toMatch(new RegExp(`the payout is ${status}`));
  });
  it('is refused while the outcome of an OTP is being confirmed: money may be moving', () => {
    expect(cancelProblem({ status: 'confirming' }, true)).toMatch(/being confirmed/);
    expect(cancelProblem({ status: 'confirming' }, false)).toMatch(/being confirmed/);
  });
});

describe('reading Finan after an OTP answer was lost', () => {
  // From the page: each verification spends a try; a right code moves the payout to processing, a wrong one leaves
  // it waiting with one try fewer, the last wrong one fails it.
  it.each([
    ['the code was taken: Finan moved on to processing', 3, { status: 'processing', remainingTry: 2 }, true],
    ['the code was taken and the transfer already settled', 3, { status: 'success', remainingTry: 2 }, true],
    ['a try was spent and the payout still waits: the code was wrong', 3, { status: 'waiting_confirm', remainingTry: 2 }, false],
    ['the last try was spent on a wrong code', 1, { status: 'failed', remainingTry: 0 }, false],
    ['no try was spent: the code never reached Finan', 3, { status: 'waiting_confirm', remainingTry: 3 }, null],
    // A failed payout takes no OTP, whatever its tries: the code is not sent again.
    ['the payout failed without a try being spent (the transfer itself failed)', 3, { status: 'failed', remainingTry: 3 }, false],
  ] as const)('%s', (_case, before, payout, accepted) => {
    expect(otpAcceptedFromRead(before, payout)).toBe(accepted);
  });
});

describe('a creation that did not happen', () => {
  it.each(['FinanValidation', 'FinanNotFound', 'FinanUnprocessable'])('is final when Finan refused the payout itself (%s)', (type) => {
    expect(creationFailureStatus(type)).toBe('rejected');
  });
  it.each(['FinanUnauthorized', 'FinanForbidden', 'FinanUnavailable', 'FinanNetwork', 'FinanRateLimited', 'FinanInvalidResponse', 'Timeout'])(
    'leaves the reference usable when Finan refused us or could not be reached (%s)',
    (type) => {
      expect(creationFailureStatus(type)).toBe('unavailable');
    },
  );
});

describe('after Finan answered an OTP', () => {
  it('gives no failure reason while the payout is still alive', () => {
    expect(otpVerificationOutcome(true, { status: 'processing', remainingTry: 2 }).failure).toBeNull();
    expect(otpVerificationOutcome(false, { status: 'waiting_confirm', remainingTry: 1 }).failure).toBeNull();
  });
  it("tells the submitter Finan's answer as it is", () => {
    expect(otpVerificationOutcome(true, { status: 'processing', remainingTry: 2 }).outcome).toEqual({ accepted: true, status: 'processing', remainingTry: 2 });
    expect(otpVerificationOutcome(false, { status: 'waiting_confirm', remainingTry: 1 }).outcome).toEqual({ accepted: false, status: 'waiting_confirm', remainingTry: 1 });
  });
  it('says why when the last wrong code failed the payout', () => {
    expect(otpVerificationOutcome(false, { status: 'failed', remainingTry: 0 }).failure).toEqual({
      type: 'OtpAttemptsExhausted',
      message: 'Finan refused the OTP and no tries are left',
    });
  });
});

test('only the last four digits of a beneficiary account are kept', () => {
  expect(last4('0123456789')).toBe('6789');
});

describe("the UI's one-line details", () => {
  const base = { payoutId: 'p-1', remainingTry: 2, otpDeadline: '2026-11-22T08:00:00.000Z', amount: 6_000_000, currency: 'VND', failure: null };
  it('says what the payout waits for', () => {
    expect(payoutDetails({ ...base, status: 'waiting_confirm' })).toBe("Waiting for the bank's OTP until 2026-11-22T08:00:00.000Z (2 tries left); Finan payout p-1");
    expect(payoutDetails({ ...base, status: 'success' })).toBe('Paid 6,000,000 VND; Finan payout p-1');
  });
  it('says when a lost OTP answer is being confirmed', () => {
    expect(payoutDetails({ ...base, status: 'confirming' })).toMatch(/answer to an OTP was lost; reading payout p-1 from Finan/);
  });
  it('gives the reason of an ending without money', () => {
    expect(payoutDetails({ ...base, status: 'expired', failure: { type: 'OtpTimeout', message: 'No OTP was accepted within 600 seconds' } })).toBe(
      'expired: OtpTimeout: No OTP was accepted within 600 seconds',
    );
  });
});

describe('a payout that has ended', () => {
  it.each(['success', 'failed', 'rejected', 'unavailable', 'cancelled', 'expired', 'needs_attention'] as const)('%s is final', (status) => {
    expect(isFinalPayoutStatus(status)).toBe(true);
  });
  // Money may still move, or an OTP may still be taken: none of these may close the flow.
  it.each(['creating', 'waiting_confirm', 'confirming', 'processing'] as const)('%s is not', (status) => {
    expect(isFinalPayoutStatus(status)).toBe(false);
  });
});

describe("the UI's one-line details, before Finan answered", () => {
  const none = { payoutId: null, remainingTry: null, otpDeadline: null, amount: 6_000_000, currency: 'VND', failure: null };
  it('says what is being created', () => {
    expect(payoutDetails({ ...none, status: 'creating' })).toBe('Creating the payout of 6,000,000 VND at Finan');
  });
  it('marks what is not known yet instead of printing null', () => {
    expect(payoutDetails({ ...none, payoutId: 'p-1', status: 'waiting_confirm' })).toBe("Waiting for the bank's OTP until ? (? tries left); Finan payout p-1");
    expect(payoutDetails({ ...none, status: 'confirming' })).toBe("Finan's answer to an OTP was lost; reading payout (by reference) from Finan until it is known");
  });
  it('says a payout being transferred is polled', () => {
    expect(payoutDetails({ ...none, payoutId: 'p-1', status: 'processing' })).toBe('OTP accepted; polling Finan until payout p-1 settles');
  });
  it('says no money moved when an ending has no recorded reason', () => {
    expect(payoutDetails({ ...none, status: 'cancelled' })).toBe('cancelled: no money moved');
  });
});
