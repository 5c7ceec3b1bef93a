/**
 * Verifying an OTP when an answer can be lost: every verification spends one of Finan's tries (the page: created with
 * 3, a right code answers `processing, remaining_try: 2`), so a retried activity must learn from Finan what its
 * earlier attempt did instead of sending the code again. A try spent twice is a try the operator never had.
 */
import { ApplicationFailureCategory } from '@temporalio/common';
import { createFinanPayoutActivities } from '../../activities/finan/payouts';
import type { VerifyOtpActivityInput } from '../../activities/finan/payouts';
import { FinanServerError } from '../../providers/finan/errors';
import { activityHarness, FakeFinanPayouts, inAttempt } from './fake-finan-payouts';

const RIGHT = '123456';
const WRONG = '654321';

function waitingPayout(remaining_try = 3) {
  const finan = new FakeFinanPayouts();
  const payout = finan.add({ status: 'waiting_confirm', created_at: '2024-01-20T14:00:00Z', remaining_try });
  return { finan, payoutId: payout.id, verify: (input: VerifyOtpActivityInput) => createFinanPayoutActivities({ finan: finan.client() }).verifyPayoutOtp(input) };
}

describe('a first OTP attempt', () => {
  it("sends the code straight away; a right code answers the page's processing, remaining_try 2", async () => {
    const { finan, payoutId, verify } = waitingPayout();
    const result = await inAttempt(1, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: true, payout: { payoutId, status: 'processing', remainingTry: 2 } });
    expect(finan.calls).toEqual(['verify']);
  });

  it("a wrong code (422 Invalid OTP code) is refused, and Finan's read tells the tries left", async () => {
    const { finan, payoutId, verify } = waitingPayout();
    const result = await inAttempt(1, () => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: false, payout: { payoutId, status: 'waiting_confirm', remainingTry: 2 } });
    expect(finan.calls).toEqual(['verify', 'get']);
  });

  it('the last wrong code leaves the payout failed with no tries', async () => {
    const { payoutId, verify } = waitingPayout(1);
    const result = await inAttempt(1, () => verify({ payoutId, code: WRONG, remainingTryBefore: 1 }));
    expect(result).toEqual({ accepted: false, payout: { payoutId, status: 'failed', remainingTry: 0 } });
  });

  it('Finan down (5xx) is a retryable failure: the retry will find out what happened', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    finan.failNext = { call: 'verify', error: new FinanServerError({ httpStatus: 503, providerCode: 104000, requestId: 'abc123' }) };
    await expect(inAttempt(1, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }))).rejects.toMatchObject({ type: 'FinanUnavailable', nonRetryable: false });
    expect(finan.triesSpent(payoutId)).toBe(0);
  });
});

describe('a retried OTP attempt after the answer was lost', () => {
  it('a right code Finan took is accepted from the read, not sent again', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    finan.loseAnswerOf = 'verify';
    await expect(inAttempt(1, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }))).rejects.toMatchObject({ type: 'FinanNetwork' });
    const result = await inAttempt(2, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: true, payout: { payoutId, status: 'processing', remainingTry: 2 } });
    expect(finan.calls).toEqual(['verify', 'get']);
    expect(finan.triesSpent(payoutId)).toBe(1);
  });

  it('a wrong code Finan counted is refused from the read: one try spent, not two', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    finan.loseAnswerOf = 'verify';
    await expect(inAttempt(1, () => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }))).rejects.toMatchObject({ type: 'FinanNetwork' });
    const result = await inAttempt(2, () => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: false, payout: { payoutId, status: 'waiting_confirm', remainingTry: 2 } });
    expect(finan.triesSpent(payoutId)).toBe(1);
    expect(finan.calls).toEqual(['verify', 'get']);
  });

  it('a last wrong code Finan counted is refused from the read (the payout failed)', async () => {
    const { finan, payoutId, verify } = waitingPayout(1);
    finan.loseAnswerOf = 'verify';
    await expect(inAttempt(1, () => verify({ payoutId, code: WRONG, remainingTryBefore: 1 }))).rejects.toMatchObject({ type: 'FinanNetwork' });
    const result = await inAttempt(2, () => verify({ payoutId, code: WRONG, remainingTryBefore: 1 }));
    expect(result).toEqual({ accepted: false, payout: { payoutId, status: 'failed', remainingTry: 0 } });
    expect(finan.calls).toEqual(['verify', 'get']);
  });

  it('a code that never reached Finan (no try spent) is sent, once', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    finan.failNext = { call: 'verify', error: new FinanServerError({ httpStatus: 502, requestId: 'abc123' }) };
    await expect(inAttempt(1, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }))).rejects.toMatchObject({ type: 'FinanUnavailable' });
    const result = await inAttempt(2, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: true, payout: { payoutId, status: 'processing', remainingTry: 2 } });
    expect(finan.calls).toEqual(['verify', 'get', 'verify']);
    expect(finan.triesSpent(payoutId)).toBe(1);
  });

  it('a wrong code that never reached Finan is sent and refused, leaving two tries', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    const result = await inAttempt(3, () => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }));
    expect(result).toEqual({ accepted: false, payout: { payoutId, status: 'waiting_confirm', remainingTry: 2 } });
    expect(finan.calls).toEqual(['get', 'verify', 'get']);
  });

  it('a read that fails is a retryable failure, and nothing is sent', async () => {
    const { finan, payoutId, verify } = waitingPayout();
    finan.failNext = { call: 'get', error: new FinanServerError({ httpStatus: 503, requestId: 'abc123' }) };
    await expect(inAttempt(2, () => verify({ payoutId, code: RIGHT, remainingTryBefore: 3 }))).rejects.toMatchObject({ type: 'FinanUnavailable', nonRetryable: false });
    expect(finan.calls).toEqual(['get']);
  });
});

describe('waiting for a payout to settle', () => {
  it.each(['processing', 'waiting_confirm'] as const)('%s is not settled: a retryable, benign PayoutStillProcessing carrying the payout', async (status) => {
    const finan = new FakeFinanPayouts();
    const payout = finan.add({ status, created_at: '2024-01-20T14:00:00Z', remaining_try: 2 });
    const failure = await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).awaitPayoutSettled(payout.id)).catch((err: unknown) => err);
    expect(failure).toMatchObject({
      type: 'PayoutStillProcessing',
      nonRetryable: false,
      category: ApplicationFailureCategory.BENIGN,
      details: [{ payoutId: payout.id, status, remainingTry: 2 }],
      message: `Payout ${payout.id} is still ${status}`,
    });
  });

  it.each(['success', 'failed'] as const)('%s is settled: the payout is answered', async (status) => {
    const finan = new FakeFinanPayouts();
    const payout = finan.add({ status, created_at: '2024-01-20T14:00:00Z', remaining_try: 2 });
    expect(await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).awaitPayoutSettled(payout.id))).toEqual({ payoutId: payout.id, status, remainingTry: 2 });
  });

  it('Finan down is a retryable FinanUnavailable', async () => {
    const finan = new FakeFinanPayouts();
    const payout = finan.add({ status: 'processing', created_at: '2024-01-20T14:00:00Z', remaining_try: 2 });
    finan.failNext = { call: 'get', error: new FinanServerError({ httpStatus: 503, requestId: 'abc123' }) };
    await expect(inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).awaitPayoutSettled(payout.id))).rejects.toMatchObject({ type: 'FinanUnavailable' });
  });
});

describe('reading one payout', () => {
  it("answers Finan's view in our words", async () => {
    const finan = new FakeFinanPayouts();
    const payout = finan.add({ status: 'processing', created_at: '2024-01-20T14:00:00Z', remaining_try: 2 });
    expect(await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).getPayout(payout.id))).toEqual({ payoutId: payout.id, status: 'processing', remainingTry: 2 });
  });
  it('maps a failure', async () => {
    const finan = new FakeFinanPayouts();
    finan.failNext = { call: 'get', error: new FinanServerError({ httpStatus: 503, requestId: 'abc123' }) };
    await expect(inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).getPayout('payout-x'))).rejects.toMatchObject({ type: 'FinanUnavailable' });
  });
});

describe('what an operator is told, and what a cancellation stops', () => {
  it("a refused OTP is logged with the payout and Finan's request id (never the code)", async () => {
    const { payoutId, verify } = waitingPayout();
    const { env, logs } = activityHarness(1);
    await env.run(() => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }));
    const refusal = logs.find((entry) => entry.meta?.payoutId === payoutId);
    expect(refusal).toMatchObject({ level: 'INFO', message: expect.stringMatching(/refused/), meta: { payoutId, requestId: 'req-422' } });
    expect(JSON.stringify(logs.map(({ message, meta }) => ({ message, meta })), (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(WRONG);
  });

  it("every Finan call of a verification carries the activity's cancellation signal", async () => {
    const { finan, payoutId, verify } = waitingPayout();
    const { env } = activityHarness(2);
    await env.run(() => verify({ payoutId, code: WRONG, remainingTryBefore: 3 }));
    await env.run(() => verify({ payoutId, code: RIGHT, remainingTryBefore: 2 }));
    const settled = createFinanPayoutActivities({ finan: finan.client() });
    await env.run(() => settled.awaitPayoutSettled(payoutId)).catch(() => undefined);
    expect(finan.calls).toEqual(['get', 'verify', 'get', 'get', 'verify', 'get']);
    expect(finan.signals).toEqual(finan.calls.map(() => env.context.cancellationSignal));
  });
});
