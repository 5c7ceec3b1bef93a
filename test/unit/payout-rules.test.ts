import { cancelProblem, last4, otpSubmissionProblem, otpVerificationOutcome, payoutDetails } from '../../workflows/payout-rules';

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
  it.each(['processing', 'success', 'failed', 'cancelled', 'expired', 'rejected', 'needs_attention'] as const)('refuses an OTP when the payout is %s', (status) => {
    expect(otpSubmissionProblem({ status }, '123456')).toBe(`the payout is ${status}, not waiting for an OTP`);
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
});

describe('after Finan answered an OTP', () => {
  it('a right code moves the payout to processing with its tries unchanged', () => {
    expect(otpVerificationOutcome(true, { status: 'processing', remainingTry: 3 })).toEqual({
      outcome: { accepted: true, status: 'processing', remainingTry: 3 },
      failure: null,
    });
  });
  it('a wrong code leaves the payout waiting with one try fewer', () => {
    expect(otpVerificationOutcome(false, { status: 'waiting_confirm', remainingTry: 2 })).toEqual({
      outcome: { accepted: false, status: 'waiting_confirm', remainingTry: 2 },
      failure: null,
    });
  });
  it('the last wrong code fails the payout, and says why', () => {
    expect(otpVerificationOutcome(false, { status: 'failed', remainingTry: 0 })).toEqual({
      outcome: { accepted: false, status: 'failed', remainingTry: 0 },
      failure: { type: 'OtpAttemptsExhausted', message: 'Finan refused the OTP and no tries are left' },
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
  it('gives the reason of an ending without money', () => {
    expect(payoutDetails({ ...base, status: 'expired', failure: { type: 'OtpTimeout', message: 'No OTP was accepted within 600 seconds' } })).toBe(
      'expired: OtpTimeout: No OTP was accepted within 600 seconds',
    );
  });
});
