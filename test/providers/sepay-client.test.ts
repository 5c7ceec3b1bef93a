/**
 * The SePay client against the sandbox: the consent URL, form-encoded token calls, the company API in both
 * directions (`is_active` sent as 0/1), every error class with its status, SePay's code and request id (never a
 * token), refusal before sending, and the spacing of calls that keeps a burst under SePay's 3 per second.
 */
import type { SepayTokens } from '../../providers/sepay/client';
import { SepayClient } from '../../providers/sepay/client';
import {
  SepayForbiddenError,
  SepayInvalidClientError,
  SepayInvalidGrantError,
  SepayNetworkError,
  SepayRateLimitedError,
  SepayRejectedError,
  SepayRequestValidationError,
  SepayServerError,
  SepayUnauthorizedError,
} from '../../providers/sepay/errors';
import type { RunningSandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';

const REDIRECT = 'http://127.0.0.1:9/v1/sepay/callback';
let sandbox: RunningSandbox;
let sepay: SepayClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, sepay: { redirectUri: REDIRECT, requestsPerSecond: 1000 } });
  sepay = new SepayClient({ baseUrl: sandbox.sepayBaseUrl, clientId: 'sandbox-sepay-client', clientSecret: 'sandbox-sepay-secret', redirectUri: REDIRECT });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
});

const control = (method: string, path: string, body?: unknown) =>
  fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });

async function consent(client = sepay, scopes = ['company']): Promise<SepayTokens> {
  const response = await fetch(client.authorizeUrl('state-1', scopes), { redirect: 'manual' });
  const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
  return client.exchangeCode(code);
}

test('the consent URL carries response_type, client_id, redirect_uri, the scopes and the state', () => {
  const url = new URL(sepay.authorizeUrl('abc', ['company', 'profile']));
  expect(url.pathname).toBe('/sepay/oauth/authorize');
  expect(Object.fromEntries(url.searchParams)).toEqual({ response_type: 'code', client_id: 'sandbox-sepay-client', redirect_uri: REDIRECT, scope: 'company profile', state: 'abc' });
});

test('a code gives tokens once; a refresh rotates them; the old refresh token is then invalid_grant', async () => {
  const first = await consent();
  expect(first).toMatchObject({ expiresInSeconds: 3600, scopes: ['company'] });
  const second = await sepay.refresh(first.refreshToken);
  expect(second.refreshToken).not.toBe(first.refreshToken);
  const reuse = await sepay.refresh(first.refreshToken).catch((e: unknown) => e);
  expect(reuse).toBeInstanceOf(SepayInvalidGrantError);
  expect(reuse).toMatchObject({ httpStatus: 400, providerCode: 'invalid_grant', retryable: false });
  expect(JSON.stringify(reuse)).not.toContain(first.refreshToken);
  expect(String((reuse as Error).message)).not.toContain(first.refreshToken);
});

test('a wrong client secret is SepayInvalidClientError', async () => {
  const wrong = new SepayClient({ baseUrl: sandbox.sepayBaseUrl, clientId: 'sandbox-sepay-client', clientSecret: 'wrong', redirectUri: REDIRECT });
  await expect(wrong.refresh('whatever')).rejects.toBeInstanceOf(SepayInvalidClientError);
});

test('the company, and formats sent with is_active as 0 or 1', async () => {
  const { accessToken } = await consent();
  expect((await sepay.getCompany(accessToken)).configurations.payment_code_formats).toHaveLength(2);
  const saved = await sepay.updatePaymentCodeFormats(accessToken, [{ prefix: 'DH', suffixFrom: 6, suffixTo: 8, characterType: 'NumberOnly', isActive: false }]);
  expect(saved.payment_code_formats).toEqual([{ prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: false }]);
});

test("SePay's HTTP 200 with status false is SepayRejectedError with its message and request id", async () => {
  const { accessToken } = await consent();
  const format = { prefix: 'DH', suffixFrom: 6, suffixTo: 8, characterType: 'NumberOnly' as const, isActive: true };
  const err = (await sepay.updatePaymentCodeFormats(accessToken, [format, { ...format, prefix: 'dh' }]).catch((e: unknown) => e)) as SepayRejectedError;
  expect(err).toBeInstanceOf(SepayRejectedError);
  expect(err).toMatchObject({ httpStatus: 200, retryable: false, providerMessage: 'Tiền tố mã thanh toán bị trùng (Cấu trúc mã thanh toán 2)' });
  expect(err.requestId).toMatch(/^[0-9a-f]{32}$/);
});

test("a format breaking the page's rules is refused before anything is sent", async () => {
  const { accessToken } = await consent();
  const before = await (await control('GET', '/sepay/stats')).json();
  const err = await sepay.updatePaymentCodeFormats(accessToken, [{ prefix: 'DH', suffixFrom: 9, suffixTo: 8, characterType: 'NumberOnly', isActive: true }]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SepayRequestValidationError);
  expect(err).toMatchObject({ field: 'paymentCodeFormats.0.suffixTo' });
  expect(await (await control('GET', '/sepay/stats')).json()).toEqual(before);
});

test('401, 403, 429 (with Retry-After), 5xx and a dropped connection map to their classes', async () => {
  const { accessToken } = await consent();
  await control('POST', '/sepay/tokens/expire');
  await expect(sepay.getCompany(accessToken)).rejects.toBeInstanceOf(SepayUnauthorizedError);

  const fresh = await consent();
  await control('PUT', '/sepay/user', { role: 'Member' });
  const forbidden = await sepay.getCompany(fresh.accessToken).catch((e: unknown) => e);
  expect(forbidden).toBeInstanceOf(SepayForbiddenError);
  expect(forbidden).toMatchObject({ httpStatus: 403, providerMessage: 'Không đủ quyền truy cập (không phải Admin hoặc SuperAdmin)' });
  await control('PUT', '/sepay/user', { role: 'Admin' });

  await control('POST', '/faults', { rules: [{ path: '/api/v1/company', errorRate: 1, errorStatus: 429 }] });
  const limited = await sepay.getCompany(fresh.accessToken).catch((e: unknown) => e);
  expect(limited).toBeInstanceOf(SepayRateLimitedError);
  expect(limited).toMatchObject({ retryAfterMs: 1000, retryable: true });

  await control('POST', '/faults', { rules: [{ path: '/api/v1/company', errorRate: 1, errorStatus: 503 }] });
  await expect(sepay.getCompany(fresh.accessToken)).rejects.toBeInstanceOf(SepayServerError);

  await control('POST', '/faults', { rules: [{ path: '/oauth/token', commitThenDropRate: 1 }] });
  await expect(sepay.refresh(fresh.refreshToken)).rejects.toBeInstanceOf(SepayNetworkError);
});

test('a client spacing its calls at 3 per second sends a burst through a 3/s SePay without a 429', async () => {
  const strict = await startSandbox({ port: 0, sepay: { redirectUri: REDIRECT } });
  try {
    const paced = new SepayClient({ baseUrl: strict.sepayBaseUrl, clientId: 'sandbox-sepay-client', clientSecret: 'sandbox-sepay-secret', redirectUri: REDIRECT, maxRequestsPerSecond: 3 });
    const { accessToken } = await consent(paced);
    const started = Date.now();
    await Promise.all(Array.from({ length: 7 }, () => paced.getCompany(accessToken)));
    // 8 calls one every 333 ms: the last leaves ~2.3 s after the first.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(await (await fetch(`${strict.url}/_sandbox/sepay/stats`)).json()).toMatchObject({ requests: 8, rateLimited: 0 });
  } finally {
    await strict.close();
  }
});
