/**
 * The SePay sandbox against its page (sepay-company.txt) and SePay's OAuth facts: the page's example answers,
 * its validation answer (HTTP 200, status false), the error table's statuses, the token endpoint's single-use codes
 * and rotating refresh tokens, and the 3-requests-per-second limit. Plain HTTP, as any client would call it.
 */
import type { RunningSandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';

const CLIENT_ID = 'sandbox-sepay-client';
const CLIENT_SECRET = 'sandbox-sepay-secret';
const REDIRECT = 'http://127.0.0.1:9/v1/sepay/callback';

let sandbox: RunningSandbox;
beforeAll(async () => {
  // The limit is tested on a sandbox of its own (below): here it stays out of the way.
  sandbox = await startSandbox({ port: 0, sepay: { redirectUri: REDIRECT, requestsPerSecond: 1000 } });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});

const authorizeUrl = (params: Record<string, string>) =>
  `${sandbox.sepayBaseUrl}/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT, scope: 'company', state: 'st4te', ...params })}`;

async function code(scope = 'company'): Promise<string> {
  const response = await fetch(authorizeUrl({ scope }), { redirect: 'manual' });
  expect(response.status).toBe(302);
  return new URL(response.headers.get('location')!).searchParams.get('code')!;
}

const token = (form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') =>
  fetch(`${sandbox.sepayBaseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...form }).toString(),
  });

async function tokens(scope = 'company'): Promise<{ access_token: string; refresh_token: string; expires_in: number; token_type: string; scope: string }> {
  const response = await token({ grant_type: 'authorization_code', code: await code(scope), redirect_uri: REDIRECT });
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

const api = (method: string, path: string, accessToken: string | undefined, body?: string) =>
  fetch(`${sandbox.sepayBaseUrl}${path}`, {
    method,
    headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body,
  });

/** The page's PATCH example body. */
const PAGE_FORMATS = [
  { prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: 1 },
  { prefix: 'HD', suffix_from: 4, suffix_to: 6, character_type: 'NumberAndLetter', is_active: 1 },
];
const stats = async () => (await (await fetch(`${sandbox.url}/_sandbox/sepay/stats`)).json()) as Record<string, number>;

describe('consent and tokens', () => {
  test('the consent page redirects with a code and the state; the code gives a Bearer pair for one hour', async () => {
    const response = await fetch(authorizeUrl({}), { redirect: 'manual' });
    const back = new URL(response.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st4te');
    const pair = await tokens();
    expect(pair).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'company' });
    expect(pair.access_token.split('.')).toHaveLength(3); // a JWT
  });

  test('an unknown client or a foreign redirect URI is refused without a redirect; a bad scope redirects with an error', async () => {
    expect((await fetch(authorizeUrl({ client_id: 'someone' }), { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' })).status).toBe(400);
    const badScope = new URL((await fetch(authorizeUrl({ scope: 'everything' }), { redirect: 'manual' })).headers.get('location')!);
    expect(badScope.searchParams.get('error')).toBe('invalid_scope');
    expect(badScope.searchParams.get('state')).toBe('st4te');
    expect(badScope.searchParams.get('code')).toBeNull();
  });

  test('a code is single use; a wrong secret is invalid_client; the body must be form-encoded', async () => {
    const once = await code();
    expect((await token({ grant_type: 'authorization_code', code: once, redirect_uri: REDIRECT })).status).toBe(200);
    const again = await token({ grant_type: 'authorization_code', code: once, redirect_uri: REDIRECT });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    const wrongSecret = await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT, client_secret: 'nope' });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: 'invalid_client' });
    const json = await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT }, 'application/json');
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
  });

  test('a refresh rotates the refresh token: the old one is refused afterwards, and the reuse is counted', async () => {
    const first = await tokens();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as { refresh_token: string; access_token: string };
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await stats()).toMatchObject({ refreshes: 1, refreshTokenReuses: 1 });
    expect((await token({ grant_type: 'refresh_token', refresh_token: second.refresh_token })).status).toBe(200);
  });
});

describe("the company API, as the page shows it", () => {
  test("GET /api/v1/company answers the page's example", async () => {
    const { access_token } = await tokens();
    const response = await api('GET', '/api/v1/company', access_token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: {
        id: 123,
        full_name: 'Công ty TNHH Một Thành Viên ABC',
        short_name: 'ABC Corp',
        role: 'Admin',
        status: 'active',
        subscription: 'Premium',
        begin_date: '2023-01-01',
        end_date: '2023-12-31',
        configurations: {
          bank_sub_account: true,
          paycode: true,
          data_storage_time: '90',
          payment_code_formats: [
            { prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: true },
            { prefix: 'HD', suffix_from: 4, suffix_to: 6, character_type: 'NumberAndLetter', is_active: true },
          ],
        },
      },
    });
  });

  test("the page's PATCH example answers the page's success", async () => {
    const { access_token } = await tokens();
    const response = await api('PATCH', '/api/v1/company/configurations', access_token, JSON.stringify({ payment_code_formats: PAGE_FORMATS }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: {
        status: true,
        data: {
          bank_sub_account: true,
          paycode: true,
          data_storage_time: '90',
          payment_code_formats: [
            { prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: true },
            { prefix: 'HD', suffix_from: 4, suffix_to: 6, character_type: 'NumberAndLetter', is_active: true },
          ],
        },
      },
    });
  });

  test("suffix_from above suffix_to is the page's HTTP 200 with status false and its message, and nothing changes", async () => {
    const { access_token } = await tokens();
    const before = await (await fetch(`${sandbox.url}/_sandbox/sepay/company`)).json();
    const response = await api('PATCH', '/api/v1/company/configurations', access_token, JSON.stringify({ payment_code_formats: [{ ...PAGE_FORMATS[0], suffix_from: 9 }] }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'success',
      data: { status: false, message: 'Hậu tố mã thanh toán từ phải nhỏ hơn hoặc bằng hậu tố mã thanh toán đến (Cấu trúc mã thanh toán 1)' },
    });
    expect(await (await fetch(`${sandbox.url}/_sandbox/sepay/company`)).json()).toEqual(before);
  });

  test.each([
    [{ prefix: 'D' }, /Tiền tố/],
    [{ prefix: 'D1H' }, /Tiền tố/],
    [{ suffix_from: 0 }, /Hậu tố mã thanh toán từ phải là số nguyên từ 1-30/],
    [{ suffix_to: 31 }, /Hậu tố mã thanh toán đến phải là số nguyên từ 1-30/],
    [{ character_type: 'Letters' }, /NumberOnly hoặc NumberAndLetter/],
    [{ is_active: true }, /0 hoặc 1/],
  ])('the second format with %j is refused naming format 2', async (change, message) => {
    const { access_token } = await tokens();
    const response = await api('PATCH', '/api/v1/company/configurations', access_token, JSON.stringify({ payment_code_formats: [PAGE_FORMATS[0], { ...PAGE_FORMATS[1], ...change }] }));
    const body = (await response.json()) as { data: { status: boolean; message: string } };
    expect(response.status).toBe(200);
    expect(body.data.status).toBe(false);
    expect(body.data.message).toMatch(message);
    expect(body.data.message).toMatch(/\(Cấu trúc mã thanh toán 2\)$/);
  });

  test('a body that is not the documented shape is a 400', async () => {
    const { access_token } = await tokens();
    expect((await api('PATCH', '/api/v1/company/configurations', access_token, '{not json')).status).toBe(400);
    expect((await api('PATCH', '/api/v1/company/configurations', access_token, JSON.stringify({ payment_code_formats: 'DH' }))).status).toBe(400);
  });

  test('401 without a token, with an unknown one, and once SePay expired it', async () => {
    const { access_token } = await tokens();
    expect((await api('GET', '/api/v1/company', undefined)).status).toBe(401);
    expect((await api('GET', '/api/v1/company', 'not-a-token')).status).toBe(401);
    await fetch(`${sandbox.url}/_sandbox/sepay/tokens/expire`, { method: 'POST' });
    const expired = await api('GET', '/api/v1/company', access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ status: 'error', message: 'Access token không hợp lệ hoặc đã hết hạn' });
  });

  test('403 for a user who is not Admin or SuperAdmin, and for a token without the company scope', async () => {
    const { access_token } = await tokens();
    await fetch(`${sandbox.url}/_sandbox/sepay/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'Member' }) });
    const member = await api('GET', '/api/v1/company', access_token);
    expect(member.status).toBe(403);
    expect(await member.json()).toEqual({ status: 'error', message: 'Không đủ quyền truy cập (không phải Admin hoặc SuperAdmin)' });
    await fetch(`${sandbox.url}/_sandbox/sepay/user`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'SuperAdmin' }) });
    expect((await api('GET', '/api/v1/company', access_token)).status).toBe(200);
    const profileOnly = await tokens('profile');
    expect((await api('GET', '/api/v1/company', profileOnly.access_token)).status).toBe(403);
  });
});

test('more than 3 requests in a second: 429 with Retry-After and X-RateLimit headers, counted', async () => {
  const limited3 = await startSandbox({ port: 0 });
  const answers = await Promise.all(Array.from({ length: 4 }, () => fetch(`${limited3.sepayBaseUrl}/api/v1/company`)));
  const counted = (await (await fetch(`${limited3.url}/_sandbox/sepay/stats`)).json()) as Record<string, number>;
  await limited3.close();
  expect(answers.map((a) => a.status).sort()).toEqual([401, 401, 401, 429]);
  const limited = answers.find((a) => a.status === 429)!;
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(limited.headers.get('x-ratelimit-limit')).toBe('3');
  expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
  expect(counted).toMatchObject({ requests: 4, rateLimited: 1 });
});
