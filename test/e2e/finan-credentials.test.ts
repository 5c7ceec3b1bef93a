/**
 * Start-up says what is wrong with Finan access (issue 8, item 7), tried as a new user would:
 * - Finan credentials set in `.env` while still on the embedded sandbox: the sandbox accepts exactly them, payouts
 *   and payment requests work, and its webhooks are signed with that secret key and carry that client id.
 * - Against "real Finan" (here a sandbox started on its own, with credentials and an IP whitelist of its own), one
 *   signed read at start-up says whether the credentials and this machine's IP are accepted, in one line.
 */
import { FinanClient } from '../../providers/finan/client';
import { finanSignature } from '../../providers/finan/sign';
import type { RunningSandbox } from '../../sandbox/server';
import { FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../../sandbox/server';
import { checkFinanAccess } from '../../scripts/finan-access';
import { sandboxControls } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

const CLIENT_ID = 'shop-7f3a-client';
const SECRET_KEY = 'shop-7f3a-secret-key';

describe('Finan credentials configured while on the embedded sandbox', () => {
  let stack: TestStack;
  let api: ReturnType<typeof gatewayApi>;

  beforeAll(async () => {
    stack = await startTestStack({ env: { FINAN_CLIENT_ID: CLIENT_ID, FINAN_SECRET_KEY: SECRET_KEY } });
    api = gatewayApi(stack);
  });
  afterAll(() => stack?.stop());

  it('makes a payout end to end: the sandbox accepts the configured client id and secret', async () => {
    const referenceId = `CRED-${Date.now().toString(36)}`;
    const created = await api.post('/v1/payouts', {
      referenceId,
      accountId: FINAN_SOURCE_ACCOUNT_ID,
      amount: 2_100_000,
      beneficiaryAccountName: 'NGUYEN VAN A',
      beneficiaryAccountNumber: '1234567890',
      beneficiaryBankId: '161',
      description: 'credentials check',
    });
    expect(created.status).toBe(202);
    const waiting = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating');
    expect(waiting.status).toBe('waiting_confirm');
    const otp = await sandboxControls(stack.sandboxUrl!).otp(waiting.payoutId);
    expect((await api.post(`/v1/payouts/${referenceId}/otp`, { code: otp })).body.accepted).toBe(true);
    await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success');
    const transfers = (await sandboxControls(stack.sandboxUrl!).ledger()).filter((t) => t.reference_id === referenceId);
    expect(transfers).toHaveLength(1);
  });

  it("the sandbox's payment webhook, signed with FINAN_SECRET_KEY and carrying FINAN_CLIENT_ID, is accepted", async () => {
    const referenceId = `CREDPAY-${Date.now().toString(36)}`;
    const created = await api.post('/v1/payment-requests', { referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 150_000, description: 'credentials check' });
    expect(created.status).toBe(201);
    const transfer = await fetch(`${stack.sandboxUrl}/_sandbox/finan/transfers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ remark: created.body.bankTransfer.remark, amount: 150_000 }),
    });
    expect(transfer.status).toBeLessThan(300);
    type Deliveries = { deliveries: { attempts: { status: number | null }[] }[] };
    const { deliveries } = await eventually(
      async () => (await (await fetch(`${stack.sandboxUrl}/_sandbox/finan/webhook-deliveries`)).json()) as Deliveries,
      (d) => d.deliveries.some((x) => x.attempts.length > 0),
    );
    expect(deliveries[0]!.attempts[0]!.status).toBe(200);
    await eventually(async () => (await api.get(`/v1/payment-requests/${referenceId}`)).body.status, (s) => s === 'paid');
  });

  it('refuses a webhook correctly signed but naming another Finan client', async () => {
    const body = JSON.stringify({ id: 'PAY-X', reference_id: null, reference_type: null, payment_method: 'bank_transfer', payment_request_id: null, amount: 1, created_at: new Date().toISOString() });
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = (clientId: string) => ({
      'content-type': 'application/json',
      'x-client-id': clientId,
      'x-timestamp': String(timestamp),
      'x-signature': finanSignature({ secretKey: SECRET_KEY, method: 'POST', path: '/webhooks/finan', payload: body, timestamp }),
    });
    const foreign = await fetch(`${stack.gatewayUrl}/webhooks/finan`, { method: 'POST', headers: signed('someone-else'), body });
    expect(foreign.status).toBe(401);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('foreign_client_id');
    // The old default webhook secret no longer verifies anything: the secret key does.
    const oldSecret = { ...signed(CLIENT_ID), 'x-signature': finanSignature({ secretKey: 'sandbox-webhook-secret', method: 'POST', path: '/webhooks/finan', payload: body, timestamp }) };
    expect((await fetch(`${stack.gatewayUrl}/webhooks/finan`, { method: 'POST', headers: oldSecret, body })).status).toBe(401);
  });
});

describe('against real Finan, start-up makes one signed read and says what is wrong', () => {
  let finan: RunningSandbox;
  const REAL_ID = 'real-client-id';
  const REAL_SECRET = 'real-secret-key';
  const client = (secretKey: string) => new FinanClient({ baseUrl: finan.finanBaseUrl, clientId: REAL_ID, secretKey, timeoutMs: 10_000 });

  beforeAll(async () => {
    finan = await startSandbox({ port: 0, finan: { clientId: REAL_ID, secretKey: REAL_SECRET } });
  });
  afterAll(() => finan?.close());

  it('says the credentials and the IP are accepted', async () => {
    const access = await checkFinanAccess(client(REAL_SECRET), finan.finanBaseUrl);
    expect(access).toMatchObject({ ok: true });
    expect(access.line).toMatch(/^Finan accepted our credentials and this machine's IP \(GET \/api\/v1\/payouts: \d+ payouts, request_id \w+\)$/);
  });

  it('names a wrong secret as a credentials problem, without printing the secret', async () => {
    const access = await checkFinanAccess(client('not-the-secret'), finan.finanBaseUrl);
    expect(access).toMatchObject({ ok: false, problem: 'credentials' });
    expect(access.line).toMatch(/^Finan refused our credentials \(Finan 401 .*Invalid signature\): check FINAN_CLIENT_ID and FINAN_SECRET_KEY/);
    expect(access.line).not.toContain('not-the-secret');
  });

  it('names the IP whitelist, with the address to whitelist', async () => {
    await sandboxControls(finan.url).settings({ ipWhitelist: ['10.9.9.9'] });
    try {
      const access = await checkFinanAccess(client(REAL_SECRET), finan.finanBaseUrl);
      expect(access).toMatchObject({ ok: false, problem: 'ip_whitelist' });
      expect(access.line).toMatch(/^Finan refused this machine's IP \(Finan 403 .*IP address not whitelisted\): whitelist 127\.0\.0\.1 in book\.finan\.one/);
    } finally {
      await sandboxControls(finan.url).settings({ ipWhitelist: null });
    }
  });

  it('is what a stack pointed at Finan with a wrong secret reports at start-up', async () => {
    const apiKeys = JSON.stringify([{ name: 'shop', sha256: 'a'.repeat(64), scopes: ['read'] }]);
    const stack = await startTestStack({
      runWorker: false,
      env: { FINAN_BASE_URL: finan.finanBaseUrl, FINAN_CLIENT_ID: REAL_ID, FINAN_SECRET_KEY: 'wrong-secret', DONGFLOW_API_KEYS: apiKeys },
    });
    try {
      // Finan is the one configured, not the bundled sandbox (which still plays SePay and Tingee, whose URLs are unset).
      expect(stack.finanBaseUrl).toBe(finan.finanBaseUrl);
      expect(stack.finanBaseUrl.startsWith(stack.sandboxUrl!)).toBe(false);
      expect(stack.finanAccess).toMatchObject({ ok: false, problem: 'credentials' });
      expect(stack.finanAccess!.line).toContain('check FINAN_CLIENT_ID and FINAN_SECRET_KEY');
    } finally {
      await stack.stop();
    }
  });
});
