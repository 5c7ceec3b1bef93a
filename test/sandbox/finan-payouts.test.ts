import { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { eventually, finanClient, PAGE_EXAMPLE_PAYOUT, sandboxControls } from './finan-test-client';
import type { PayoutItem } from './finan-test-client';

const PROCESSING_DELAY_MS = 50;
/** Longer than any test: a payout confirmed under it is still `processing` whenever the test looks. */
const AN_HOUR_MS = 3_600_000;

let sandbox: RunningSandbox;
let finan: ReturnType<typeof finanClient>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, finan: { processingDelayMs: PROCESSING_DELAY_MS } });
  finan = finanClient(sandbox.finanBaseUrl);
  controls = sandboxControls(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => controls.reset());

async function createdId(body: unknown = PAGE_EXAMPLE_PAYOUT): Promise<string> {
  const created = await finan.createPayout(body);
  if (created.status !== 200 || created.body.data === undefined) throw new Error(JSON.stringify(created.body));
  return created.body.data.id;
}

const statusOf = async (id: string): Promise<PayoutItem> => {
  const { body } = await finan.getPayout(id);
  if (body.data === undefined) throw new Error(JSON.stringify(body));
  return body.data;
};

/**
 * Confirms a fresh payout and waits until the bank has settled it. Timers of equal delay run in the order they were
 * set, so once this returns, any settlement the sandbox scheduled earlier with the same delay has run too: the
 * sandbox's own clock stands witness instead of a sleep.
 */
async function settleAWitness(): Promise<string> {
  const witness = await createdId({ ...PAGE_EXAMPLE_PAYOUT, reference_id: 'WITNESS' });
  await finan.verifyOtp(witness, { code: Number(await controls.otp(witness)) });
  await eventually(() => statusOf(witness), (item) => item.status === 'success');
  return witness;
}

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('creating a payout', () => {
  it("answers the page's example with 102001, waiting_confirm and three tries", async () => {
    const { status, body, headers } = await finan.createPayout();
    expect(status).toBe(200);
    expect(body).toEqual({
      message: { content: 'Thực thi API thành công' },
      code: 102001,
      request_id: expect.any(String),
      data: { id: expect.stringMatching(UUID), status: 'waiting_confirm', remaining_try: 3 },
    });
    expect(headers.get('x-request-id')).toBe(body.request_id);
  });

  it('gives every response a fresh request_id', async () => {
    const first = await finan.createPayout();
    const second = await finan.listPayouts();
    expect(first.body.request_id).not.toBe(second.body.request_id);
    expect(first.body.request_id.length).toBeGreaterThan(0);
  });

  it("lists it as in the page's list example", async () => {
    const id = await createdId();
    const { status, body } = await finan.listPayouts();
    expect(status).toBe(200);
    expect(body.code).toBe(102000);
    expect(body.data).toEqual([
      {
        id,
        status: 'waiting_confirm',
        amount: 6000000,
        beneficiary_account_name: 'NGUYEN VAN A',
        beneficiary_account_number: '1234567890',
        beneficiary_bank_id: '161',
        reference_id: 'PAYOUT-001',
        // Not in the page's list example: the sandbox adds them (sandbox/INVENTIONS.md).
        description: 'thanh toan don hang',
        currency: 'VND',
        remaining_try: 3,
        created_at: expect.stringMatching(ISO_SECONDS),
      },
    ]);
  });

  it('shows the same item on GET /payouts/:id, and 404 for an unknown id', async () => {
    const id = await createdId();
    const listed = (await finan.listPayouts()).body.data?.[0];
    expect(await statusOf(id)).toEqual(listed);

    const unknown = await finan.getPayout('660e8400-e29b-41d4-a716-446655440001');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({
      message: { content: 'Yêu cầu không hợp lệ', error: 'Payout not found' },
      code: 104000,
      request_id: expect.any(String),
    });
  });

  it('defaults the currency to VND and the reference to null', async () => {
    const { currency: _currency, reference_id: _reference, ...minimal } = PAGE_EXAMPLE_PAYOUT;
    const item = await statusOf(await createdId(minimal));
    expect(item.currency).toBe('VND');
    expect(item.reference_id).toBeNull();
  });

  it('does not deduplicate reference_id: the same reference twice makes two payouts', async () => {
    const first = await createdId();
    const second = await createdId();
    expect(second).not.toBe(first);
    const listed = (await finan.listPayouts()).body.data ?? [];
    expect(listed.filter((item) => item.reference_id === 'PAYOUT-001').map((item) => item.id).sort()).toEqual(
      [first, second].sort(),
    );
  });

  it('accepts a description of exactly 30 characters', async () => {
    const description = 'thanh toán đơn hàng số 1234567';
    expect([...description]).toHaveLength(30);
    expect((await finan.createPayout({ ...PAGE_EXAMPLE_PAYOUT, description })).status).toBe(200);
  });
});

describe('create validation', () => {
  const expectRejected = async (body: unknown, status: number, error: RegExp | string): Promise<void> => {
    const response = await finan.createPayout(body);
    expect(response.status).toBe(status);
    expect(response.body.code).toBe(104000);
    expect(response.body.message.content).toBe('Yêu cầu không hợp lệ');
    if (typeof error === 'string') expect(response.body.message.error).toBe(error);
    else expect(response.body.message.error).toMatch(error);
    expect((await finan.listPayouts()).body.data).toEqual([]);
  };

  it('refuses a description of 31 characters, naming the field', () =>
    expectRejected({ ...PAGE_EXAMPLE_PAYOUT, description: 'x'.repeat(31) }, 400, 'description must be at most 30 characters'));

  it.each(['account_id', 'amount', 'beneficiary_account_name', 'beneficiary_account_number', 'beneficiary_bank_id', 'description'])(
    'refuses a body without %s, naming it',
    (field) => {
      const body: Record<string, unknown> = { ...PAGE_EXAMPLE_PAYOUT };
      delete body[field];
      return expectRejected(body, 400, `${field} is required`);
    },
  );

  it.each([
    ['amount as a string', { amount: '6000000' }, /^amount must be a positive integer/],
    ['a fractional amount', { amount: 1.5 }, /^amount must be a positive integer/],
    ['a zero amount', { amount: 0 }, /^amount must be a positive integer/],
    ['a numeric bank id', { beneficiary_bank_id: 161 }, /^beneficiary_bank_id must be a string/],
    ['an empty beneficiary name', { beneficiary_account_name: '' }, /^beneficiary_account_name must not be empty/],
    ['a non-uuid account', { account_id: '54957437' }, /^account_id must be a UUID/],
    ['another currency', { currency: 'USD' }, /^currency must be VND/],
  ])('refuses %s', (_name, patch, error) => expectRejected({ ...PAGE_EXAMPLE_PAYOUT, ...patch }, 400, error));

  it('refuses a body that is not a JSON object', async () => {
    await expectRejected('[1,2]', 400, 'request body must be a JSON object');
    await expectRejected('{"amount":', 400, 'request body must be valid JSON');
  });

  it('answers 404 Account not found for an unknown source account', () =>
    expectRejected({ ...PAGE_EXAMPLE_PAYOUT, account_id: '00000000-0000-4000-8000-000000000000' }, 404, 'Account not found'));

  it('answers 422 Insufficient balance above the available balance', () =>
    expectRejected({ ...PAGE_EXAMPLE_PAYOUT, account_id: FINAN_LOW_BALANCE_ACCOUNT_ID, amount: 1_000_001 }, 422, 'Insufficient balance'));
});

describe('OTP verification', () => {
  it("the right OTP answers the page's example: 102000, processing, remaining_try 2; no money moves while processing", async () => {
    // The bank takes an hour here, so "still processing" holds however slow the machine is.
    await controls.settings({ processingDelayMs: AN_HOUR_MS });
    const id = await createdId();
    const otp = await controls.otp(id);
    expect(otp).toMatch(/^\d{6}$/);

    const verified = await finan.verifyOtp(id, { code: Number(otp) });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      message: { content: 'Thực thi API thành công' },
      code: 102000,
      request_id: expect.any(String),
      data: { id, status: 'processing', remaining_try: 2 },
    });
    expect(await statusOf(id)).toMatchObject({ status: 'processing', remaining_try: 2 });
    expect(await controls.ledger()).toEqual([]);
  });

  it('once the bank settles, the payout is success and the money moved exactly once', async () => {
    const id = await createdId();
    const otp = await controls.otp(id);
    await finan.verifyOtp(id, { code: Number(otp) });

    await eventually(() => statusOf(id), (item) => item.status === 'success');
    expect(await controls.ledger()).toEqual([
      { payoutId: id, reference_id: 'PAYOUT-001', amount: 6000000, at: expect.any(String) },
    ]);
    const accounts = await controls.send<{ accounts: Array<{ account_id: string; balance: number }> }>('GET', '/finan/accounts');
    expect(accounts.body.accounts).toContainEqual(expect.objectContaining({ account_id: FINAN_SOURCE_ACCOUNT_ID, balance: 100_000_000_000 - 6_000_000 }));

    const again = await finan.verifyOtp(id, { code: Number(otp) });
    expect(again.status).toBe(422);
    expect(again.body.message.error).toBe('Payout is not waiting for OTP confirmation');
    expect(await controls.ledger()).toHaveLength(1);
  });

  it('compares numerically, so an OTP starting with 0 is accepted as an integer', async () => {
    // About one OTP in ten starts with 0; create until one does.
    let found: { id: string; otp: string } | undefined;
    for (let i = 0; i < 200 && found === undefined; i++) {
      const id = await createdId();
      const otp = await controls.otp(id);
      if (otp.startsWith('0')) found = { id, otp };
    }
    if (found === undefined) throw new Error('no OTP with a leading zero in 200 payouts');
    const verified = await finan.verifyOtp(found.id, { code: Number(found.otp) });
    expect(verified.body.data?.status).toBe('processing');
  });

  it('a wrong OTP answers 422 Invalid OTP code and leaves two tries', async () => {
    const id = await createdId();
    const wrong = (Number(await controls.otp(id)) + 1) % 1_000_000;
    const response = await finan.verifyOtp(id, { code: wrong });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({
      message: { content: 'Yêu cầu không hợp lệ', error: 'Invalid OTP code' },
      code: 104000,
      request_id: expect.any(String),
    });
    const item = await statusOf(id);
    expect(item).toMatchObject({ status: 'waiting_confirm', remaining_try: 2 });
  });

  it('three wrong OTPs fail the payout; a fourth, even the right one, is refused and no money moves', async () => {
    const id = await createdId();
    const otp = Number(await controls.otp(id));
    const wrong = (otp + 1) % 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect((await finan.verifyOtp(id, { code: wrong })).body.message.error).toBe('Invalid OTP code');
    }
    expect(await statusOf(id)).toMatchObject({ status: 'failed', remaining_try: 0 });

    const fourth = await finan.verifyOtp(id, { code: otp });
    expect(fourth.status).toBe(422);
    expect(fourth.body.message.error).toBe('No OTP attempts remaining');
    const witness = await settleAWitness();
    expect(await statusOf(id)).toMatchObject({ status: 'failed', remaining_try: 0 });
    expect((await controls.ledger()).map((transfer) => transfer.payoutId)).toEqual([witness]);
  });

  it('a wrong OTP, then the right one: every verification spends a try, so processing with one left', async () => {
    const id = await createdId();
    const otp = Number(await controls.otp(id));
    expect((await finan.verifyOtp(id, { code: (otp + 1) % 1_000_000 })).status).toBe(422);
    const verified = await finan.verifyOtp(id, { code: otp });
    expect(verified.body.data).toEqual({ id, status: 'processing', remaining_try: 1 });
  });

  it.each([
    ['a string code', { code: '123456' }],
    ['a missing code', {}],
    ['a fractional code', { code: 1234.5 }],
    ['a seven-digit code', { code: 1234567 }],
    ['a non-JSON body', 'code=123456'],
  ])('answers 400 Invalid OTP format for %s, without spending a try', async (_name, body) => {
    const id = await createdId();
    const response = await finan.verifyOtp(id, body);
    expect(response.status).toBe(400);
    expect(response.body.message.error).toBe('Invalid OTP format');
    expect((await statusOf(id)).remaining_try).toBe(3);
  });

  it('answers 404 Payout not found for an unknown payout', async () => {
    const response = await finan.verifyOtp('660e8400-e29b-41d4-a716-446655440001', { code: 123456 });
    expect(response.status).toBe(404);
    expect(response.body.message.error).toBe('Payout not found');
  });
});

describe('documented beneficiary account numbers', () => {
  it('0000000000 ends failed after processing, and no money moves', async () => {
    const id = await createdId({ ...PAGE_EXAMPLE_PAYOUT, beneficiary_account_number: '0000000000' });
    expect((await finan.verifyOtp(id, { code: Number(await controls.otp(id)) })).body.data?.status).toBe('processing');
    await eventually(() => statusOf(id), (item) => item.status === 'failed');
    expect(await controls.ledger()).toEqual([]);
  });

  it('9999999999 stays processing, even after a payout confirmed later has settled', async () => {
    const id = await createdId({ ...PAGE_EXAMPLE_PAYOUT, beneficiary_account_number: '9999999999' });
    await finan.verifyOtp(id, { code: Number(await controls.otp(id)) });
    const witness = await settleAWitness();
    expect((await statusOf(id)).status).toBe('processing');
    expect((await controls.ledger()).map((transfer) => transfer.payoutId)).toEqual([witness]);
  });

  it('money held by a processing payout is not available to a new one', async () => {
    const low = { ...PAGE_EXAMPLE_PAYOUT, account_id: FINAN_LOW_BALANCE_ACCOUNT_ID, beneficiary_account_number: '9999999999' };
    const id = await createdId({ ...low, amount: 600_000 });
    await finan.verifyOtp(id, { code: Number(await controls.otp(id)) });
    const second = await finan.createPayout({ ...low, amount: 600_000 });
    expect(second.status).toBe(422);
    expect(second.body.message.error).toBe('Insufficient balance');
  });
});

describe('test controls', () => {
  it('reset forgets payouts and the ledger', async () => {
    const id = await createdId();
    await finan.verifyOtp(id, { code: Number(await controls.otp(id)) });
    await eventually(() => controls.ledger(), (transfers) => transfers.length === 1);
    await controls.reset();
    expect((await finan.listPayouts()).body.data).toEqual([]);
    expect(await controls.ledger()).toEqual([]);
    expect((await controls.send('GET', `/finan/payouts/${id}/otp`)).status).toBe(404);
  });

  it('the processing delay can be changed at run time, and applies to payouts confirmed after the change', async () => {
    expect((await controls.settings({ processingDelayMs: AN_HOUR_MS })).body).toEqual({ ipWhitelist: null, processingDelayMs: AN_HOUR_MS });
    const slow = await createdId();
    await finan.verifyOtp(slow, { code: Number(await controls.otp(slow)) });

    // Back to the file's delay: a payout confirmed later settles first, which the old delay could not have done.
    expect((await controls.settings({ processingDelayMs: PROCESSING_DELAY_MS })).body.processingDelayMs).toBe(PROCESSING_DELAY_MS);
    await settleAWitness();
    expect((await statusOf(slow)).status).toBe('processing');
  });
});

describe('time scale', () => {
  it('multiplies the processing delay', async () => {
    const scaled = await startSandbox({ port: 0, timeScale: 0.01, finan: { processingDelayMs: 60_000 } });
    try {
      const client = finanClient(scaled.finanBaseUrl);
      const id = (await client.createPayout()).body.data?.id ?? '';
      const otp = await sandboxControls(scaled.url).otp(id);
      const started = Date.now();
      await client.verifyOtp(id, { code: Number(otp) });
      await eventually(async () => (await client.getPayout(id)).body.data?.status, (status) => status === 'success');
      // 60 s × 0.01: never sooner than 600 ms after the OTP (a lower bound the timer guarantees).
      expect(Date.now() - started).toBeGreaterThanOrEqual(595);
    } finally {
      await scaled.close();
    }
  });
});
