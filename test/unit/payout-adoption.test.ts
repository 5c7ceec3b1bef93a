/**
 * Adopting a payout by reference: Finan has no idempotency key, so a payout an earlier attempt made (its answer lost)
 * must be found by `reference_id` and adopted, never made a second time; among several, the one that went furthest.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createFinanPayoutActivities, mostAdvanced } from '../../activities/finan/payouts';
import type { CreatePayoutActivityInput } from '../../activities/finan/payouts';
import { FinanForbiddenError } from '../../providers/finan/errors';
import type { Payout } from '../../providers/finan/schemas';
import { activityHarness, FakeFinanPayouts, inAttempt } from './fake-finan-payouts';

type Listed = Pick<Payout, 'status' | 'created_at'> & { id: string };
const at = (id: string, status: Payout['status'], created_at: string): Listed => ({ id, status, created_at });

describe('the payout adopted among several with one reference', () => {
  // A transfer done or under way has moved money or will: adopting another payout could pay a second time.
  it.each([
    ['a settled payout over one being transferred', at('done', 'success', '2024-01-20T14:05:00Z'), at('moving', 'processing', '2024-01-20T14:00:00Z')],
    ['a transfer under way over one waiting for its OTP', at('moving', 'processing', '2024-01-20T14:05:00Z'), at('waiting', 'waiting_confirm', '2024-01-20T14:00:00Z')],
    ['one waiting for its OTP over a failed one', at('waiting', 'waiting_confirm', '2024-01-20T14:05:00Z'), at('dead', 'failed', '2024-01-20T14:00:00Z')],
    ['a settled payout over a failed one', at('done', 'success', '2024-01-20T14:05:00Z'), at('dead', 'failed', '2024-01-20T14:00:00Z')],
  ])('%s, whichever is older and whichever Finan lists first', (_case, further, behind) => {
    // The one that went further is the newer here, so "oldest first" alone would pick the wrong one.
    expect(mostAdvanced([further, behind])?.id).toBe(further.id);
    expect(mostAdvanced([behind, further])?.id).toBe(further.id);
  });

  it('ranks success > processing > waiting_confirm > failed over a whole list', () => {
    const listed = [
      at('dead', 'failed', '2024-01-20T14:00:00Z'),
      at('waiting', 'waiting_confirm', '2024-01-20T14:01:00Z'),
      at('moving', 'processing', '2024-01-20T14:02:00Z'),
      at('done', 'success', '2024-01-20T14:03:00Z'),
    ];
    expect(mostAdvanced(listed)?.id).toBe('done');
    expect(mostAdvanced(listed.filter((p) => p.id !== 'done'))?.id).toBe('moving');
    expect(mostAdvanced(listed.filter((p) => p.id !== 'done' && p.id !== 'moving'))?.id).toBe('waiting');
    expect(mostAdvanced([...listed].reverse().filter((p) => p.id !== 'done'))?.id).toBe('moving');
  });

  it.each(['success', 'processing', 'waiting_confirm', 'failed'] as const)('among equals (%s) the oldest: the first one made', (status) => {
    const older = at('first', status, '2024-01-20T14:00:00Z');
    const newer = at('second', status, '2024-01-20T14:00:01Z');
    expect(mostAdvanced([newer, older])?.id).toBe('first');
    expect(mostAdvanced([older, newer])?.id).toBe('first');
  });

  it('a lone failed payout is still the one adopted (the reference has been used)', () => {
    expect(mostAdvanced([at('dead', 'failed', '2024-01-20T14:00:00Z')])?.id).toBe('dead');
  });

  it('nothing to adopt when Finan lists none', () => {
    expect(mostAdvanced([])).toBeUndefined();
  });

  it("leaves Finan's list as it was", () => {
    const listed = [at('dead', 'failed', '2024-01-20T14:00:00Z'), at('done', 'success', '2024-01-20T14:01:00Z')];
    mostAdvanced(listed);
    expect(listed.map((p) => p.id)).toEqual(['dead', 'done']);
  });
});

// The page's own example request.
const input: CreatePayoutActivityInput = {
  referenceId: 'PAYOUT-001',
  accountId: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6000000,
  beneficiaryAccountName: 'NGUYEN VAN A',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  currency: 'VND',
  description: 'thanh toan don hang',
};

describe('creating a payout, once per reference', () => {
  it("creates it when Finan has none with the reference, with the page's fields, and answers waiting_confirm with 3 tries", async () => {
    const finan = new FakeFinanPayouts();
    const payout = await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).createPayout(input));
    expect(finan.calls).toEqual(['list', 'create']);
    expect(finan.createdBodies).toEqual([
      {
        account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
        amount: 6000000,
        beneficiary_account_name: 'NGUYEN VAN A',
        beneficiary_account_number: '1234567890',
        beneficiary_bank_id: '161',
        currency: 'VND',
        reference_id: 'PAYOUT-001',
        description: 'thanh toan don hang',
      },
    ]);
    expect(payout).toEqual({ payoutId: finan.payouts[0]!.id, status: 'waiting_confirm', remainingTry: 3 });
  });

  it('a retry after the create answer was lost adopts the payout Finan made: one payout for one reference', async () => {
    const finan = new FakeFinanPayouts();
    const activities = createFinanPayoutActivities({ finan: finan.client() });
    finan.loseAnswerOf = 'create';
    await expect(inAttempt(1, () => activities.createPayout(input))).rejects.toMatchObject({ type: 'FinanNetwork', nonRetryable: false });
    const adopted = await inAttempt(2, () => activities.createPayout(input));
    expect(finan.payouts).toHaveLength(1);
    expect(adopted).toEqual({ payoutId: finan.payouts[0]!.id, status: 'waiting_confirm', remainingTry: 3 });
  });

  it('a new run adopts the transfer under way, not the failed payout nor a fresh one', async () => {
    const finan = new FakeFinanPayouts();
    finan.add({ status: 'failed', created_at: '2024-01-20T14:00:00Z', remaining_try: 0 });
    const moving = finan.add({ status: 'processing', created_at: '2024-01-20T14:01:00Z', remaining_try: 2 });
    finan.add({ status: 'processing', created_at: '2024-01-20T14:02:00Z', remaining_try: 2, reference_id: 'PAYOUT-002' });
    const adopted = await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).createPayout(input));
    expect(finan.calls).toEqual(['list']);
    expect(adopted).toEqual({ payoutId: moving.id, status: 'processing', remainingTry: 2 });
  });

  it("a refusal of our IP by Finan is a non-retryable FinanForbidden, and nothing is created", async () => {
    const finan = new FakeFinanPayouts();
    finan.failNext = { call: 'list', error: new FinanForbiddenError({ httpStatus: 403, providerCode: 104000, requestId: 'abc123', providerMessage: 'IP address not whitelisted' }) };
    const failure = await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).createPayout(input)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'FinanForbidden', nonRetryable: true });
    expect(finan.calls).toEqual(['list']);
  });
});

describe('finding the payout of a reference (a cancel or a deadline reads Finan first)', () => {
  it('answers the most advanced payout with the reference', async () => {
    const finan = new FakeFinanPayouts();
    finan.add({ status: 'waiting_confirm', created_at: '2024-01-20T14:00:00Z' });
    const done = finan.add({ status: 'success', created_at: '2024-01-20T14:01:00Z', remaining_try: 2 });
    const found = await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).findPayoutByReference('PAYOUT-001'));
    expect(found).toEqual({ payoutId: done.id, status: 'success', remainingTry: 2 });
  });

  it('answers null when Finan has none', async () => {
    const finan = new FakeFinanPayouts();
    finan.add({ status: 'success', created_at: '2024-01-20T14:01:00Z', reference_id: 'PAYOUT-002' });
    expect(await inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).findPayoutByReference('PAYOUT-001'))).toBeNull();
  });

  it('maps a refusal to the failure taxonomy', async () => {
    const finan = new FakeFinanPayouts();
    finan.failNext = { call: 'list', error: new FinanForbiddenError({ httpStatus: 403, providerCode: 104000, requestId: 'abc123', providerMessage: 'IP address not whitelisted' }) };
    await expect(inAttempt(1, () => createFinanPayoutActivities({ finan: finan.client() }).findPayoutByReference('PAYOUT-001'))).rejects.toMatchObject({ type: 'FinanForbidden' });
  });
});

describe('what an operator is told, and what a cancellation stops', () => {
  it('an adoption is logged with the payout adopted and its state, a creation with the new id and Finan\'s request id', async () => {
    const finan = new FakeFinanPayouts();
    const earlier = finan.add({ status: 'waiting_confirm', created_at: '2024-01-20T14:00:00Z' });
    const adopting = activityHarness(2);
    await adopting.env.run(() => createFinanPayoutActivities({ finan: finan.client() }).createPayout(input));
    expect(adopting.logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('adopted'), meta: expect.objectContaining({ payoutId: earlier.id, status: 'waiting_confirm', attempt: 2 }) }));

    const fresh = new FakeFinanPayouts();
    const creating = activityHarness(1);
    await creating.env.run(() => createFinanPayoutActivities({ finan: fresh.client() }).createPayout(input));
    expect(creating.logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('created'), meta: expect.objectContaining({ payoutId: fresh.payouts[0]!.id, requestId: 'req-2' }) }));
  });

  it("every Finan call carries the activity's cancellation signal, so a cancelled activity stops waiting for Finan", async () => {
    const finan = new FakeFinanPayouts();
    const { env } = activityHarness(1);
    const activities = createFinanPayoutActivities({ finan: finan.client() });
    await env.run(() => activities.createPayout(input));
    await env.run(() => activities.createPayout(input));
    await env.run(() => activities.findPayoutByReference('PAYOUT-001'));
    await env.run(() => activities.getPayout(finan.payouts[0]!.id));
    expect(finan.calls).toEqual(['list', 'create', 'list', 'list', 'get']);
    expect(finan.signals).toEqual(finan.calls.map(() => env.context.cancellationSignal));
  });
});
