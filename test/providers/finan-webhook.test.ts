import { createHash } from 'node:crypto';
import {
  FinanWebhookError,
  FinanWebhookHeaderError,
  FinanWebhookPayloadError,
  FinanWebhookSignatureError,
  FinanWebhookStaleError,
} from '../../providers/finan/errors';
import { verifyFinanWebhook } from '../../providers/finan/webhook';
import type { FinanWebhookInput } from '../../providers/finan/webhook';

/** The payments page's webhook body, verbatim, as Finan would send it (compact JSON). */
const PAGE_BODY = JSON.stringify({
  id: 'PAY-001',
  reference_id: 'DH970422',
  payment_method: 'bank_transfer',
  payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
  amount: 6000000,
  created_at: '2024-01-20T14:30:00Z',
});
const SECRET = 'webhook-secret';
const OLD_SECRET = 'webhook-secret-before-rotation';
const NOW = 1_705_761_005; // 2024-01-20T14:30:05Z, the page's acknowledgement time
const PATH = '/webhook'; // the page's handler path

/** The page's generateSignature, written out independently of providers/finan/sign.ts. */
function pageSignature(secret: string, method: string, path: string, body: string, timestamp: string): string {
  return createHash('sha256').update(secret + '_' + method + '_' + path + '_' + body + '_' + timestamp).digest('hex');
}

function input(overrides: Partial<FinanWebhookInput> = {}, body = PAGE_BODY, secret = SECRET, timestamp = String(NOW)): FinanWebhookInput {
  return {
    rawBody: Buffer.from(body, 'utf8'),
    headers: { 'x-client-id': 'YOUR_CLIENT_ID', 'x-signature': pageSignature(secret, 'POST', PATH, body, timestamp), 'x-timestamp': timestamp },
    path: PATH,
    secrets: [SECRET],
    nowSeconds: NOW,
    toleranceSeconds: 300,
    ...overrides,
  };
}

function refusal(given: FinanWebhookInput): FinanWebhookError {
  try {
    verifyFinanWebhook(given);
  } catch (error) {
    expect(error).toBeInstanceOf(FinanWebhookError);
    return error as FinanWebhookError;
  }
  throw new Error('the webhook was accepted');
}

describe("verifying Finan's payment webhook", () => {
  it("accepts the page's example signed as the page signs it, and returns the payment", () => {
    expect(verifyFinanWebhook(input())).toEqual({
      event: {
        id: 'PAY-001',
        reference_id: 'DH970422',
        reference_type: null,
        payment_method: 'bank_transfer',
        payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
        amount: 6000000,
        created_at: '2024-01-20T14:30:00Z',
      },
      timestamp: NOW,
      secretIndex: 0,
    });
  });

  it('keeps reference_type (from the field table) and reads a payment with no request as nulls', () => {
    const body = JSON.stringify({ id: 'PAY-2', reference_id: 'INV-001', reference_type: 'invoice', payment_method: 'bank_transfer', payment_request_id: 'p', amount: 1, created_at: '2024-01-20T14:30:00Z' });
    expect(verifyFinanWebhook(input({}, body)).event).toMatchObject({ reference_type: 'invoice', reference_id: 'INV-001' });
    const orphan = JSON.stringify({ id: 'PAY-3', reference_id: null, payment_method: 'bank_transfer', payment_request_id: '', amount: 1, created_at: '2024-01-20T14:30:00Z' });
    expect(verifyFinanWebhook(input({}, orphan)).event).toMatchObject({ payment_request_id: null, reference_id: null, reference_type: null });
  });

  it('accepts either secret during a rotation, and says which one matched', () => {
    const secrets = [SECRET, OLD_SECRET];
    expect(verifyFinanWebhook(input({ secrets })).secretIndex).toBe(0);
    expect(verifyFinanWebhook(input({ secrets }, PAGE_BODY, OLD_SECRET)).secretIndex).toBe(1);
    expect(refusal(input({ secrets: [SECRET] }, PAGE_BODY, OLD_SECRET))).toBeInstanceOf(FinanWebhookSignatureError);
  });

  it('verifies the raw bytes: re-serialized JSON with other spacing does not verify', () => {
    const signed = input();
    const spaced = JSON.stringify(JSON.parse(PAGE_BODY), null, 1);
    expect(refusal({ ...signed, rawBody: spaced })).toBeInstanceOf(FinanWebhookSignatureError);
    // A body given as a string is the same bytes.
    expect(verifyFinanWebhook({ ...signed, rawBody: PAGE_BODY }).event.id).toBe('PAY-001');
  });

  it("covers the receiver's own path: a webhook signed for another path is refused", () => {
    expect(refusal(input({ path: '/webhooks/finan' }))).toBeInstanceOf(FinanWebhookSignatureError);
  });

  it('accepts an upper-case hex signature and header names in any case', () => {
    const signed = input();
    const headers = { 'X-Signature': String(signed.headers['x-signature']).toUpperCase(), 'X-Timestamp': String(NOW) };
    expect(verifyFinanWebhook({ ...signed, headers }).event.id).toBe('PAY-001');
  });

  it.each([
    ['x-signature', 'is missing', { 'x-timestamp': String(NOW) }],
    ['x-timestamp', 'is missing', { 'x-signature': 'a'.repeat(64) }],
    ['x-signature', 'is missing', { 'x-signature': '', 'x-timestamp': String(NOW) }],
    ['x-signature', 'is repeated', { 'x-signature': ['a', 'b'], 'x-timestamp': String(NOW) }],
    ['x-timestamp', 'is not Unix seconds', { 'x-signature': 'a'.repeat(64), 'x-timestamp': '2024-01-20T14:30:00Z' }],
  ])('refuses when %s %s', (header, problem, headers) => {
    const error = refusal(input({ headers }));
    expect(error).toBeInstanceOf(FinanWebhookHeaderError);
    expect(error).toMatchObject({ reason: 'header', header, retryable: false });
    expect(error.message).toBe(`Finan webhook refused: ${header} header ${problem}`);
  });

  it('checks x-client-id only when told which one to expect', () => {
    expect(verifyFinanWebhook(input({ clientId: 'YOUR_CLIENT_ID' })).event.id).toBe('PAY-001');
    expect(refusal(input({ clientId: 'someone-else' }))).toMatchObject({ reason: 'header', header: 'x-client-id' });
  });

  it('refuses a forged signature, saying nothing of the expected one', () => {
    const signed = input();
    const error = refusal({ ...signed, headers: { ...signed.headers, 'x-signature': 'f'.repeat(64) } });
    expect(error).toBeInstanceOf(FinanWebhookSignatureError);
    expect(error.message).toBe('Finan webhook refused: signature does not match');
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(String(signed.headers['x-signature']));
  });

  it('refuses a genuine webhook outside the window, either way', () => {
    expect(verifyFinanWebhook(input({ nowSeconds: NOW + 300 })).event.id).toBe('PAY-001');
    const late = refusal(input({ nowSeconds: NOW + 301 }));
    expect(late).toBeInstanceOf(FinanWebhookStaleError);
    expect(late.message).toBe(`Finan webhook refused: x-timestamp ${NOW} is 301 s from now (tolerance 300 s)`);
    expect(refusal(input({ nowSeconds: NOW - 301 }))).toBeInstanceOf(FinanWebhookStaleError);
  });

  it('a forged and stale webhook is reported as a bad signature, not as stale', () => {
    const signed = input({ nowSeconds: NOW + 10_000 });
    expect(refusal({ ...signed, headers: { ...signed.headers, 'x-signature': '0'.repeat(64) } })).toBeInstanceOf(FinanWebhookSignatureError);
  });

  it.each([
    ['not JSON', 'PAY-001', 'body is not JSON'],
    ['without an id', JSON.stringify({ amount: 1, payment_method: 'card', created_at: '2024-01-20T14:30:00Z' }), 'id:'],
    ['with a string amount', JSON.stringify({ id: 'P', amount: '6000000', payment_method: 'card', created_at: '2024-01-20T14:30:00Z' }), 'amount:'],
    ['with an unknown method', JSON.stringify({ id: 'P', amount: 1, payment_method: 'cash', created_at: '2024-01-20T14:30:00Z' }), 'payment_method:'],
    ['with a date that is not ISO 8601', JSON.stringify({ id: 'P', amount: 1, payment_method: 'card', created_at: '20/01/2024' }), 'created_at:'],
  ])('refuses a genuine body %s as a bad payload', (_name, body, problem) => {
    const error = refusal(input({}, body));
    expect(error).toBeInstanceOf(FinanWebhookPayloadError);
    expect(error.reason).toBe('payload');
    expect(error.message).toContain(problem);
  });

  it('refuses an x-timestamp that only ends in digits, even when signed over it', () => {
    const error = refusal(input({}, PAGE_BODY, SECRET, `v${NOW}`));
    expect(error).toMatchObject({ reason: 'header', header: 'x-timestamp' });
    expect(refusal(input({}, PAGE_BODY, SECRET, `${NOW}s`))).toMatchObject({ reason: 'header', header: 'x-timestamp' });
  });

  it('reads a header given as undefined as missing', () => {
    const signed = input();
    expect(refusal({ ...signed, headers: { ...signed.headers, 'x-timestamp': undefined } }).message).toBe('Finan webhook refused: x-timestamp header is missing');
  });

  it('says which x-client-id check failed', () => {
    expect(refusal(input({ clientId: 'someone-else' })).message).toBe('Finan webhook refused: x-client-id header is not our client id');
  });

  it('accepts a webhook without x-client-id when one is expected: the page does not promise the header, the signature decides', () => {
    const signed = input({ clientId: 'YOUR_CLIENT_ID' });
    const { 'x-client-id': _absent, ...headers } = signed.headers;
    expect(verifyFinanWebhook({ ...signed, headers }).event.id).toBe('PAY-001');
    expect(verifyFinanWebhook({ ...signed, headers: { ...headers, 'x-client-id': undefined } }).event.id).toBe('PAY-001');
  });

  it('a secret listed twice is reported at its newest position', () => {
    expect(verifyFinanWebhook(input({ secrets: [SECRET, SECRET] })).secretIndex).toBe(0);
  });

  it('a zero tolerance accepts a webhook stamped this very second', () => {
    expect(verifyFinanWebhook(input({ toleranceSeconds: 0 })).timestamp).toBe(NOW);
  });

  it('names at most three problems of a bad payload, field by field, and the body itself when it is not an object', () => {
    const error = refusal(input({}, JSON.stringify({ id: '', amount: -1, payment_method: 'cash', created_at: 'yesterday' }))) as FinanWebhookPayloadError;
    const problems = error.problem.split('; ');
    expect(problems).toHaveLength(3);
    for (const problem of problems) expect(problem).toMatch(/^(id|amount|payment_method|created_at): ./);
    expect((refusal(input({}, '[]')) as FinanWebhookPayloadError).problem).toMatch(/^\(body\): ./);
  });

  it('refuses to run without a secret or with a bad clock', () => {
    expect(() => verifyFinanWebhook(input({ secrets: [SECRET, ''] }))).toThrow(new TypeError('verifyFinanWebhook needs at least one non-empty secret'));
    expect(() => verifyFinanWebhook(input({ nowSeconds: Infinity }))).toThrow(new RangeError('nowSeconds must be finite Unix seconds'));
    expect(() => verifyFinanWebhook(input({ toleranceSeconds: -1 }))).toThrow(new RangeError('toleranceSeconds must be a non-negative number'));
    expect(() => verifyFinanWebhook(input({ toleranceSeconds: NaN }))).toThrow(RangeError);
    expect(() => verifyFinanWebhook(input({ path: 'webhook' }))).toThrow(new TypeError('path must be the receiver path, starting with /'));
    expect(() => verifyFinanWebhook(input({ path: 42 as unknown as string }))).toThrow(new TypeError('path must be the receiver path, starting with /'));
    expect(() => verifyFinanWebhook(input({ secrets: [42 as unknown as string] }))).toThrow(new TypeError('verifyFinanWebhook needs at least one non-empty secret'));
    expect(() => verifyFinanWebhook(input({ secrets: [] }))).toThrow(TypeError);
    expect(() => verifyFinanWebhook(input({ secrets: [''] }))).toThrow(TypeError);
    expect(() => verifyFinanWebhook(input({ nowSeconds: NaN }))).toThrow(RangeError);
    expect(() => verifyFinanWebhook(input({ path: 'webhook' }))).toThrow(TypeError);
  });
});
