/**
 * The Tingee client against the sandbox (the page's rules, both envelopes) and against a tiny stand-in server for
 * answers the sandbox never gives (code 90, a proxy's page, 429, nonsense): every answer becomes data or a typed
 * error with the HTTP status, Tingee's code and the request id, and no error ever holds the password.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  TingeeClient,
  TingeeError,
  TingeeInvalidResponseError,
  TingeeNetworkError,
  TingeeRateLimitedError,
  TingeeRefusedError,
  TingeeRequestExpiredError,
  TingeeRequestValidationError,
  TingeeServerError,
  TingeeSignatureError,
  TingeeTimestampFormatError,
} from '../../providers/tingee';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';

const PASSWORD = 'mat-khau-RAT-bi-mat';
const ACCOUNT = { provider: 'x-cyber' as const, taxCode: '0101234567', username: 'admin@company.vn', password: PASSWORD, isDefault: true, isActive: true };

let sandbox: RunningSandbox;
const clientFor = (overrides: Partial<ConstructorParameters<typeof TingeeClient>[0]> = {}) =>
  new TingeeClient({ baseUrl: sandbox.tingeeBaseUrl, clientId: 'sandbox-tingee-client', secretKey: 'sandbox-tingee-secret', ...overrides });
const control = async (method: string, path: string, body?: unknown) =>
  (await fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined })).json() as Promise<Record<string, unknown>>;
const stored = async () => ((await control('GET', '/tingee/einvoice-accounts')) as { accounts: unknown[] }).accounts;

async function failureOf(promise: Promise<unknown>): Promise<TingeeError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TingeeError);
  const error = err as TingeeError;
  // Whatever failed, the password is nowhere in what an operator or a log sees.
  expect(`${error.message} ${JSON.stringify(error.toJSON())}`).not.toContain(PASSWORD);
  return error;
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await control('POST', '/reset');
});

describe('Tingee client against the sandbox', () => {
  it.each(['success', 'code'])('creates, then updates by id, in the %s envelope', async (form) => {
    await control('PUT', '/tingee/envelope', { form });
    const tingee = clientFor();
    const created = await tingee.createOrUpdateAccount(ACCOUNT);
    expect(created).toEqual({ id: 1, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', isDefault: true, isActive: true });
    expect(await tingee.createOrUpdateAccount({ ...ACCOUNT, id: created.id, username: 'ketoan' })).toMatchObject({ id: 1, username: 'ketoan' });
    expect(await stored()).toHaveLength(1);
  });

  it("a create without id for an existing account is Tingee's refusal (the duplicate rule), not retried", async () => {
    const tingee = clientFor();
    await tingee.createOrUpdateAccount(ACCOUNT);
    const error = await failureOf(tingee.createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(TingeeRefusedError);
    expect(error).toMatchObject({ retryable: false, providerCode: '1002', httpStatus: 200 });
  });

  it('finds an account by merchantId + provider + taxCode, over pages; none is undefined', async () => {
    const tingee = clientFor();
    for (const provider of ['hilo', 's-invoice'] as const) await tingee.createOrUpdateAccount({ ...ACCOUNT, provider });
    const target = await tingee.createOrUpdateAccount(ACCOUNT);
    expect(await tingee.findAccount({ provider: 'x-cyber', taxCode: '0101234567' })).toEqual(target);
    expect(await tingee.findAccount({ provider: 'x-cyber', taxCode: '0101234567', merchantId: 20002 })).toBeUndefined();
    expect(await tingee.findAccount({ provider: 'hilo', taxCode: '0309876543' })).toBeUndefined();
  });

  it('a wrong secret key is code 97: a configuration error with a clear message, never retried', async () => {
    const error = await failureOf(clientFor({ secretKey: 'YOUR_SECRET_KEY' }).createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(TingeeSignatureError);
    expect(error).toMatchObject({ retryable: false, providerCode: '97', httpStatus: 200, requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(error.message).toContain('check TINGEE_CLIENT_ID and TINGEE_SECRET_KEY');
    expect(error.message).not.toContain('YOUR_SECRET_KEY');
  });

  it('a clock 11 minutes off is code 91, retryable; each call signs a fresh timestamp, so the next one passes', async () => {
    let calls = 0;
    const tingee = clientFor({ nowMs: () => Date.now() - (calls++ === 0 ? 11 * 60_000 : 0) });
    const error = await failureOf(tingee.createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(TingeeRequestExpiredError);
    expect(error).toMatchObject({ retryable: true, providerCode: '91' });
    expect(await tingee.createOrUpdateAccount(ACCOUNT)).toMatchObject({ id: 1 });
  });

  it('refuses a request locally, naming the field and never its value, and sends nothing', async () => {
    const tingee = clientFor();
    const empty = await failureOf(tingee.createOrUpdateAccount({ ...ACCOUNT, password: '' }));
    expect(empty).toBeInstanceOf(TingeeRequestValidationError);
    expect(empty.message).toMatch(/^Invalid Tingee request: password /);
    const provider = await failureOf(tingee.createOrUpdateAccount({ ...ACCOUNT, provider: 'misa' as never }));
    expect(provider.message).toMatch(/^Invalid Tingee request: provider /);
    expect(await stored()).toEqual([]);
  });

  it('an injected 503 is a retryable server error; a dropped connection after the commit a network error', async () => {
    await control('POST', '/faults', { rules: [{ path: '/v1/e-invoice/create-or-update-account', errorRate: 1, errorStatus: 503 }] });
    expect(await failureOf(clientFor().createOrUpdateAccount(ACCOUNT))).toMatchObject({ name: 'TingeeServerError', retryable: true, httpStatus: 503 });
    await control('POST', '/faults', { rules: [{ path: '/v1/e-invoice/create-or-update-account', commitThenDropRate: 1 }] });
    expect(await failureOf(clientFor().createOrUpdateAccount(ACCOUNT))).toBeInstanceOf(TingeeNetworkError);
    expect(await stored()).toHaveLength(1);
    await control('DELETE', '/faults');
  });
});

describe('Tingee client against a stand-in server', () => {
  let server: http.Server;
  let baseUrl: string;
  let reply: { status: number; body: string; headers?: Record<string, string> };
  const received: { url: string | undefined; headers: http.IncomingHttpHeaders; raw: Buffer }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-request-id': 'req-7', ...reply.headers }).end(reply.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  const tingee = () => new TingeeClient({ baseUrl, clientId: 'c', secretKey: 'k' });
  const answer = (status: number, body: unknown, headers?: Record<string, string>) => {
    reply = { status, body: typeof body === 'string' ? body : JSON.stringify(body), headers };
  };

  it('sends exactly the bytes it signed, as UTF-8, to /v1/e-invoice/create-or-update-account', async () => {
    answer(200, { code: '00', message: 'ok', data: { id: 5, provider: 'hilo', taxCode: '0101234567', username: 'kế toán', isDefault: false, isActive: true } });
    expect(await tingee().createOrUpdateAccount({ ...ACCOUNT, provider: 'hilo', username: 'kế toán' })).toMatchObject({ id: 5, username: 'kế toán' });
    const { url, headers, raw } = received.at(-1)!;
    expect(url).toBe('/v1/e-invoice/create-or-update-account');
    const timestamp = headers['x-request-timestamp'] as string;
    expect(headers['x-signature']).toBe(createHmac('sha512', 'k').update(Buffer.concat([Buffer.from(`${timestamp}:`), raw])).digest('hex'));
    expect(raw.toString('utf8')).toBe(JSON.stringify({ provider: 'hilo', taxCode: '0101234567', username: 'kế toán', password: PASSWORD, isDefault: true, isActive: true }));
    expect(headers['x-client-id']).toBe('c');
  });

  it('code 90 is a timestamp format error: configuration, never retried', async () => {
    answer(200, { data: null, success: false, error: '90' });
    const error = await failureOf(tingee().createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(TingeeTimestampFormatError);
    expect(error).toMatchObject({ retryable: false, providerCode: '90', requestId: 'req-7' });
    expect(error.message).toContain('yyyyMMddHHmmssSSS in UTC+7');
  });

  it("keeps Tingee's own words: a coded error's message, or an error given as text", async () => {
    answer(200, { code: '1050', message: 'Mã số thuế không hợp lệ', data: null });
    expect(await failureOf(tingee().createOrUpdateAccount(ACCOUNT))).toMatchObject({ name: 'TingeeRefusedError', providerCode: '1050', providerMessage: 'Mã số thuế không hợp lệ' });
    answer(200, { data: null, success: false, error: 'Tài khoản đã tồn tại' });
    expect(await failureOf(tingee().createOrUpdateAccount(ACCOUNT))).toMatchObject({ name: 'TingeeRefusedError', providerCode: undefined, providerMessage: 'Tài khoản đã tồn tại' });
  });

  it.each([
    ['a proxy page on 502', 502, '<html>Bad Gateway</html>', TingeeServerError],
    ['not JSON on 200', 200, 'OK', TingeeInvalidResponseError],
    ['JSON that is neither envelope', 200, { ok: true }, TingeeInvalidResponseError],
    ['an account without its id', 200, { data: { provider: 'x-cyber' }, success: true, error: null }, TingeeInvalidResponseError],
  ])('%s is a retryable fault', async (_what, status, body, kind) => {
    answer(status, body);
    const error = await failureOf(tingee().createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(kind);
    expect(error.retryable).toBe(true);
  });

  it('429 honours Retry-After', async () => {
    answer(429, '', { 'retry-after': '2' });
    const error = await failureOf(tingee().createOrUpdateAccount(ACCOUNT));
    expect(error).toBeInstanceOf(TingeeRateLimitedError);
    expect((error as TingeeRateLimitedError).retryAfterMs).toBe(2000);
  });
});
