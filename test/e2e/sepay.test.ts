/**
 * SePay end to end through the gateway, as the README walks it: consent (authorize → SePay → callback), the
 * connection, the company, payment-code formats (checked before sending; SePay's own refusal a 422), a 401 that
 * refreshes, a 403 role, a lost consent, and the payment-code finder.
 */
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';
import { consent, sepayControls } from '../helpers/sepay-controls';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let sepay: ReturnType<typeof sepayControls>;

beforeAll(async () => {
  stack = await startTestStack();
  api = gatewayApi(stack);
  sepay = sepayControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await stack?.stop();
});

const DH = { prefix: 'DH', suffixFrom: 6, suffixTo: 8, characterType: 'NumberOnly', isActive: true };

test('before any consent the connection says not_connected and company calls say how to connect', async () => {
  expect((await api.get('/v1/sepay/connection')).body).toMatchObject({ status: 'not_connected', connected: false });
  const company = await api.get('/v1/sepay/company');
  expect(company.status).toBe(409);
  expect(company.body.error.code).toBe('sepay_not_connected');
});

test('a consent connects: authorize gives the URL, SePay redirects to the callback, the code is exchanged once', async () => {
  const authorized = await api.get('/v1/sepay/authorize');
  expect(authorized.status).toBe(200);
  const url = new URL(authorized.body.url);
  expect(url.pathname).toBe('/sepay/oauth/authorize');
  expect(url.searchParams.get('state')).toBe(authorized.body.state);
  expect(url.searchParams.get('scope')).toBe('company');

  const back = await consent(authorized.body.url);
  expect(back.status).toBe(200);
  expect(back.body).toMatchObject({ status: 'connected', connected: true, scopes: ['company'] });

  // The same redirect again (a reload, or someone replaying it): the state was used.
  const replay = await fetch(back.callbackUrl);
  expect(replay.status).toBe(400);
  expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('invalid_state');

  const connection = await api.get('/v1/sepay/connection');
  expect(connection.body).toMatchObject({ status: 'connected', connected: true, refreshes: 0, consentNeededReason: null });
  expect(JSON.stringify(connection.body)).not.toMatch(/token"\s*:\s*"[^"]/i);
});

test('a callback with a state nobody issued is refused and exchanges nothing', async () => {
  const before = await sepay.stats();
  const response = await fetch(`${stack.gatewayUrl}/v1/sepay/callback?code=anything&state=forged-state`);
  expect(response.status).toBe(400);
  expect((await sepay.stats()).requests).toBe(before.requests);
});

test("the company is SePay's, in camelCase", async () => {
  const company = await api.get('/v1/sepay/company');
  expect(company.status).toBe(200);
  expect(company.body).toMatchObject({
    id: 123,
    fullName: 'Công ty TNHH Một Thành Viên ABC',
    shortName: 'ABC Corp',
    role: 'Admin',
    configurations: { bankSubAccount: true, paycode: true, dataStorageTime: '90', paymentCodeFormats: [DH, { prefix: 'HD', suffixFrom: 4, suffixTo: 6, characterType: 'NumberAndLetter', isActive: true }] },
  });
});

test("an invalid format is a 400 naming the field and the format's position, and nothing reaches SePay", async () => {
  const before = await sepay.stats();
  const stored = await sepay.company();
  const response = await api.call('PUT', '/v1/sepay/company/payment-code-formats', {
    paymentCodeFormats: [DH, { prefix: 'H1', suffixFrom: 8, suffixTo: 6, characterType: 'Digits', isActive: 1 }],
  });
  expect(response.status).toBe(400);
  const fields = (response.body.error.details as { field: string; rule: string }[]).map((p) => p.field);
  expect(fields).toEqual(['paymentCodeFormats.1.prefix', 'paymentCodeFormats.1.suffixTo', 'paymentCodeFormats.1.characterType', 'paymentCodeFormats.1.isActive']);
  expect(response.body.error.message).toContain('format 2');
  expect((await sepay.stats()).requests).toBe(before.requests);
  expect(await sepay.company()).toEqual(stored);
});

test("SePay's HTTP 200 with status false is a 422 with its message, and nothing changed", async () => {
  const stored = await sepay.company();
  const response = await api.call('PUT', '/v1/sepay/company/payment-code-formats', { paymentCodeFormats: [DH, { ...DH, prefix: 'dh' }] });
  expect(response.status).toBe(422);
  expect(response.body.error.code).toBe('provider_rejected');
  expect(response.body.error.message).toBe('Tiền tố mã thanh toán bị trùng (Cấu trúc mã thanh toán 2)');
  expect(await sepay.company()).toEqual(stored);
});

test('valid formats are sent with is_active as 0/1 and SePay holds them', async () => {
  const formats = [DH, { prefix: 'TT', suffixFrom: 3, suffixTo: 5, characterType: 'NumberAndLetter', isActive: false }];
  const response = await api.call('PUT', '/v1/sepay/company/payment-code-formats', { paymentCodeFormats: formats });
  expect(response.status).toBe(200);
  expect(response.body.paymentCodeFormats).toEqual(formats);
  expect((await sepay.company()).configurations.payment_code_formats).toEqual([
    { prefix: 'DH', suffix_from: 6, suffix_to: 8, character_type: 'NumberOnly', is_active: true },
    { prefix: 'TT', suffix_from: 3, suffix_to: 5, character_type: 'NumberAndLetter', is_active: false },
  ]);
});

test("the finder uses the company's active formats", async () => {
  const find = async (text: string) => (await api.post('/v1/sepay/payment-codes/find', { text })).body.paymentCode;
  expect(await find('MBVCB.3278.dh 1234567.CT tu 0123 toi 456')).toBe('DH1234567');
  expect(await find('thanh toan TT12A')).toBeNull(); // TT is not active
  expect(await find('chuyen tien an trua')).toBeNull();
  // Formats read within 5 minutes are used as they are: a find then writes nothing to the flow's history.
  const flow = stack.client.workflow.getHandle('sepay-credentials');
  const before = (await flow.describe()).historyLength;
  expect(await find('dh 7654321')).toBe('DH7654321');
  expect((await flow.describe()).historyLength).toBe(before);
});

test('an access token SePay refuses (401) is refreshed once and the call retried', async () => {
  const before = await sepay.stats();
  await sepay.expireTokens();
  const company = await api.get('/v1/sepay/company');
  expect(company.status).toBe(200);
  const after = await sepay.stats();
  expect(after.refreshes).toBe(before.refreshes + 1);
  expect(after.refreshTokenReuses).toBe(0);
  expect((await api.get('/v1/sepay/connection')).body).toMatchObject({ status: 'connected', refreshes: 1 });
});

test('a user who is not Admin or SuperAdmin gets a clear 403, not retried', async () => {
  await sepay.setRole('Member');
  try {
    const before = await sepay.stats();
    const company = await api.get('/v1/sepay/company');
    expect(company.status).toBe(403);
    expect(company.body.error.code).toBe('sepay_forbidden');
    expect(company.body.error.message).toMatch(/Admin or SuperAdmin/);
    expect((await sepay.stats()).requests).toBe(before.requests + 1);
  } finally {
    await sepay.setRole('Admin');
  }
});

test('a consent revoked at SePay turns the connection to consent_needed, and a new consent reconnects', async () => {
  await sepay.revokeTokens();
  await sepay.expireTokens();
  const company = await api.get('/v1/sepay/company');
  expect(company.status).toBe(409);
  const connection = await eventually(() => api.get('/v1/sepay/connection'), (r) => r.body.status === 'consent_needed');
  expect(connection.body).toMatchObject({ connected: false, accessTokenExpiresAt: null });
  expect(connection.body.consentNeededReason).toMatch(/refresh token/);

  const again = await consent((await api.get('/v1/sepay/authorize')).body.url);
  expect(again.body).toMatchObject({ status: 'connected' });
  expect((await api.get('/v1/sepay/company')).status).toBe(200);
});
