import { decodeVietQr } from '../../providers/vietqr';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import {
  FINAN_LOW_BALANCE_ACCOUNT_ID,
  FINAN_SOURCE_ACCOUNT_ID,
  PAGE_EXAMPLE_PAYMENT,
  paymentControls,
  paymentsClient,
} from './finan-payments-client';
import type { PaymentRequestCreated } from './finan-payments-client';
import { eventually, sandboxControls } from './finan-test-client';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof paymentsClient>;
let controls: ReturnType<typeof paymentControls>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  finan = paymentsClient(sandbox.finanBaseUrl);
  controls = paymentControls(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => sandboxControls(sandbox.url).reset());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

async function created(body: unknown = PAGE_EXAMPLE_PAYMENT): Promise<PaymentRequestCreated> {
  const response = await finan.create(body);
  if (response.status !== 200 || response.body.data === undefined) throw new Error(JSON.stringify(response.body));
  return response.body.data;
}

const remarkOf = (request: PaymentRequestCreated): string => request.bank_transfer_detail?.remark ?? '';

describe('creating a payment request', () => {
  it("answers the page's bank_transfer example with 102001, a code, an empty payment_url and transfer details", async () => {
    const { status, body } = await finan.create();
    expect(status).toBe(200);
    expect(body).toEqual({
      message: { content: 'Tạo thành công' },
      code: 102001,
      request_id: expect.any(String),
      data: {
        payment_request_id: expect.stringMatching(UUID),
        payment_request_code: expect.stringMatching(/^PR[A-Z0-9]{6}$/),
        payment_url: '',
        bank_transfer_detail: {
          qr_code: expect.any(String),
          bank_name: 'Shinhan',
          account_name: 'CONG TY TNHH DONGFLOW',
          account_number: '700012345678',
          remark: expect.stringMatching(/^TT[A-Z0-9]{6}$/),
        },
      },
    });
    // Shaped like the page's example request_id, "d0a463bc089ea27859e2ebb5d33857c3".
    expect(body.request_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it("gives a VietQR that pays the amount to the Shinhan account (BIN 970424) with the remark as content", async () => {
    const request = await created();
    expect(decodeVietQr(request.bank_transfer_detail?.qr_code ?? '')).toEqual({
      bin: '970424',
      accountNumber: '700012345678',
      amount: 6000000,
      purpose: remarkOf(request),
      service: 'QRIBFTTA',
      pointOfInitiation: 'dynamic',
    });
  });

  it("names the account's own bank: an MB account gets BIN 970422 and bank_name MB", async () => {
    const request = await created({ payment_method: 'bank_transfer', account_id: FINAN_LOW_BALANCE_ACCOUNT_ID, amount: 150000, reference_id: 'ORDER-7' });
    expect(request.bank_transfer_detail).toMatchObject({ bank_name: 'MB', account_number: '0933450210', account_name: 'TRAN TU THIEN' });
    expect(decodeVietQr(request.bank_transfer_detail?.qr_code ?? '')).toMatchObject({ bin: '970422', accountNumber: '0933450210', amount: 150000 });
  });

  it.each(['card', 'ewallet_momo'])('a %s request gets a payment URL and no transfer details', async (method) => {
    const request = await created({ ...PAGE_EXAMPLE_PAYMENT, payment_method: method, account_id: undefined });
    expect(request.payment_url).toBe(`${sandbox.url}/_sandbox/finan/checkout/${request.payment_request_id}`);
    expect(request.bank_transfer_detail).toBeNull();
  });

  it('an invoice-linked request needs no merchant, items or customer', async () => {
    const request = await created({ payment_method: 'bank_transfer', account_id: FINAN_SOURCE_ACCOUNT_ID, amount: 6000000, reference_type: 'invoice', reference_id: 'INV-001' });
    const { body } = await finan.get(request.payment_request_id);
    expect(body.data).toEqual({
      payment_request_id: request.payment_request_id,
      paid_amount: 0,
      status: 'unpaid',
      payment_method: 'bank_transfer',
      amount: 6000000,
      description: null,
      reference_type: 'invoice',
      reference_id: 'INV-001',
      payments: [],
      merchant: null,
      customer: null,
    });
  });

  it('a link lives 30 minutes from its creation (the page), and is open until then', async () => {
    const before = Date.now();
    const request = await created();
    const after = Date.now();
    const { body } = await controls.inspect(request.payment_request_id);
    expect(Date.parse(body.expires_at)).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(Date.parse(body.expires_at)).toBeLessThanOrEqual(after + 30 * 60_000);
    expect(body.expired).toBe(false);
  });

  it('codes and remarks are unique', async () => {
    const requests = await Promise.all(Array.from({ length: 20 }, () => created()));
    const tokens = requests.flatMap((request) => [request.payment_request_code, remarkOf(request)]);
    expect(new Set(tokens).size).toBe(40);
  });
});

describe("refusing bad requests with the page's statuses", () => {
  const { amount: _amount, ...withoutAmount } = PAGE_EXAMPLE_PAYMENT;
  const { reference_id: _reference, ...withoutReference } = PAGE_EXAMPLE_PAYMENT;
  const { payment_method: _method, ...withoutMethod } = PAGE_EXAMPLE_PAYMENT;
  const { account_id: _account, ...withoutAccount } = PAGE_EXAMPLE_PAYMENT;
  const item = PAGE_EXAMPLE_PAYMENT.items[0];

  it.each<[string, unknown, number, string]>([
    ["the page's own error: amount is required", withoutAmount, 400, 'amount is required'],
    ['a missing reference_id', withoutReference, 400, 'reference_id is required'],
    ['an empty reference_id', { ...PAGE_EXAMPLE_PAYMENT, reference_id: '' }, 400, 'reference_id is required'],
    ['a missing payment_method', withoutMethod, 400, 'payment_method is required'],
    ['a bank_transfer without account_id', withoutAccount, 400, 'account_id is required for bank_transfer'],
    ['an account_id that is not a UUID', { ...PAGE_EXAMPLE_PAYMENT, account_id: '161' }, 400, 'account_id must be a UUID'],
    ['an amount sent as a string', { ...PAGE_EXAMPLE_PAYMENT, amount: '6000000' }, 400, 'amount must be an integer'],
    ['a fractional amount', { ...PAGE_EXAMPLE_PAYMENT, amount: 6000000.5, items: undefined }, 400, 'amount must be an integer'],
    ['an item without a price', { ...PAGE_EXAMPLE_PAYMENT, items: [{ name: 'x', quantity: 2, amount: 6000000 }] }, 400, 'items[0].price is required'],
    ['a customer without a name', { ...PAGE_EXAMPLE_PAYMENT, customer: { email: 'a@b.vn' } }, 400, 'customer.name is required'],
    ['items that are not a list', { ...PAGE_EXAMPLE_PAYMENT, items: {} }, 400, 'items must be an array'],
    ['a body that is an array', [], 400, 'request body must be a JSON object'],
    ['an unknown payment_method', { ...PAGE_EXAMPLE_PAYMENT, payment_method: 'cash' }, 422, 'payment_method must be one of bank_transfer, card, ewallet_momo'],
    ['a zero amount', { ...PAGE_EXAMPLE_PAYMENT, amount: 0, items: undefined }, 422, 'amount must be positive'],
    ['a description of 31 characters', { ...PAGE_EXAMPLE_PAYMENT, description: 'x'.repeat(31) }, 422, 'description must be at most 30 characters'],
    ['an item whose amount is not price × quantity', { ...PAGE_EXAMPLE_PAYMENT, amount: 5000000, items: [{ ...item, amount: 5000000 }] }, 422, 'items[0].amount must equal price * quantity'],
    ['items that do not add up to amount', { ...PAGE_EXAMPLE_PAYMENT, items: [{ ...item, quantity: 1, amount: 3000000 }] }, 422, 'amount must equal the sum of items[].amount'],
    ['a redirect URL that is not http(s)', { ...PAGE_EXAMPLE_PAYMENT, failure_redirect_url: 'ftp://x' }, 422, 'failure_redirect_url must be an http(s) URL'],
    ['an unknown account', { ...PAGE_EXAMPLE_PAYMENT, account_id: '00000000-0000-4000-8000-000000000000' }, 404, 'Account not found'],
  ])('%s', async (_name, body, status, error) => {
    const response = await finan.create(body);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ message: { content: 'Yêu cầu không hợp lệ', error }, code: 104000, request_id: expect.any(String) });
    expect((await finan.list()).body.data).toEqual([]);
  });

  it('lists every problem of the same kind at once', async () => {
    const response = await finan.create({ payment_method: 'bank_transfer' });
    expect(response.status).toBe(400);
    expect(response.body.message.error).toBe('amount is required; reference_id is required; account_id is required for bank_transfer');
  });

  it('a malformed field wins over a rule: 400 before 422', async () => {
    const response = await finan.create({ ...PAGE_EXAMPLE_PAYMENT, description: 'x'.repeat(31), amount: 'a lot' });
    expect(response.status).toBe(400);
  });

  it('a 30-character Vietnamese description and an empty items list are fine', async () => {
    expect((await finan.create({ ...PAGE_EXAMPLE_PAYMENT, description: 'Thanh toán đơn hàng số 1234567' })).status).toBe(200);
    expect((await finan.create({ ...PAGE_EXAMPLE_PAYMENT, items: [] })).status).toBe(200);
  });

  it('needs a signature, with the query string signed on a list', async () => {
    expect((await finan.call({ method: 'POST', path: '/api/v1/payments', body: PAGE_EXAMPLE_PAYMENT, secret: 'wrong' })).status).toBe(401);
    const unsignedQuery = await finan.call({ method: 'GET', path: '/api/v1/payments?reference_id=INV-001', signedPath: '/api/v1/payments' });
    expect(unsignedQuery.status).toBe(401);
    expect(unsignedQuery.body.message.error).toBe('Invalid signature');
  });
});

describe('listing and reading payment requests', () => {
  it("lists newest first, in the page's list shape", async () => {
    const first = await created();
    const second = await created({ payment_method: 'card', amount: 10000, reference_id: 'ORDER-2' });
    const { status, body } = await finan.list();
    expect(status).toBe(200);
    expect(body.code).toBe(102000);
    expect(body.message.content).toBe('Thực thi API thành công');
    expect(body.data?.map((item) => item.payment_request_id)).toEqual([second.payment_request_id, first.payment_request_id]);
    expect(body.data?.[1]).toEqual({
      payment_request_id: first.payment_request_id,
      paid_amount: 0,
      status: 'unpaid',
      payment_method: 'bank_transfer',
      amount: 6000000,
      description: 'thanh toan don hang',
      reference_type: 'invoice',
      reference_id: '54fgi4537-0cb5-4992-ad0e-76d26ba4ddc3',
      payments: [],
      // As in the page's list example: name and email only.
      merchant: { name: 'Finan pte', email: 'merchant@finan.one' },
      customer: { name: 'Nguyen Van A', email: 'nguyena@gmail.com' },
    });
  });

  it('filters by reference_type and reference_id', async () => {
    const invoice = { payment_method: 'bank_transfer', account_id: FINAN_SOURCE_ACCOUNT_ID, amount: 1000, reference_type: 'invoice' };
    const a = await created({ ...invoice, reference_id: 'INV-001' });
    const b = await created({ ...invoice, reference_id: 'INV-001' });
    await created({ ...invoice, reference_id: 'INV-002' });
    await created({ payment_method: 'card', amount: 1000, reference_id: 'INV-001' });

    const ids = async (query: string) => (await finan.list(query)).body.data?.map((item) => item.payment_request_id);
    expect(await ids('?reference_type=invoice&reference_id=INV-001')).toEqual([b.payment_request_id, a.payment_request_id]);
    expect(await ids('?reference_type=invoice')).toHaveLength(3);
    expect(await ids('?reference_id=INV-001')).toHaveLength(3);
    expect(await ids('?reference_id=NONE')).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    const response = await finan.get('3fde043e-c3d6-40e8-9031-6eadfa02d2a2');
    expect(response.status).toBe(404);
    expect(response.body.message.error).toBe('Payment request not found');
  });
});

describe("customers' payments", () => {
  it('a transfer carrying the remark records a payment on the request: partial, then paid, then extra', async () => {
    const request = await created();
    const id = request.payment_request_id;

    const first = await controls.transfer(remarkOf(request), 2000000);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^PAY-/),
      amount: 2000000,
      method: 'bank_transfer',
      created_at: expect.stringMatching(ISO_SECONDS),
      remark: remarkOf(request),
      payment_request_id: id,
      reference_type: 'invoice',
      reference_id: PAGE_EXAMPLE_PAYMENT.reference_id,
      orphan: false,
      late: false,
    });
    expect((await finan.get(id)).body.data).toMatchObject({ paid_amount: 2000000, status: 'partial_paid' });
    expect((await finan.get(id)).body.data?.payments).toEqual([{ id: first.body.id, amount: 2000000, method: 'bank_transfer', created_at: first.body.created_at }]);

    await controls.transfer(remarkOf(request), 4000000);
    expect((await finan.get(id)).body.data).toMatchObject({ paid_amount: 6000000, status: 'paid' });

    await controls.transfer(remarkOf(request), 1);
    expect((await finan.list()).body.data?.[0]).toMatchObject({ paid_amount: 6000001, status: 'extra_paid' });
    expect((await finan.get(id)).body.data?.payments).toHaveLength(3);
  });

  it('matches the remark inside a longer transfer content, in any case, and by the payment request code', async () => {
    const request = await created();
    await controls.transfer(`MBVCB.1234.${remarkOf(request).toLowerCase()}.chuyen tien`, 1000);
    await controls.transfer(`IBFT ${request.payment_request_code}`, 1000);
    expect((await finan.get(request.payment_request_id)).body.data?.paid_amount).toBe(2000);
  });

  it('a transfer matching nothing is recorded as an orphan, and changes no request', async () => {
    const request = await created();
    const orphan = await controls.transfer('chuyen tien an trua', 50000);
    expect(orphan.body).toMatchObject({ orphan: true, late: false, payment_request_id: null, reference_id: null, amount: 50000 });
    expect(await controls.payments()).toEqual([orphan.body]);
    expect((await finan.get(request.payment_request_id)).body.data?.status).toBe('unpaid');
  });

  it('refuses a transfer without a positive whole amount', async () => {
    expect((await controls.transfer('x', 0)).status).toBe(400);
    expect((await controls.transfer('x', 1.5)).status).toBe(400);
  });

  it('a card payment through the payment URL pays the amount', async () => {
    const request = await created({ payment_method: 'card', amount: 250000, reference_id: 'ORDER-9' });
    const paid = await controls.checkout(request.payment_request_id);
    expect(paid.body).toMatchObject({ method: 'card', amount: 250000, remark: null, orphan: false });
    expect((await finan.get(request.payment_request_id)).body.data).toMatchObject({ status: 'paid', payments: [expect.objectContaining({ method: 'card' })] });
  });

  it('a bank_transfer request has no payment page to pay through', async () => {
    const request = await created();
    expect((await controls.checkout(request.payment_request_id)).status).toBe(409);
  });

  it('a received transfer credits the account', async () => {
    const request = await created();
    await controls.transfer(remarkOf(request), 6000000);
    const { body } = await sandboxControls(sandbox.url).send<{ accounts: Array<{ account_id: string; balance: number }> }>('GET', '/finan/accounts');
    expect(body.accounts).toContainEqual(expect.objectContaining({ account_id: FINAN_SOURCE_ACCOUNT_ID, balance: 100_006_000_000 }));
  });
});

describe('link expiry after 30 minutes (scaled)', () => {
  // 30 minutes × 0.0001 = 180 ms, on the sandbox's clock; the test waits for the expiry instead of guessing its time.
  let scaled: RunningSandbox;
  beforeAll(async () => {
    scaled = await startSandbox({ port: 0, timeScale: 0.0001 });
  });
  afterAll(() => scaled.close());

  it('expires the link: a card payment is refused, a late bank transfer is still recorded and counted', async () => {
    const api = paymentsClient(scaled.finanBaseUrl);
    const control = paymentControls(scaled.url);
    const before = Date.now();
    const transfer = (await api.create()).body.data as PaymentRequestCreated;
    const card = (await api.create({ payment_method: 'card', amount: 1000, reference_id: 'C-1' })).body.data as PaymentRequestCreated;

    expect(Date.parse((await control.inspect(transfer.payment_request_id)).body.expires_at)).toBeGreaterThanOrEqual(before + 180);
    // The card request was created last: once it has expired, both have.
    await eventually(async () => (await control.inspect(card.payment_request_id)).body.expired, (expired) => expired);
    expect((await control.inspect(transfer.payment_request_id)).body.expired).toBe(true);

    const refused = await control.checkout(card.payment_request_id);
    expect(refused.status).toBe(410);
    expect(refused.body.error).toBe('Payment link expired');

    const late = await control.transfer(remarkOf(transfer), 6000000);
    expect(late.body).toMatchObject({ late: true, orphan: false, payment_request_id: transfer.payment_request_id });
    expect((await api.get(transfer.payment_request_id)).body.data).toMatchObject({ paid_amount: 6000000, status: 'paid' });
  });
});
