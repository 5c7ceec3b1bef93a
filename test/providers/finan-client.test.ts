import { inspect } from 'node:util';
import { FinanClient } from '../../providers/finan/client';
import type { FinanCall, FinanCallOptions, FinanClientOptions, FinanResponse } from '../../providers/finan/client';
import {
  FinanAbortedError,
  FinanBadRequestError,
  FinanForbiddenError,
  FinanInvalidResponseError,
  FinanNetworkError,
  FinanNotFoundError,
  FinanRateLimitedError,
  FinanRequestValidationError,
  FinanServerError,
  FinanTimeoutError,
  FinanUnauthorizedError,
  FinanUnprocessableError,
} from '../../providers/finan/errors';
import { PayoutList } from '../../providers/finan/schemas';
import type { CreatePayoutRequest, Payout } from '../../providers/finan/schemas';
import { CLIENT_ID, envelope, errorEnvelope, FakeFinan, failure, only, SECRET_KEY } from './fake-finan-server';

const PAYOUT_ID = '660e8400-e29b-41d4-a716-446655440001';

const createRequest: CreatePayoutRequest = {
  account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6000000,
  beneficiary_account_name: 'NGUYỄN VĂN A',
  beneficiary_account_number: '1234567890',
  beneficiary_bank_id: '161',
  currency: 'VND',
  reference_id: 'PAYOUT-001',
  description: 'thanh toán đơn hàng',
};

function payout(overrides: Partial<Payout> = {}): Payout {
  return {
    id: PAYOUT_ID,
    status: 'success',
    amount: 6000000,
    beneficiary_account_name: 'NGUYEN VAN A',
    beneficiary_account_number: '1234567890',
    beneficiary_bank_id: '161',
    reference_id: 'PAYOUT-001',
    remaining_try: 0,
    created_at: '2024-01-20T14:00:00Z',
    ...overrides,
  };
}

/** Exposes the shared signed exchange, as Finan's payments area will use it (GET with a query string). */
class FinanTestClient extends FinanClient {
  call<T>(call: FinanCall<T>, options?: FinanCallOptions): Promise<FinanResponse<T>> {
    return this.request(call, options);
  }
}

const finan = new FakeFinan();
let clock = 1_700_000_000;

function client(options: Partial<FinanClientOptions> = {}): FinanTestClient {
  return new FinanTestClient({ baseUrl: finan.baseUrl, clientId: CLIENT_ID, secretKey: SECRET_KEY, nowSeconds: () => clock++, ...options });
}

beforeAll(async () => {
  await finan.start();
});
afterAll(async () => {
  await finan.stop();
});

describe('FinanClient: signed requests', () => {
  it('creating a payout sends, byte for byte, the body it signed', async () => {
    finan.reset(() => ({ status: 200, body: envelope({ id: PAYOUT_ID, status: 'waiting_confirm', remaining_try: 3 }, 102001, 'req-create') }));

    const created = await client().createPayout(createRequest);

    expect(created).toEqual({ data: { id: PAYOUT_ID, status: 'waiting_confirm', remaining_try: 3 }, requestId: 'req-create', code: 102001 });
    const req = only(finan.received);
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v1/payouts');
    expect(req.signatureValid).toBe(true);
    expect(req.rawBody.equals(Buffer.from(JSON.stringify(createRequest), 'utf8'))).toBe(true);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-client-id']).toBe(CLIENT_ID);
    expect(req.headers['x-timestamp']).toMatch(/^\d{10}$/);
  });

  it('listing payouts signs an empty payload and sends no body', async () => {
    finan.reset(() => ({ status: 200, body: envelope([payout()]) }));

    const listed = await client().listPayouts();

    expect(listed.data).toEqual([payout()]);
    const req = only(finan.received);
    expect(req).toMatchObject({ method: 'GET', path: '/api/v1/payouts', signatureValid: true });
    expect(req.rawBody).toHaveLength(0);
  });

  it('a GET with a query string signs the query exactly as sent', async () => {
    finan.reset(() => ({ status: 200, body: envelope([]) }));

    await client().call({ method: 'GET', path: '/api/v1/payments', query: { reference_type: 'invoice', reference_id: 'INV-001' }, schema: PayoutList });
    await client().call({ method: 'GET', path: '/api/v1/payments', query: { reference_id: 'HĐ 001/ä&x=1' }, schema: PayoutList });

    expect(finan.received.map((r) => [r.path, r.signatureValid])).toEqual([
      ['/api/v1/payments?reference_type=invoice&reference_id=INV-001', true],
      ['/api/v1/payments?reference_id=H%C4%90+001%2F%C3%A4%26x%3D1', true],
    ]);
  });

  it('reading a payout escapes its id in the path it signs', async () => {
    finan.reset(() => ({ status: 200, body: envelope(payout()) }));

    const read = await client().getPayout('a/b c?d');

    expect(read.data.id).toBe(PAYOUT_ID);
    expect(only(finan.received)).toMatchObject({ path: '/api/v1/payouts/a%2Fb%20c%3Fd', signatureValid: true });
  });

  it('every call is signed with a fresh timestamp', async () => {
    finan.reset(() => ({ status: 200, body: envelope([]) }));
    const c = client();

    await c.listPayouts();
    await c.listPayouts();

    const [first, second] = finan.received.map((r) => Number(r.headers['x-timestamp']));
    expect(second).toBe((first ?? 0) + 1);
  });

  it('a wrong secret is refused by the server (the check is real)', async () => {
    finan.reset(() => ({ status: 200, body: envelope([]) }));

    const err = await failure(client({ secretKey: 'wrong' }).listPayouts());

    expect(err).toBeInstanceOf(FinanUnauthorizedError);
    expect(only(finan.received).signatureValid).toBe(false);
  });
});

describe('FinanClient: OTP', () => {
  it('an OTP starting with 0 is sent as the integer Finan expects: "012345" → {"code":12345}', async () => {
    finan.reset(() => ({ status: 200, body: envelope({ id: PAYOUT_ID, status: 'processing', remaining_try: 2 }) }));

    const verified = await client().verifyPayoutOtp(PAYOUT_ID, '012345');

    expect(verified.data).toEqual({ id: PAYOUT_ID, status: 'processing', remaining_try: 2 });
    const req = only(finan.received);
    expect(req).toMatchObject({ method: 'POST', path: `/api/v1/payouts/${PAYOUT_ID}/otps`, signatureValid: true });
    expect(req.rawBody.toString('utf8')).toBe('{"code":12345}');
  });

  it.each(['abc', '12345', '1234567', ' 123456', '12345a', ''])('an OTP of %p is refused locally, nothing sent', async (code) => {
    finan.reset(() => ({ status: 200, body: envelope({}) }));

    const err = await failure(client().verifyPayoutOtp(PAYOUT_ID, code));

    expect(err).toBeInstanceOf(FinanRequestValidationError);
    expect(err).toMatchObject({ field: 'code', retryable: false, httpStatus: undefined });
    expect(err.message).toBe('Invalid Finan request: code must be the 6-digit OTP');
    expect(finan.received).toHaveLength(0);
  });

  it('a wrong OTP answers 422 "Invalid OTP code", not retryable', async () => {
    finan.reset(() => ({ status: 422, body: errorEnvelope('Invalid OTP code', 'abc') }));

    const err = await failure(client().verifyPayoutOtp(PAYOUT_ID, '123456'));

    expect(err).toBeInstanceOf(FinanUnprocessableError);
    expect(err.message).toBe('Finan 422 (code 104000, request_id abc): Invalid OTP code');
    expect(err.retryable).toBe(false);
  });
});

describe('FinanClient: local validation', () => {
  it('a description of 31 characters is refused before sending, naming description', async () => {
    finan.reset(() => ({ status: 200, body: envelope({}) }));

    const err = await failure(client().createPayout({ ...createRequest, description: 'x'.repeat(31) }));

    expect(err).toBeInstanceOf(FinanRequestValidationError);
    expect(err.message).toBe('Invalid Finan request: description must be at most 30 characters');
    expect(err.toJSON()).toMatchObject({ name: 'FinanRequestValidationError', field: 'description', retryable: false });
    expect(finan.received).toHaveLength(0);
  });

  it('an unknown field is named', async () => {
    const err = await failure(client().createPayout({ ...createRequest, referenceId: 'X' } as CreatePayoutRequest));
    expect(err.message).toBe('Invalid Finan request: referenceId is not a field Finan knows');
  });

  it('an empty payout id or reference is refused', async () => {
    await expect(client().getPayout('')).rejects.toBeInstanceOf(FinanRequestValidationError);
    await expect(client().getPayout('..')).rejects.toBeInstanceOf(FinanRequestValidationError);
    await expect(client().findPayoutsByReference('')).rejects.toBeInstanceOf(FinanRequestValidationError);
  });

  it('a bad configuration fails at construction', () => {
    expect(() => client({ baseUrl: 'ftp://example.com/open' })).toThrow(TypeError);
    expect(() => client({ baseUrl: 'not a url' })).toThrow(TypeError);
    expect(() => client({ secretKey: '' })).toThrow(TypeError);
    expect(() => client({ timeoutMs: 0 })).toThrow(RangeError);
  });
});

describe('FinanClient: finding payouts by reference', () => {
  it('keeps only the payouts carrying that reference_id', async () => {
    finan.reset(() => ({
      status: 200,
      body: envelope([payout({ id: 'p1' }), payout({ id: 'p2', reference_id: 'OTHER' }), payout({ id: 'p3', reference_id: null }), payout({ id: 'p4', status: 'failed' })], 102000, 'req-list'),
    }));

    const found = await client().findPayoutsByReference('PAYOUT-001');

    expect(found.data.map((p) => p.id)).toEqual(['p1', 'p4']);
    expect(found.requestId).toBe('req-list');
  });

  it("checks only the payouts carrying the reference: another payout's odd entry does not stop it, ours must be valid", async () => {
    const odd = { id: 'x', status: 'unknown-status', reference_id: 'OTHER' };
    finan.reset(() => ({ status: 200, body: envelope([odd, payout({ id: 'p1' })], 102000, 'req-list') }));
    expect((await client().findPayoutsByReference('PAYOUT-001')).data.map((p) => p.id)).toEqual(['p1']);

    finan.reset(() => ({ status: 200, body: envelope([{ ...odd, reference_id: 'PAYOUT-001' }, payout({ id: 'p1' })], 102000, 'req-list') }));
    await expect(client().findPayoutsByReference('PAYOUT-001')).rejects.toBeInstanceOf(FinanInvalidResponseError);

    finan.reset(() => ({ status: 200, body: envelope({ not: 'a list' }, 102000, 'req-list') }));
    await expect(client().findPayoutsByReference('PAYOUT-001')).rejects.toBeInstanceOf(FinanInvalidResponseError);
  });
});

describe('FinanClient: payment requests paid since a time', () => {
  const request = (id: string, paidAt: (string | number)[]) => ({
    payment_request_id: id,
    paid_amount: 1000 * paidAt.length,
    status: paidAt.length ? 'paid' : 'unpaid',
    payment_method: 'bank_transfer',
    amount: 1000,
    reference_id: id,
    payments: paidAt.map((at, i) => ({ id: `${id}-${i}`, amount: 1000, method: 'bank_transfer', created_at: at })),
  });

  it('keeps the requests with a payment at or after the time, the whole list signed and asked for', async () => {
    finan.reset(() => ({
      status: 200,
      body: envelope([request('OLD', ['2024-01-20T14:29:59Z']), request('AT', ['2024-01-20T14:00:00Z', '2024-01-20T14:30:00Z']), request('NONE', []), request('ODD', [42])], 102000, 'req-list'),
    }));
    await expect(client().listPaymentRequestsPaidSince('2024-01-20T14:30:00Z')).rejects.toBeInstanceOf(FinanInvalidResponseError);
    expect(only(finan.received)).toMatchObject({ method: 'GET', path: '/api/v1/payments' });

    finan.reset(() => ({ status: 200, body: envelope([request('OLD', ['2024-01-20T14:29:59Z']), request('AT', ['2024-01-20T14:00:00Z', '2024-01-20T14:30:00Z']), request('NONE', []), { odd: true, payments: [] }], 102000, 'req-list') }));
    const found = await client().listPaymentRequestsPaidSince('2024-01-20T14:30:00Z');
    expect(found.data.map((r) => r.payment_request_id)).toEqual(['AT']);
    expect(found.data[0]!.payments).toHaveLength(2);
  });

  it('refuses a time that is not one, sending nothing', async () => {
    finan.reset(() => ({ status: 200, body: envelope([], 102000, 'req-list') }));
    await expect(client().listPaymentRequestsPaidSince('yesterday')).rejects.toBeInstanceOf(FinanRequestValidationError);
    expect(finan.received).toHaveLength(0);
  });
});

describe('FinanClient: error mapping', () => {
  it.each([
    [400, FinanBadRequestError, false, 'Invalid OTP format'],
    [401, FinanUnauthorizedError, false, 'Invalid signature'],
    [403, FinanForbiddenError, false, 'IP address not whitelisted'],
    [404, FinanNotFoundError, false, 'Payout not found'],
    [422, FinanUnprocessableError, false, 'Insufficient balance'],
    [429, FinanRateLimitedError, true, 'Too many requests'],
    [500, FinanServerError, true, 'Internal error'],
    [502, FinanServerError, true, 'Bad gateway'],
    [503, FinanServerError, true, 'Unavailable'],
    [409, FinanServerError, true, 'Conflict'],
  ])('HTTP %d → %p, retryable %p', async (status, errorClass, retryable, providerMessage) => {
    const requestId = `req-${status}`;
    finan.reset(() => ({ status, body: errorEnvelope(providerMessage, requestId) }));

    const err = await failure(client().createPayout(createRequest));

    expect(err).toBeInstanceOf(errorClass);
    expect(err).toMatchObject({ retryable, httpStatus: status, providerCode: 104000, requestId, providerMessage });
    expect(err.message).toBe(`Finan ${status} (code 104000, request_id ${requestId}): ${providerMessage}`);
    expect(err.toJSON()).toEqual({
      name: errorClass.name,
      message: err.message,
      httpStatus: status,
      providerCode: 104000,
      requestId,
      providerMessage,
      retryable,
      ...(status === 429 ? { retryAfterMs: undefined } : {}),
    });
  });

  it('falls back to message.content when Finan gives no message.error', async () => {
    finan.reset(() => ({ status: 400, body: errorEnvelope(undefined, 'req-c') }));

    const err = await failure(client().listPayouts());

    expect(err.providerMessage).toBe('Yêu cầu không hợp lệ');
  });

  it('an error page that is not JSON keeps the status, and the request id from x-request-id', async () => {
    finan.reset(() => ({ status: 502, body: '<html>Bad Gateway</html>', headers: { 'content-type': 'text/html', 'x-request-id': 'edge-1' } }));

    const err = await failure(client().listPayouts());

    expect(err).toBeInstanceOf(FinanServerError);
    expect(err).toMatchObject({ httpStatus: 502, providerCode: undefined, requestId: 'edge-1', retryable: true });
    expect(err.message).toBe('Finan 502 (request_id edge-1): Bad Gateway');
  });

  it('a 200 whose envelope carries code 104000 is an error, not data', async () => {
    finan.reset(() => ({ status: 200, body: errorEnvelope('Invalid OTP code', 'req-200') }));

    const err = await failure(client().verifyPayoutOtp(PAYOUT_ID, '123456'));

    expect(err).toBeInstanceOf(FinanUnprocessableError);
    expect(err).toMatchObject({ httpStatus: 200, providerCode: 104000, requestId: 'req-200', retryable: false });
  });

  describe('429 Retry-After', () => {
    it('in seconds', async () => {
      finan.reset(() => ({ status: 429, body: errorEnvelope('Too many requests', 'r'), headers: { 'retry-after': '7' } }));
      const err = await failure(client().listPayouts());
      expect(err).toBeInstanceOf(FinanRateLimitedError);
      expect((err as FinanRateLimitedError).retryAfterMs).toBe(7000);
      expect(err.toJSON()).toMatchObject({ retryAfterMs: 7000, retryable: true });
    });

    it('as an HTTP date', async () => {
      const at = new Date(Date.now() + 30_000);
      finan.reset(() => ({ status: 429, body: errorEnvelope('Too many requests', 'r'), headers: { 'retry-after': at.toUTCString() } }));
      const err = (await failure(client().listPayouts())) as FinanRateLimitedError;
      expect(err.retryAfterMs).toBeGreaterThan(25_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    });

    it('absent or unreadable', async () => {
      finan.reset(() => ({ status: 429, body: errorEnvelope('Too many requests', 'r'), headers: { 'retry-after': 'soon' } }));
      const err = (await failure(client().listPayouts())) as FinanRateLimitedError;
      expect(err.retryAfterMs).toBeUndefined();
    });
  });

  it('a 2xx body that is not JSON is an invalid response, retryable', async () => {
    finan.reset(() => ({ status: 200, body: '<html>captive portal</html>', headers: { 'x-request-id': 'edge-2' } }));

    const err = await failure(client().listPayouts());

    expect(err).toBeInstanceOf(FinanInvalidResponseError);
    expect(err).toMatchObject({ httpStatus: 200, requestId: 'edge-2', retryable: true });
    expect(err.message).toBe('Finan 200 (request_id edge-2): invalid response: body is not JSON');
  });

  it('a 2xx JSON body that is not the envelope is an invalid response', async () => {
    finan.reset(() => ({ status: 200, body: { ok: true } }));
    const err = await failure(client().listPayouts());
    expect(err).toBeInstanceOf(FinanInvalidResponseError);
    expect(err.message).toContain("not Finan's envelope");
  });

  it('data of the wrong shape is an invalid response naming the field, never its value', async () => {
    finan.reset(() => ({ status: 200, body: envelope(payout({ status: 'refunded' as Payout['status'], beneficiary_account_name: 'NGUYEN VAN B' }), 102000, 'req-bad') }));

    const err = await failure(client().getPayout(PAYOUT_ID));

    expect(err).toBeInstanceOf(FinanInvalidResponseError);
    expect(err.requestId).toBe('req-bad');
    expect(err.message).toMatch(/^Finan 200 \(request_id req-bad\): invalid response: data\.status: /);
    expect(err.message).not.toContain('refunded');
  });
});

describe('FinanClient: transport failures', () => {
  it('a server that never answers → FinanTimeoutError once timeoutMs has passed', async () => {
    finan.reset(() => 'hang');
    const started = Date.now();

    const err = await failure(client({ timeoutMs: 300 }).listPayouts());

    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(FinanTimeoutError);
    expect(err).toMatchObject({ retryable: true, timeoutMs: 300, httpStatus: undefined });
    expect(err.message).toBe('Finan GET /api/v1/payouts: no response within 300 ms');
    // Not before the budget (a timer never fires early); the fake hangs forever, so any answer at all is the timeout's.
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(finan.received).toHaveLength(1);
  });

  it('a body that stops half-way also times out', async () => {
    finan.reset(() => 'stall-body');
    await expect(client({ timeoutMs: 300 }).listPayouts()).rejects.toBeInstanceOf(FinanTimeoutError);
  });

  it('the caller aborting mid-request → FinanAbortedError, not retryable', async () => {
    const controller = new AbortController();
    // Abort once Finan has the request and is (forever) working on it: mid-request by construction, not by timing.
    finan.reset(() => {
      controller.abort();
      return 'hang';
    });

    const err = await failure(client({ timeoutMs: 60_000 }).createPayout(createRequest, { signal: controller.signal }));

    expect(err).toBeInstanceOf(FinanAbortedError);
    expect(err.retryable).toBe(false);
    expect(finan.received).toHaveLength(1);
  });

  it('an already-cancelled caller sends nothing', async () => {
    finan.reset(() => ({ status: 200, body: envelope([]) }));
    const err = await failure(client().listPayouts({ signal: AbortSignal.abort() }));
    expect(err).toBeInstanceOf(FinanAbortedError);
    expect(finan.received).toHaveLength(0);
  });

  it('a server that drops the connection → FinanNetworkError with the system code', async () => {
    finan.reset(() => 'destroy');

    const err = await failure(client().createPayout(createRequest));

    expect(err).toBeInstanceOf(FinanNetworkError);
    expect(err).toMatchObject({ retryable: true, code: 'ECONNRESET' });
    expect(err.message).toBe('Finan POST /api/v1/payouts: network error (ECONNRESET)');
  });

  it('nobody listening → FinanNetworkError ECONNREFUSED', async () => {
    const gone = await new FakeFinan().start();
    const baseUrl = gone.baseUrl;
    await gone.stop();

    const err = await failure(client({ baseUrl }).listPayouts());

    expect(err).toBeInstanceOf(FinanNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', retryable: true });
  });
});

describe('FinanClient: secrets', () => {
  it('the secret key is in no error, no error JSON and no printed client', async () => {
    const errors: unknown[] = [];
    for (const reply of [{ status: 401, body: errorEnvelope('Invalid signature', 'r') }, { status: 200, body: 'nope' }, 'destroy' as const]) {
      finan.reset(() => reply);
      errors.push(await failure(client().createPayout(createRequest)));
    }
    finan.reset(() => 'hang');
    errors.push(await failure(client({ timeoutMs: 100 }).listPayouts()));

    const c = client();
    for (const printed of [...errors.map((e) => inspect(e, { depth: 10 })), ...errors.map((e) => JSON.stringify(e)), inspect(c, { depth: 10 }), JSON.stringify(c)]) {
      expect(printed).not.toContain(SECRET_KEY);
      expect(printed).not.toContain('x-signature');
    }
  });
});
