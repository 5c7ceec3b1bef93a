/**
 * The Tingee sandbox against the page (`provider-docs/tingee-einvoice-account.txt`): its example request and answer,
 * its error codes 90 / 91 / 97, the ±10 minute window read in UTC+7, the duplicate rule on merchantId + provider +
 * taxCode, and both envelopes. Requests are signed here by a small signer of the tests' own, from the page.
 */
import { createHash, createHmac } from 'node:crypto';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { isValidTingeeSignature } from '../../sandbox/tingee/signature';
import { instantOfTingeeTimestamp } from '../../sandbox/tingee/timestamp';

const CLIENT_ID = 'sandbox-tingee-client';
const SECRET_KEY = 'sandbox-tingee-secret';
const CREATE = '/v1/e-invoice/create-or-update-account';
const PAGE = '/v1/e-invoice/get-paging-account';

/** The page's example body, in its order. */
const PAGE_EXAMPLE = { provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', password: 'your_password', isDefault: true, isActive: true };

/** `yyyyMMddHHmmssSSS` in UTC+7, by shifting the instant and reading its ISO (UTC) digits. */
const hanoiTimestamp = (instantMs: number) => new Date(instantMs + 7 * 3_600_000).toISOString().replace(/\D/g, '').slice(0, 17);
const utcTimestamp = (instantMs: number) => new Date(instantMs).toISOString().replace(/\D/g, '').slice(0, 17);
const sign = (secret: string, timestamp: string, body: string) => createHmac('sha512', secret).update(`${timestamp}:${body}`).digest('hex');

interface Call {
  path?: string;
  /** An object is sent as compact JSON; a string as is. */
  body?: unknown;
  timestamp?: string;
  secret?: string;
  clientId?: string;
  /** Sign this instead of the body sent. */
  signedBody?: string;
  omit?: ReadonlyArray<'x-client-id' | 'x-signature' | 'x-request-timestamp'>;
}

let sandbox: RunningSandbox;

async function call({ path = CREATE, body = PAGE_EXAMPLE, timestamp = hanoiTimestamp(Date.now()), secret = SECRET_KEY, clientId = CLIENT_ID, signedBody, omit = [] }: Call = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-client-id': clientId,
    'x-request-timestamp': timestamp,
    'x-signature': sign(secret, timestamp, signedBody ?? text),
  };
  for (const name of omit) delete headers[name];
  const response = await fetch(`${sandbox.tingeeBaseUrl}${path}`, { method: 'POST', headers, body: text });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const control = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${sandbox.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, unknown>;
};

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await control('POST', '/reset');
});

describe('Tingee sandbox: create-or-update-account', () => {
  it("answers the page's example request with the page's example answer", async () => {
    expect(await call()).toEqual({
      status: 200,
      body: { data: { id: 1, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', isDefault: true, isActive: true }, success: true, error: null },
    });
  });

  it('keeps the password (as its sha256 for the control), never answers it', async () => {
    const created = await call();
    expect(JSON.stringify(created.body)).not.toContain('your_password');
    expect(await control('GET', '/tingee/einvoice-accounts')).toEqual({
      accounts: [{ id: 1, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', isDefault: true, isActive: true, passwordSha256: createHash('sha256').update('your_password').digest('hex') }],
    });
  });

  it("applies the page's defaults: isDefault false, isActive true", async () => {
    const { body } = await call({ body: { provider: 'hilo', taxCode: '0309876543', username: 'u', password: 'p' } });
    expect(body.data).toMatchObject({ isDefault: false, isActive: true });
  });

  it('refuses a second create for the same merchantId + provider + taxCode; with id it updates', async () => {
    await call();
    expect(await call({ body: { ...PAGE_EXAMPLE, username: 'other' } })).toEqual({ status: 200, body: { data: null, success: false, error: '1002' } });
    const updated = await call({ body: { id: 1, ...PAGE_EXAMPLE, username: 'ketoan@company.vn', password: 'new', isActive: false } });
    expect(updated.body).toMatchObject({ success: true, data: { id: 1, username: 'ketoan@company.vn', isActive: false } });
    const { accounts } = (await control('GET', '/tingee/einvoice-accounts')) as { accounts: { passwordSha256: string }[] };
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.passwordSha256).toBe(createHash('sha256').update('new').digest('hex'));
  });

  it('keys the duplicate check on all three: another provider, tax code or merchant is another account', async () => {
    await call();
    expect((await call({ body: { ...PAGE_EXAMPLE, provider: 'hilo' } })).body).toMatchObject({ success: true, data: { id: 2 } });
    expect((await call({ body: { ...PAGE_EXAMPLE, taxCode: '0101234567-001' } })).body).toMatchObject({ success: true, data: { id: 3 } });
    expect((await call({ body: { ...PAGE_EXAMPLE, merchantId: 20002 } })).body).toMatchObject({ success: true, data: { id: 4, merchantId: 20002 } });
  });

  it('refuses an update of an unknown id, or of another merchant\'s account', async () => {
    await call();
    expect((await call({ body: { id: 99, ...PAGE_EXAMPLE } })).body).toEqual({ data: null, success: false, error: '1003' });
    expect((await call({ body: { id: 1, ...PAGE_EXAMPLE, merchantId: 20002 } })).body).toEqual({ data: null, success: false, error: '1003' });
  });

  it('validates the body table: required fields, the listed providers, the types; every problem named', async () => {
    await control('PUT', '/tingee/envelope', { form: 'code' });
    expect((await call({ body: { taxCode: '0101234567', username: 'u' } })).body).toEqual({ code: '1001', message: 'provider is required; password is required', data: null });
    expect((await call({ body: { ...PAGE_EXAMPLE, provider: 'misa' } })).body).toMatchObject({ code: '1001', message: 'provider must be one of x-cyber, hilo, s-invoice' });
    expect((await call({ body: { ...PAGE_EXAMPLE, isDefault: 'true', id: '1' } })).body).toMatchObject({ code: '1001', message: 'id must be a positive integer; isDefault must be true or false' });
    expect((await call({ body: 'not json' })).body).toMatchObject({ code: '1001', message: 'request body must be valid JSON' });
    expect(await control('GET', '/tingee/einvoice-accounts')).toEqual({ accounts: [] });
  });
});

describe('Tingee sandbox: signature and timestamp (codes 90, 91, 97)', () => {
  it('accepts the signature over the exact bytes sent, spaces included, and nothing else', async () => {
    const spaced = JSON.stringify(PAGE_EXAMPLE, null, 2);
    expect((await call({ body: spaced })).body).toMatchObject({ success: true });
    await control('POST', '/reset');
    expect((await call({ body: spaced, signedBody: JSON.stringify(PAGE_EXAMPLE) })).body).toEqual({ data: null, success: false, error: '97' });
  });

  it.each([
    ['a wrong secret key', { secret: 'YOUR_SECRET_KEY' }],
    ['an unknown client id', { clientId: 'YOUR_CLIENT_ID' }],
    ['no x-signature', { omit: ['x-signature'] as const }],
    ['no x-client-id', { omit: ['x-client-id'] as const }],
  ])('answers 97 (Sai chữ ký) for %s, and stores nothing', async (_what, overrides) => {
    expect(await call(overrides)).toEqual({ status: 200, body: { data: null, success: false, error: '97' } });
    expect(await control('GET', '/tingee/einvoice-accounts')).toEqual({ accounts: [] });
  });

  it.each([
    ['missing', undefined],
    ['ISO 8601', '2025-12-09T10:39:11.111'],
    ['Unix seconds', '1765251551'],
    ['without milliseconds', '20251209103911'],
    ['the 13th month', '20251309103911111'],
    ['30 February', '20250230103911111'],
  ])('answers 90 (Sai format timestamp) for a timestamp %s', async (_what, timestamp) => {
    const result = await call(timestamp === undefined ? { omit: ['x-request-timestamp'] } : { timestamp });
    expect(result.body).toEqual({ data: null, success: false, error: '90' });
  });

  it('reads the timestamp in UTC+7: the same instant formatted in UTC (7 hours off) has expired (91)', async () => {
    expect((await call({ timestamp: utcTimestamp(Date.now()) })).body).toEqual({ data: null, success: false, error: '91' });
  });

  it('accepts ±10 minutes around its clock, and answers 91 (Request quá hạn) beyond', async () => {
    const now = Date.now();
    expect((await call({ timestamp: hanoiTimestamp(now - 9 * 60_000) })).body).toMatchObject({ success: true });
    await control('POST', '/reset');
    expect((await call({ timestamp: hanoiTimestamp(now + 9 * 60_000) })).body).toMatchObject({ success: true });
    expect((await call({ timestamp: hanoiTimestamp(now - 11 * 60_000) })).body).toEqual({ data: null, success: false, error: '91' });
    expect((await call({ timestamp: hanoiTimestamp(now + 11 * 60_000) })).body).toEqual({ data: null, success: false, error: '91' });
  });

  it("reads the window on Tingee's own clock: skewed 11 minutes, a fresh timestamp has expired (91)", async () => {
    expect(await control('PUT', '/tingee/clock', { offsetMs: 11 * 60_000 })).toEqual({ offsetMs: 660_000 });
    expect((await call()).body).toEqual({ data: null, success: false, error: '91' });
    expect((await call({ timestamp: hanoiTimestamp(Date.now() + 11 * 60_000) })).body).toMatchObject({ success: true });
    await control('POST', '/reset');
    expect(await control('GET', '/tingee/clock')).toEqual({ offsetMs: 0 });
  });

  it("the page's sample timestamp 20251209103911111 is 03:39:11.111 UTC; the vector verifies", () => {
    expect(instantOfTingeeTimestamp('20251209103911111')).toBe(Date.UTC(2025, 11, 9, 3, 39, 11, 111));
    const vector = 'f460f258f2826263286612f46cebe25a22fcba679d102c79681b6df858b45067dba004d4b42dac78059d2fca4dabfce9439bbe01c6aa4c37edca0209bbe51335';
    expect(isValidTingeeSignature('secret', '20251209103911111', Buffer.from('{}'), vector)).toBe(true);
    expect(isValidTingeeSignature('secret', '20251209103911112', Buffer.from('{}'), vector)).toBe(false);
  });
});

describe('Tingee sandbox: envelopes, lookup and faults', () => {
  it('answers { code, message, data } when told to, "00" on success', async () => {
    expect(await control('PUT', '/tingee/envelope', { form: 'code' })).toEqual({ form: 'code' });
    expect((await call()).body).toEqual({ code: '00', message: 'Thành công', data: expect.objectContaining({ id: 1 }) });
    expect((await call({ secret: 'wrong' })).body).toEqual({ code: '97', message: 'Sai chữ ký', data: null });
    expect((await call({ timestamp: utcTimestamp(Date.now()) })).body).toEqual({ code: '91', message: 'Request quá hạn', data: null });
    expect((await call({ timestamp: 'x' })).body).toEqual({ code: '90', message: 'Sai format timestamp', data: null });
  });

  it('get-paging-account filters by merchant, provider and tax code, a page at a time', async () => {
    await call();
    await call({ body: { ...PAGE_EXAMPLE, provider: 'hilo' } });
    await call({ body: { ...PAGE_EXAMPLE, taxCode: '0309876543' } });
    expect((await call({ path: PAGE, body: { provider: 'x-cyber', taxCode: '0101234567' } })).body).toEqual({
      data: { items: [expect.objectContaining({ id: 1, provider: 'x-cyber', taxCode: '0101234567' })], totalCount: 1 },
      success: true,
      error: null,
    });
    expect((await call({ path: PAGE, body: { skipCount: 1, maxResultCount: 1 } })).body).toMatchObject({ data: { items: [{ id: 2 }], totalCount: 3 } });
    expect((await call({ path: PAGE, body: { merchantId: 20002 } })).body).toMatchObject({ data: { items: [], totalCount: 0 } });
    expect(JSON.stringify((await call({ path: PAGE, body: {} })).body)).not.toContain('password');
  });

  it('applies fault rules on the path after /tingee: an injected 503 stores nothing, commit-then-drop stores and drops', async () => {
    await control('POST', '/faults', { rules: [{ path: CREATE, errorRate: 1, errorStatus: 503 }] });
    expect((await call()).status).toBe(503);
    expect(await control('GET', '/tingee/einvoice-accounts')).toEqual({ accounts: [] });
    await control('POST', '/faults', { rules: [{ path: CREATE, commitThenDropRate: 1 }] });
    await expect(call()).rejects.toThrow();
    expect(((await control('GET', '/tingee/einvoice-accounts')) as { accounts: unknown[] }).accounts).toHaveLength(1);
    await control('DELETE', '/faults');
  });

  it('answers 404 for a route the page does not list', async () => {
    expect((await call({ path: '/v1/e-invoice/nope' })).status).toBe(404);
  });
});
