import { FinanClient } from '../../providers/finan/client';
import type { FinanClientOptions } from '../../providers/finan/client';
import { FinanInvalidResponseError, FinanNotFoundError, FinanRequestValidationError, FinanUnprocessableError } from '../../providers/finan/errors';
import { CreatePaymentRequest, PaymentRequest, PaymentRequestCreated } from '../../providers/finan/payment-schemas';
import { decodeVietQr } from '../../providers/vietqr';
import { CLIENT_ID, envelope, errorEnvelope, FakeFinan, failure, only, SECRET_KEY } from './fake-finan-server';

/** The payments page's create example, verbatim. */
const pageCreateRequest: CreatePaymentRequest = {
  merchant: { name: 'Finan pte', phone: '02833223243', address: '195/10A, Dien Bien Phu, P15, Binh Thanh', email: 'merchant@finan.one' },
  items: [{ name: 'So Ban Hang Pro 3 Nam', price: 3000000, quantity: 2, amount: 6000000 }],
  customer: { name: 'Nguyen Van A', phone: '0933450210', address: '15, Le Duan, q3, Quan 1', email: 'nguyena@gmail.com' },
  payment_method: 'bank_transfer',
  account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6000000,
  description: 'thanh toan don hang',
  reference_id: '54fgi4537-0cb5-4992-ad0e-76d26ba4ddc3',
  reference_type: 'invoice',
  success_redirect_url: 'https://your-site.com/success',
  failure_redirect_url: 'https://your-site.com/failure',
};

/**
 * The page's create answer. Its qr_code is elided there ("00020101021238570010A000000727..."), so a VietQR of the
 * example's MB account, amount and remark stands in, written out by hand: field 38 = A000000727 / 970422 / 0933450210 /
 * QRIBFTTA, 54 = 6000000, 62.08 = TTVD7ZZS, and CRC-16/CCITT-FALSE C139 computed outside this code base (reference/providers.md's rule).
 */
const PAGE_EXAMPLE_QR = '00020101021238540010A00000072701240006970422011009334502100208QRIBFTTA5303704540760000005802VN62120808TTVD7ZZS6304C139';
const pageCreated = {
  payment_request_id: '3fde043e-c3d6-40e8-9031-6eadfa02d2a2',
  payment_request_code: 'PRJXH9KU',
  payment_url: '',
  bank_transfer_detail: {
    qr_code: PAGE_EXAMPLE_QR,
    bank_name: 'MB',
    account_name: 'TRAN TU THIEN',
    account_number: '0933450210',
    remark: 'TTVD7ZZS',
  },
};

/** The page's list item, verbatim. */
const pageListed = {
  payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
  paid_amount: 6000000,
  status: 'paid',
  payment_method: 'bank_transfer',
  amount: 6000000,
  description: 'thanh toan don hang',
  reference_type: 'invoice',
  reference_id: 'INV-001',
  payments: [{ id: 'PAY-001', amount: 6000000, method: 'bank_transfer', created_at: '2024-01-20T14:30:00Z' }],
  merchant: { name: 'Finan pte', email: 'merchant@finan.one' },
  customer: { name: 'Nguyen Van A', email: 'nguyena@gmail.com' },
};

const finan = new FakeFinan();
let clock = 1_700_000_000;

function client(options: Partial<FinanClientOptions> = {}): FinanClient {
  return new FinanClient({ baseUrl: finan.baseUrl, clientId: CLIENT_ID, secretKey: SECRET_KEY, nowSeconds: () => clock++, ...options });
}

beforeAll(async () => {
  await finan.start();
});
afterAll(async () => {
  await finan.stop();
});

describe('payment schemas read the page', () => {
  it("accepts the page's create request", () => {
    expect(CreatePaymentRequest.parse(pageCreateRequest)).toEqual(pageCreateRequest);
  });

  it("reads the page's create answer, whose VietQR decodes to the MB account", () => {
    const created = PaymentRequestCreated.parse(pageCreated);
    expect(created).toEqual(pageCreated);
    expect(decodeVietQr(created.bank_transfer_detail?.qr_code ?? '')).toEqual({
      bin: '970422',
      accountNumber: '0933450210',
      amount: 6000000,
      purpose: 'TTVD7ZZS',
      service: 'QRIBFTTA',
      pointOfInitiation: 'dynamic',
    });
  });

  it('reads a card answer with no transfer detail as a payment URL and null detail', () => {
    const created = PaymentRequestCreated.parse({ payment_request_id: 'id', payment_request_code: 'PRAAAAAA', payment_url: 'https://pay.finan.one/x' });
    expect(created).toEqual({ payment_request_id: 'id', payment_request_code: 'PRAAAAAA', payment_url: 'https://pay.finan.one/x', bank_transfer_detail: null });
  });

  it("reads the page's list item", () => {
    expect(PaymentRequest.parse(pageListed)).toEqual(pageListed);
  });

  it('reads an invoice request without merchant, customer or description as nulls, and no payments as []', () => {
    const { merchant: _m, customer: _c, description: _d, payments: _p, ...bare } = pageListed;
    expect(PaymentRequest.parse({ ...bare, paid_amount: 0, status: 'unpaid', reference_type: '' })).toMatchObject({
      merchant: null,
      customer: null,
      description: null,
      reference_type: null,
      payments: [],
    });
  });

  it.each(['unpaid', 'partial_paid', 'paid', 'extra_paid'])('knows the status %s', (status) => {
    expect(PaymentRequest.parse({ ...pageListed, status }).status).toBe(status);
  });

  it('refuses a status the page does not list', () => {
    expect(PaymentRequest.safeParse({ ...pageListed, status: 'expired' }).success).toBe(false);
  });
});

describe('creating a payment request', () => {
  it("sends the page's example byte for byte as signed, and reads the answer", async () => {
    finan.reset(() => ({ status: 200, body: { ...envelope(pageCreated, 102001, 'req-pay'), message: { content: 'Tạo thành công' } } }));

    const created = await client().createPaymentRequest(pageCreateRequest);

    expect(created).toEqual({ data: pageCreated, requestId: 'req-pay', code: 102001 });
    const req = only(finan.received);
    expect(req).toMatchObject({ method: 'POST', path: '/api/v1/payments', signatureValid: true });
    expect(req.rawBody.toString('utf8')).toBe(JSON.stringify(pageCreateRequest));
  });

  it('an invoice-linked card request needs no merchant, items or customer', async () => {
    finan.reset(() => ({ status: 200, body: envelope({ payment_request_id: 'p', payment_request_code: 'PRCARD01', payment_url: 'https://pay/x', bank_transfer_detail: null }, 102001) }));

    const created = await client().createPaymentRequest({ payment_method: 'card', amount: 6000000, reference_id: 'INV-001', reference_type: 'invoice' });

    expect(created.data.payment_url).toBe('https://pay/x');
    expect(only(finan.received).rawBody.toString('utf8')).toBe('{"payment_method":"card","amount":6000000,"reference_id":"INV-001","reference_type":"invoice"}');
  });

  it.each<[string, Partial<CreatePaymentRequest> & Record<string, unknown>, string]>([
    ['an item whose amount is not price × quantity', { items: [{ name: 'x', price: 3000000, quantity: 2, amount: 5000000 }] }, 'items.0.amount must equal price × quantity'],
    ['items that do not add up to amount', { items: [{ name: 'x', price: 3000000, quantity: 1, amount: 3000000 }] }, 'amount must equal the sum of items[].amount (3000000)'],
    ['a description of 31 characters', { description: 'x'.repeat(31) }, 'description must be at most 30 characters'],
    ['a bank transfer without account_id', { account_id: undefined }, 'account_id is required for bank_transfer'],
    ['a missing amount', { amount: undefined }, 'amount is required'],
    ['a fractional amount', { amount: 10.5 }, 'amount must be an integer (smallest currency unit)'],
    ['an unknown payment method', { payment_method: 'cash' as 'card' }, 'payment_method must be one of bank_transfer, card, ewallet_momo'],
    ['a missing reference_id', { reference_id: undefined }, 'reference_id is required'],
    ['a customer without a name', { customer: { email: 'a@b.vn' } as CreatePaymentRequest['customer'] }, 'customer.name is required'],
    ['a redirect that is not http(s)', { success_redirect_url: 'javascript:alert(1)' }, 'success_redirect_url must be an http(s) URL'],
    ['a camelCase field', { referenceId: 'X' }, 'referenceId is not a field Finan knows'],
  ])('refuses %s locally, sending nothing', async (_name, change, message) => {
    finan.reset(() => ({ status: 200, body: envelope(pageCreated) }));

    const err = await failure(client().createPaymentRequest({ ...pageCreateRequest, ...change }));

    expect(err).toBeInstanceOf(FinanRequestValidationError);
    expect(err.message).toBe(`Invalid Finan request: ${message}`);
    expect(finan.received).toHaveLength(0);
  });

  it('a 30-character Vietnamese description is within the limit (characters, not bytes)', async () => {
    finan.reset(() => ({ status: 200, body: envelope(pageCreated, 102001) }));
    await client().createPaymentRequest({ ...pageCreateRequest, description: 'Thanh toán đơn hàng số 1234567' });
    expect(finan.received).toHaveLength(1);
  });

  it('an empty items list is no items: the sum is not checked', async () => {
    finan.reset(() => ({ status: 200, body: envelope(pageCreated, 102001) }));
    await client().createPaymentRequest({ ...pageCreateRequest, items: [] });
    expect(finan.received).toHaveLength(1);
  });

  it("maps the page's errors: 404 unknown account, 422 data validation, 400 with the page's text", async () => {
    finan.reset(() => ({ status: 404, body: errorEnvelope('Account not found', 'r404') }));
    expect(await failure(client().createPaymentRequest(pageCreateRequest))).toBeInstanceOf(FinanNotFoundError);

    finan.reset(() => ({ status: 422, body: errorEnvelope('amount must equal the sum of items[].amount', 'r422') }));
    expect(await failure(client().createPaymentRequest(pageCreateRequest))).toBeInstanceOf(FinanUnprocessableError);

    finan.reset(() => ({ status: 400, body: errorEnvelope('amount is required', 'abc123...') }));
    const err = await failure(client().createPaymentRequest(pageCreateRequest));
    expect(err.message).toBe('Finan 400 (code 104000, request_id abc123...): amount is required');
  });
});

describe('listing and reading payment requests', () => {
  it('lists all with a bare signed path', async () => {
    finan.reset(() => ({ status: 200, body: envelope([pageListed]) }));

    const listed = await client().listPaymentRequests();

    expect(listed.data).toEqual([pageListed]);
    expect(only(finan.received)).toMatchObject({ method: 'GET', path: '/api/v1/payments', signatureValid: true });
  });

  it("filters by reference with the page's query string, signed with the path", async () => {
    finan.reset(() => ({ status: 200, body: envelope([pageListed]) }));

    await client().listPaymentRequests({ referenceType: 'invoice', referenceId: 'INV-001' });
    await client().listPaymentRequests({ referenceId: 'HĐ 001&x' });

    expect(finan.received.map((r) => [r.path, r.signatureValid])).toEqual([
      ['/api/v1/payments?reference_type=invoice&reference_id=INV-001', true],
      ['/api/v1/payments?reference_id=H%C4%90+001%26x', true],
    ]);
  });

  it('refuses an empty filter, which would list everything', async () => {
    await expect(client().listPaymentRequests({ referenceId: '' })).rejects.toBeInstanceOf(FinanRequestValidationError);
  });

  it('reads one by id, escaping the id in the signed path', async () => {
    finan.reset(() => ({ status: 200, body: envelope(pageListed) }));

    const read = await client().getPaymentRequest('PR-550e8400/x');

    expect(read.data.status).toBe('paid');
    expect(only(finan.received)).toMatchObject({ path: '/api/v1/payments/PR-550e8400%2Fx', signatureValid: true });
    await expect(client().getPaymentRequest('')).rejects.toThrow('Invalid Finan request: id must be a payment request id');
  });

  it('an answer with payments of the wrong shape is an invalid response', async () => {
    finan.reset(() => ({ status: 200, body: envelope({ ...pageListed, payments: [{ id: 'PAY-1', amount: '6000000', method: 'bank_transfer', created_at: 'x' }] }) }));
    const err = await failure(client().getPaymentRequest('x'));
    expect(err).toBeInstanceOf(FinanInvalidResponseError);
    expect(err.message).toMatch(/data\.payments\.0\.amount/);
  });
});
