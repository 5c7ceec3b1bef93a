/**
 * The payment-request activities over a Finan that answers as the payments page shows: one request per reference
 * (an earlier attempt's request adopted, never paid twice), Finan's VietQR checked before a payer sees it, and an
 * answer that is not the page's shape retried a few times, then surfaced.
 */
import { ApplicationFailure } from '@temporalio/common';
import { checkFinanQr, createFinanPaymentActivities, fromFinanPaymentRequest, MAX_INVALID_ANSWER_ATTEMPTS } from '../../activities/finan/payments';
import type { CreatePaymentRequestActivityInput } from '../../activities/finan/payments';
import type { FinanClient, FinanResponse } from '../../providers/finan/client';
import { FinanForbiddenError, FinanInvalidResponseError } from '../../providers/finan/errors';
import type { CreatePaymentRequest, PaymentRequest, PaymentRequestCreated } from '../../providers/finan/payment-schemas';
import { activityHarness, inAttempt } from './fake-finan-payouts';

// Real VietQR strings from the providers reference (not made by our encoder): 50,000 VND to Vietcombank 0011001234567,
// 1,000 VND to ACB 257678859, and a static QR (no amount) to MB 0352350917.
const QR_50000_VCB = '00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA53037045405500005802VN62090805DH123630478C8';
const QR_1000_ACB = '00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8';
const QR_STATIC_MB = '00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53037045802VN630479db';

const created = (qrCode: string, accountNumber: string): PaymentRequestCreated => ({
  payment_request_id: '3fde043e-c3d6-40e8-9031-6eadfa02d2a2',
  payment_request_code: 'PRJXH9KU',
  payment_url: '',
  bank_transfer_detail: { qr_code: qrCode, bank_name: 'VCB', account_name: 'TRAN TU THIEN', account_number: accountNumber, remark: 'TTVD7ZZS' },
});

const listed = (id: string, referenceId: string, paid: number, referenceType: string | null = null): PaymentRequest => ({
  payment_request_id: id,
  paid_amount: paid,
  status: paid === 0 ? 'unpaid' : paid < 50000 ? 'partial_paid' : 'paid',
  payment_method: 'bank_transfer',
  amount: 50000,
  description: null,
  reference_type: referenceType,
  reference_id: referenceId,
  payments: paid === 0 ? [] : [{ id: `PAY-${id}`, amount: paid, method: 'bank_transfer', created_at: '2024-01-20T14:30:00Z' }],
  merchant: null,
  customer: null,
});

class FakeFinanPayments {
  readonly requests: PaymentRequest[] = [];
  readonly createdBodies: CreatePaymentRequest[] = [];
  readonly filters: unknown[] = [];
  readonly signals: (AbortSignal | undefined)[] = [];
  answer: PaymentRequestCreated = created(QR_50000_VCB, '0011001234567');
  failCreate: Error | null = null;

  client(): FinanClient {
    const ok = <T>(data: T): FinanResponse<T> => ({ data, requestId: 'd0a463bc089ea27859e2ebb5d33857c3', code: 102000 });
    const client: Pick<FinanClient, 'listPaymentRequests' | 'listPaymentRequestsPaidSince' | 'createPaymentRequest' | 'getPaymentRequest'> = {
      // Like a Finan that ignores the filter: the activity must filter itself.
      listPaymentRequests: async (filter = {}, options) => {
        this.filters.push(filter);
        this.signals.push(options?.signal);
        return ok(this.requests.map((r) => ({ ...r })));
      },
      // Like the client over a Finan that has no time filter: every request comes back; the activity keeps the recent payments.
      listPaymentRequestsPaidSince: async (since, options) => {
        this.filters.push({ since });
        this.signals.push(options?.signal);
        return ok(this.requests.map((r) => ({ ...r })));
      },
      createPaymentRequest: async (req, options) => {
        this.createdBodies.push(req);
        this.signals.push(options?.signal);
        if (this.failCreate) throw this.failCreate;
        return { ...ok(this.answer), code: 102001 };
      },
      getPaymentRequest: async (id, options) => {
        this.signals.push(options?.signal);
        return ok({ ...this.requests.find((r) => r.payment_request_id === id)! });
      },
    };
    return client as FinanClient;
  }
}

const order: CreatePaymentRequestActivityInput = {
  referenceId: 'ORDER-1001',
  accountId: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 50000,
  paymentMethod: 'bank_transfer',
};

describe("Finan's VietQR, checked before a payer sees it", () => {
  const request = (qrCode: string, accountNumber: string) => ({
    paymentRequestId: 'PR-1',
    paymentRequestCode: 'PRJXH9KU',
    paymentUrl: '',
    bankTransfer: { qrCode, bankName: 'VCB', accountName: 'TRAN TU THIEN', accountNumber, remark: 'TTVD7ZZS' },
  });
  const refusal = (fn: () => void): ApplicationFailure => {
    try {
      fn();
    } catch (err) {
      return err as ApplicationFailure;
    }
    throw new Error('the QR was accepted');
  };

  it('passes a QR that pays the account Finan named the amount asked', () => {
    expect(() => checkFinanQr(request(QR_50000_VCB, '0011001234567'), { amount: 50000, paymentMethod: 'bank_transfer' })).not.toThrow();
    expect(() => checkFinanQr(request(QR_1000_ACB, '257678859'), { amount: 1000, paymentMethod: 'bank_transfer' })).not.toThrow();
  });

  it('refuses a QR paying another account', () => {
    const failure = refusal(() => checkFinanQr(request(QR_50000_VCB, '0933450210'), { amount: 50000, paymentMethod: 'bank_transfer' }));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure.type).toBe('FinanInvalidQr');
    expect(failure.message).toBe("Finan's VietQR for payment request PR-1 pays account ****4567, not the account Finan named (****0210)");
  });

  it('refuses a QR asking another amount, or none', () => {
    expect(refusal(() => checkFinanQr(request(QR_50000_VCB, '0011001234567'), { amount: 60000, paymentMethod: 'bank_transfer' })).message).toBe(
      "Finan's VietQR for payment request PR-1 asks 50000 VND, not the 60000 VND requested",
    );
    expect(refusal(() => checkFinanQr(request(QR_STATIC_MB, '0352350917'), { amount: 50000, paymentMethod: 'bank_transfer' })).message).toBe(
      "Finan's VietQR for payment request PR-1 asks no amount VND, not the 50000 VND requested",
    );
  });

  it('refuses a QR whose CRC is wrong', () => {
    const failure = refusal(() => checkFinanQr(request(QR_50000_VCB.replace(/78C8$/, '78C9'), '0011001234567'), { amount: 50000, paymentMethod: 'bank_transfer' }));
    expect(failure.type).toBe('FinanInvalidQr');
    expect(failure.message).toMatch(/^Finan's VietQR for payment request PR-1 is not a valid VietQR: ./);
  });

  it('refuses a bank transfer without its detail', () => {
    const failure = refusal(() => checkFinanQr({ ...request(QR_50000_VCB, '0011001234567'), bankTransfer: null }, { amount: 50000, paymentMethod: 'bank_transfer' }));
    expect(failure.type).toBe('FinanInvalidQr');
    expect(failure.message).toMatch(/is missing/);
  });

  it('has nothing to check for a card payment (a payment URL, no QR)', () => {
    expect(() => checkFinanQr({ ...request('', ''), bankTransfer: null, paymentUrl: 'https://pay.finan.one/x' }, { amount: 50000, paymentMethod: 'card' })).not.toThrow();
  });
});

describe('creating a payment request, once per reference', () => {
  it("sends the page's fields, only those given, and answers the QR with outcome created", async () => {
    const finan = new FakeFinanPayments();
    const result = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest(order));
    expect(finan.createdBodies).toEqual([{ payment_method: 'bank_transfer', account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3', amount: 50000, reference_id: 'ORDER-1001' }]);
    expect(result).toEqual({
      paymentRequestId: '3fde043e-c3d6-40e8-9031-6eadfa02d2a2',
      paymentRequestCode: 'PRJXH9KU',
      paymentUrl: '',
      bankTransfer: { qrCode: QR_50000_VCB, bankName: 'VCB', accountName: 'TRAN TU THIEN', accountNumber: '0011001234567', remark: 'TTVD7ZZS' },
      abandonedPaymentRequestIds: [],
      outcome: 'created',
    });
    expect(finan.filters).toEqual([{ referenceType: undefined, referenceId: 'ORDER-1001' }]);
  });

  it("sends every optional field of the page's example when given", async () => {
    const finan = new FakeFinanPayments();
    finan.answer = { ...created(QR_50000_VCB, '0011001234567'), bank_transfer_detail: null, payment_url: 'https://pay.finan.one/PRJXH9KU' };
    const merchant = { name: 'Finan pte', phone: '02833223243', address: '195/10A, Dien Bien Phu, P15, Binh Thanh', email: 'merchant@finan.one' };
    const customer = { name: 'Nguyen Van A', phone: '0933450210', address: '15, Le Duan, q3, Quan 1', email: 'nguyena@gmail.com' };
    const items = [{ name: 'So Ban Hang Pro 3 Nam', price: 3000000, quantity: 2, amount: 6000000 }];
    const result = await inAttempt(1, () =>
      createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({
        referenceId: 'INV-001',
        referenceType: 'invoice',
        accountId: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
        amount: 6000000,
        paymentMethod: 'card',
        description: 'thanh toan don hang',
        merchant,
        items,
        customer,
        successRedirectUrl: 'https://your-site.com/success',
        failureRedirectUrl: 'https://your-site.com/failure',
      }),
    );
    expect(finan.createdBodies).toEqual([
      {
        merchant,
        items,
        customer,
        payment_method: 'card',
        account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
        amount: 6000000,
        description: 'thanh toan don hang',
        reference_id: 'INV-001',
        reference_type: 'invoice',
        success_redirect_url: 'https://your-site.com/success',
        failure_redirect_url: 'https://your-site.com/failure',
      },
    ]);
    expect(result).toMatchObject({ paymentUrl: 'https://pay.finan.one/PRJXH9KU', bankTransfer: null, outcome: 'created' });
  });

  it('an empty item list is no items', async () => {
    const finan = new FakeFinanPayments();
    await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, items: [] }));
    expect(finan.createdBodies[0]).not.toHaveProperty('items');
  });

  it('adopts an unpaid request an earlier attempt made, and makes one new request for the payer', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-EARLIER', 'ORDER-1001', 0));
    const result = await inAttempt(2, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, paidEnoughAt: 50000 }));
    expect(finan.createdBodies).toHaveLength(1);
    expect(result).toMatchObject({ paymentRequestId: '3fde043e-c3d6-40e8-9031-6eadfa02d2a2', abandonedPaymentRequestIds: ['PR-EARLIER'], outcome: 'created' });
  });

  it('creates nothing when what earlier requests collected already covers the amount: the payer is not asked twice', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'ORDER-1001', 20000), listed('PR-B', 'ORDER-1001', 30000));
    const result = await inAttempt(2, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, paidEnoughAt: 50000 }));
    expect(finan.createdBodies).toEqual([]);
    expect(result).toEqual({ paymentRequestId: 'PR-A', paymentRequestCode: '', paymentUrl: '', bankTransfer: null, abandonedPaymentRequestIds: ['PR-A', 'PR-B'], outcome: 'paid_earlier' });
  });

  it('creates a new request when earlier ones collected less than the amount', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'ORDER-1001', 49999));
    const result = await inAttempt(2, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, paidEnoughAt: 50000 }));
    expect(finan.createdBodies).toHaveLength(1);
    expect(result.outcome).toBe('created');
  });

  it("without paidEnoughAt, a paid earlier request is adopted but a new one is still made (the flow decides)", async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'ORDER-1001', 50000));
    const result = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest(order));
    expect(finan.createdBodies).toHaveLength(1);
    expect(result).toMatchObject({ abandonedPaymentRequestIds: ['PR-A'], outcome: 'created' });
  });

  it("the requests the flow made itself are not adopted again, and alone never stop a renewal", async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-OWN', 'INV-001', 50000, 'invoice'));
    const result = await inAttempt(1, () =>
      createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, referenceId: 'INV-001', referenceType: 'invoice', knownPaymentRequestIds: ['PR-OWN'], paidEnoughAt: 50000 }),
    );
    expect(finan.createdBodies).toHaveLength(1);
    expect(result).toMatchObject({ abandonedPaymentRequestIds: [], outcome: 'created' });
  });

  it('ignores requests of another reference, or of the same id under another reference type', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-OTHER', 'ORDER-1002', 50000), listed('PR-INVOICE', 'ORDER-1001', 50000, 'invoice'));
    const result = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, paidEnoughAt: 50000 }));
    expect(finan.createdBodies).toHaveLength(1);
    expect(result).toMatchObject({ abandonedPaymentRequestIds: [], outcome: 'created' });
  });

  it("refuses Finan's QR when it does not pay the amount asked: FinanInvalidQr, retried", async () => {
    const finan = new FakeFinanPayments();
    finan.answer = created(QR_1000_ACB, '257678859');
    const failure = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest(order)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'FinanInvalidQr', nonRetryable: false });
  });

  it('surfaces a QR that keeps failing its check after a few attempts, as non-retryable', async () => {
    const finan = new FakeFinanPayments();
    finan.answer = created(QR_1000_ACB, '257678859');
    const activities = createFinanPaymentActivities({ finan: finan.client() });
    await expect(inAttempt(MAX_INVALID_ANSWER_ATTEMPTS - 1, () => activities.createPaymentRequest(order))).rejects.toMatchObject({ type: 'FinanInvalidQr', nonRetryable: false });
    const failure = await inAttempt(MAX_INVALID_ANSWER_ATTEMPTS, () => activities.createPaymentRequest(order)).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'FinanInvalidQr', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toMatch(/ \(after 3 attempts\)$/);
  });

  it("an answer that is not the page's shape is retried, then surfaced with its details", async () => {
    const finan = new FakeFinanPayments();
    finan.failCreate = new FinanInvalidResponseError({ httpStatus: 200, requestId: 'abc123', reason: 'data.payment_request_id: is required' });
    const activities = createFinanPaymentActivities({ finan: finan.client() });
    await expect(inAttempt(1, () => activities.createPaymentRequest(order))).rejects.toMatchObject({ type: 'FinanInvalidResponse', nonRetryable: false });
    const failure = await inAttempt(3, () => activities.createPaymentRequest(order)).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'FinanInvalidResponse', nonRetryable: true, details: [{ httpStatus: 200, requestId: 'abc123' }] });
  });

  it("Finan refusing us stays as it is, whatever the attempt: non-retryable FinanForbidden", async () => {
    const finan = new FakeFinanPayments();
    finan.failCreate = new FinanForbiddenError({ httpStatus: 403, providerCode: 104000, requestId: 'abc123', providerMessage: 'IP address not whitelisted' });
    const failure = await inAttempt(5, () => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest(order)).catch((err: unknown) => err);
    expect(failure).toMatchObject({ type: 'FinanForbidden', nonRetryable: true, message: 'Finan 403 (code 104000, request_id abc123): IP address not whitelisted' });
  });
});

describe("reading Finan's payment requests", () => {
  it("reads one in our words, without merchant and customer", async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push({ ...listed('PR-550e8400', 'INV-001', 6000000, 'invoice'), amount: 6000000, merchant: { name: 'Finan pte' }, customer: { name: 'Nguyen Van A' } });
    const read = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).getPaymentRequest('PR-550e8400'));
    expect(read).toEqual({
      paymentRequestId: 'PR-550e8400',
      referenceId: 'INV-001',
      referenceType: 'invoice',
      amount: 6000000,
      paidAmount: 6000000,
      status: 'paid',
      payments: [{ paymentId: 'PAY-PR-550e8400', paymentRequestId: 'PR-550e8400', amount: 6000000, method: 'bank_transfer', createdAt: '2024-01-20T14:30:00Z' }],
    });
    expect(fromFinanPaymentRequest(finan.requests[0]!)).toEqual(read);
  });

  it('lists the requests of a reference', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'INV-001', 0, 'invoice'));
    const read = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).listPaymentRequests({ referenceType: 'invoice', referenceId: 'INV-001' }));
    expect(read.map((r) => r.paymentRequestId)).toEqual(['PR-A']);
    expect(finan.filters).toEqual([{ referenceType: 'invoice', referenceId: 'INV-001' }]);
  });

  it('keeps, for the reconciliation, only payments made at or after the mark, and requests that have one', async () => {
    const finan = new FakeFinanPayments();
    const pay = (id: string, created_at: string) => ({ id, amount: 1000, method: 'bank_transfer' as const, created_at });
    finan.requests.push(
      { ...listed('PR-OLD', 'ORDER-1', 0), payments: [pay('PAY-OLD', '2024-01-20T14:29:59Z')] },
      { ...listed('PR-MIXED', 'ORDER-2', 0), payments: [pay('PAY-BEFORE', '2024-01-20T14:00:00Z'), pay('PAY-AT', '2024-01-20T14:30:00Z'), pay('PAY-AFTER', '2024-01-20T15:00:00Z')] },
      listed('PR-NONE', 'ORDER-3', 0),
    );
    const read = await inAttempt(1, () => createFinanPaymentActivities({ finan: finan.client() }).listRecentlyPaidRequests('2024-01-20T14:30:00Z'));
    expect(read.map((r) => [r.paymentRequestId, r.payments.map((p) => p.paymentId)])).toEqual([['PR-MIXED', ['PAY-AT', 'PAY-AFTER']]]);
    expect(finan.filters).toEqual([{ since: '2024-01-20T14:30:00Z' }]);
  });
});

describe('what an operator is told, and what a cancellation stops', () => {
  it('an adoption is a warning naming the earlier requests; a request already paid, and a creation, are logged with their ids', async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'ORDER-1001', 50000));
    const paid = activityHarness(2);
    await paid.env.run(() => createFinanPaymentActivities({ finan: finan.client() }).createPaymentRequest({ ...order, paidEnoughAt: 50000 }));
    expect(paid.logs).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('adopted'), meta: expect.objectContaining({ earlier: ['PR-A'], attempt: 2 }) }));
    expect(paid.logs).toContainEqual(expect.objectContaining({ level: 'INFO', message: expect.stringContaining('nothing created'), meta: expect.objectContaining({ earlier: ['PR-A'], paid: 50000 }) }));

    const fresh = new FakeFinanPayments();
    const creating = activityHarness(1);
    await creating.env.run(() => createFinanPaymentActivities({ finan: fresh.client() }).createPaymentRequest(order));
    expect(creating.logs.filter((entry) => entry.level === 'WARN')).toEqual([]);
    expect(creating.logs).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: expect.stringContaining('created'), meta: expect.objectContaining({ paymentRequestId: '3fde043e-c3d6-40e8-9031-6eadfa02d2a2', requestId: 'd0a463bc089ea27859e2ebb5d33857c3' }) }),
    );
  });

  it("every Finan call carries the activity's cancellation signal", async () => {
    const finan = new FakeFinanPayments();
    finan.requests.push(listed('PR-A', 'ORDER-1001', 0));
    const { env } = activityHarness(1);
    const activities = createFinanPaymentActivities({ finan: finan.client() });
    await env.run(() => activities.createPaymentRequest(order));
    await env.run(() => activities.getPaymentRequest('PR-A'));
    await env.run(() => activities.listPaymentRequests({ referenceId: 'ORDER-1001' }));
    await env.run(() => activities.listRecentlyPaidRequests('2024-01-20T00:00:00Z'));
    expect(finan.signals).toHaveLength(5);
    expect(finan.signals).toEqual(finan.signals.map(() => env.context.cancellationSignal));
  });
});
