/**
 * Attacks on the running stack, counted: webhooks forged, tampered, replayed, stale, unsigned, from another Finan
 * account, or signed yet naming payments Finan never made; every `/v1` route called without a key, with a wrong key
 * or with a key lacking its scope; the codec server without its credential. Each is refused (or, for a signed
 * webhook, taken only as a hint), and nothing changes: no workflow started, no money counted.
 * (payments.test.ts shows one forged, stale and unsigned webhook on a flow; this file is the sweep.)
 */
import { createHash } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import fc from 'fast-check';
import { generateApiKey, scopeForRoute } from '../../client/gateway/api-keys';
import type { ApiKeyScope } from '../../config/api-keys';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { paymentControls } from '../helpers/payment-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, startTestStack } from '../helpers/stack';

const WEBHOOK_SECRET = 'attacks-webhook-secret';
const CODEC_TOKEN = 'attacks-codec-token-5Rq';
const keys = {
  reader: { ...generateApiKey(), scopes: ['read'] as ApiKeyScope[] },
  payouts: { ...generateApiKey(), scopes: ['payouts:write'] as ApiKeyScope[] },
  payments: { ...generateApiKey(), scopes: ['payments:write', 'read'] as ApiKeyScope[] },
};

let stack: TestStack;
let bank: ReturnType<typeof paymentControls>;
const refused = new Map<string, number>();
const count = (attack: string) => refused.set(attack, (refused.get(attack) ?? 0) + 1);

beforeAll(async () => {
  stack = await startTestStack({
    env: {
      DONGFLOW_API_KEYS: JSON.stringify(Object.entries(keys).map(([name, k]) => ({ name, sha256: k.sha256, scopes: k.scopes }))),
      DONGFLOW_CODEC_AUTH_TOKEN: CODEC_TOKEN,
      FINAN_WEBHOOK_SECRETS: WEBHOOK_SECRET,
      DONGFLOW_RECONCILE_EVERY: '1 day',
    },
  });
  bank = paymentControls(stack.sandboxUrl!);
});

afterAll(async () => {
  const rows = [...refused.entries()].map(([attack, n]) => `  ${attack.padEnd(70)} ${n}`).join('\n');
  const total = [...refused.values()].reduce((a, b) => a + b, 0);
  console.log(`attacks refused, nothing changed: ${total}\n${rows}`);
  await stack?.stop();
});

async function call(method: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${stack.gatewayUrl}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined, text };
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function userWorkflows(): Promise<number> {
  return (await stack.client.workflow.count("WorkflowType != 'reconciliationWorkflow'")).count;
}

/** Finan's signature (the payments page's generateSignature), written out rather than taken from providers/. */
const signature = (secret: string, path: string, payload: string, timestamp: string) =>
  createHash('sha256').update(`${secret}_POST_${path}_${payload}_${timestamp}`).digest('hex');
const webhookHeaders = (payload: string, opts: { secret?: string; timestamp?: number; path?: string; clientId?: string } = {}) => {
  const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  return {
    'content-type': 'application/json',
    'x-timestamp': timestamp,
    'x-signature': signature(opts.secret ?? WEBHOOK_SECRET, opts.path ?? '/webhooks/finan', payload, timestamp),
    ...(opts.clientId ? { 'x-client-id': opts.clientId } : {}),
  };
};
async function webhook(payload: string, headers: Record<string, string>) {
  const response = await fetch(`${stack.gatewayUrl}/webhooks/finan`, { method: 'POST', headers, body: payload });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
}
const paymentBody = (fields: Record<string, unknown>) =>
  JSON.stringify({ payment_method: 'bank_transfer', created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), ...fields });

async function openPaymentRequest(referenceId: string, amount: number) {
  const created = await call('POST', '/v1/payment-requests', { referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount, description: 'attack test' }, bearer(keys.payments.key));
  expect(created.status).toBe(201);
  return created.body as { paymentRequestId: string; bankTransfer: { remark: string } };
}
const stateOf = async (referenceId: string) => (await call('GET', `/v1/payment-requests/${referenceId}`, undefined, bearer(keys.reader.key))).body;

describe('webhooks', () => {
  test('forged, tampered, stale, future, unsigned, foreign and misaddressed webhooks are refused with 401; the flow sees none of them', async () => {
    const referenceId = `ATK-WH-${Date.now().toString(36)}`;
    const { paymentRequestId } = await openPaymentRequest(referenceId, 300_000);
    const payload = paymentBody({ id: `PAY-${referenceId}`, reference_id: referenceId, payment_request_id: paymentRequestId, amount: 300_000 });
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, string, Record<string, string>, string][] = [
      ['webhook: unsigned', payload, { 'content-type': 'application/json' }, 'missing_signature'],
      ['webhook: signature without x-timestamp', payload, { 'content-type': 'application/json', 'x-signature': webhookHeaders(payload)['x-signature'] }, 'missing_signature'],
      ['webhook: stale (301 s old)', payload, webhookHeaders(payload, { timestamp: now - 301 }), 'stale_webhook'],
      ['webhook: from the future (301 s ahead)', payload, webhookHeaders(payload, { timestamp: now + 301 }), 'stale_webhook'],
      ['webhook: signed for another path', payload, webhookHeaders(payload, { path: '/webhook' }), 'invalid_signature'],
      ['webhook: body changed after signing', payload.replace('300000', '3000000'), webhookHeaders(payload), 'invalid_signature'],
      ['webhook: another Finan account (x-client-id)', payload, webhookHeaders(payload, { clientId: 'someone-else' }), 'foreign_client_id'],
      ['webhook: signature of another body', payload, webhookHeaders(payload.replace('bank_transfer', 'card')), 'invalid_signature'],
    ];
    for (const [attack, body, headers, code] of cases) {
      const answer = await webhook(body, headers);
      expect({ attack, status: answer.status, code: answer.body.error?.code }).toEqual({ attack, status: 401, code });
      count(attack);
    }
    // Forged with any other secret, generated.
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s !== WEBHOOK_SECRET), async (secret) => {
        const answer = await webhook(payload, webhookHeaders(payload, { secret }));
        expect(answer.status).toBe(401);
        count('webhook: forged (signed with another secret)');
      }),
      { numRuns: 30 },
    );
    const history = await stack.client.workflow.getHandle(`payment-${referenceId}`).fetchHistory();
    expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
    expect(await stateOf(referenceId)).toMatchObject({ status: 'unpaid', paidAmount: 0, payments: [], unconfirmedPaymentIds: [] });
  });

  test('a genuine webhook replayed is counted once; replayed after the window it is refused', async () => {
    const referenceId = `ATK-RP-${Date.now().toString(36)}`;
    const { paymentRequestId, bankTransfer } = await openPaymentRequest(referenceId, 500_000);
    const payment = await bank.transfer(bankTransfer.remark, 200_000);
    await eventually(() => stateOf(referenceId), (s) => s.paidAmount === 200_000);
    // The captured delivery, sent again and again (the same bytes, re-signed as a replayer with the secret would).
    const captured = paymentBody({ id: payment.id, reference_id: referenceId, payment_request_id: paymentRequestId, amount: 200_000, created_at: payment.created_at });
    for (let i = 0; i < 5; i++) {
      expect((await webhook(captured, webhookHeaders(captured))).status).toBe(200);
      count('webhook: genuine one replayed (acknowledged, counted once)');
    }
    const replayedLate = await webhook(captured, webhookHeaders(captured, { timestamp: Math.floor(Date.now() / 1000) - 3600 }));
    expect(replayedLate.status).toBe(401);
    count('webhook: genuine one replayed an hour later');
    // A second real payment, waited for: every replay before it has been taken by then.
    await bank.transfer(bankTransfer.remark, 100_000);
    const state = await eventually(() => stateOf(referenceId), (s) => s.paidAmount >= 300_000);
    expect(state).toMatchObject({ status: 'partial_paid', paidAmount: 300_000 });
    expect(state.payments).toHaveLength(2);
  });

  test('signed webhooks naming payments Finan never made count no money, on a flow or in the operators\u2019 inbox', async () => {
    const referenceId = `ATK-FK-${Date.now().toString(36)}`;
    const { paymentRequestId } = await openPaymentRequest(referenceId, 700_000);
    const fakes = [
      ['webhook: signed, payment unknown to Finan, on a running flow', paymentBody({ id: `FAKE-${referenceId}`, reference_id: referenceId, payment_request_id: paymentRequestId, amount: 700_000 })],
      ['webhook: signed, payment unknown, another request id on the flow', paymentBody({ id: `FAKE2-${referenceId}`, reference_id: referenceId, payment_request_id: 'PR-00000000-0000-4000-8000-000000000000', amount: 900_000 })],
      ['webhook: signed, payment unknown, naming no flow', paymentBody({ id: `ORPHAN-${referenceId}`, reference_id: `NOFLOW-${referenceId}`, payment_request_id: null, amount: 5_000_000 })],
      ['webhook: signed, payment unknown, an invoice never collected', paymentBody({ id: `INV-${referenceId}`, reference_id: `NOINV-${referenceId}`, reference_type: 'invoice', payment_request_id: null, amount: 1_000_000 })],
    ] as const;
    for (const [attack, body] of fakes) {
      expect((await webhook(body, webhookHeaders(body))).status).toBe(200);
      count(attack);
    }
    const flow = await eventually(() => stateOf(referenceId), (s) => s.unconfirmedPaymentIds.length === 2);
    expect(flow).toMatchObject({ status: 'unpaid', paidAmount: 0, payments: [] });
    const inbox = await eventually(
      async () => (await call('GET', '/v1/unmatched-payments', undefined, bearer(keys.reader.key))).body,
      (s) => s.open.some((e: { paymentId: string }) => e.paymentId === `INV-${referenceId}`) && s.open.some((e: { paymentId: string }) => e.paymentId === `ORPHAN-${referenceId}`),
    );
    // Recorded for an operator to look at, never as confirmed money.
    expect(inbox.openAmount).toBe(0);
    expect(inbox.open.filter((e: { confirmed: boolean }) => e.confirmed)).toEqual([]);
    // No invoice flow appeared for the invoice the webhook named.
    await expect(stack.client.workflow.getHandle(`invoice-NOINV-${referenceId}`).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});

describe('API keys', () => {
  test('every /v1 route refuses no key, a wrong key and a key without its scope, and starts nothing', async () => {
    const document = (await call('GET', '/openapi.json', undefined, {})).body as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => ({ method: method.toUpperCase(), path })))
      // SePay's consent redirect lands in the operator's browser, with no key: its one-time state is its credential.
      .filter(({ method, path }) => scopeForRoute(method, path.replace(/\{(\w+)\}/g, ':$1')) !== null);
    expect(routes.length).toBeGreaterThanOrEqual(8);
    const before = await userWorkflows();
    // Bodies that would start something if the key were good.
    const bodies: Record<string, unknown> = {
      'POST /v1/payouts': { referenceId: 'ATK-KEY-PO', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 1_000_000, beneficiaryAccountName: 'NGUYEN VAN A', beneficiaryAccountNumber: '1234567890', beneficiaryBankId: '161', description: 'x' },
      'POST /v1/payment-requests': { referenceId: 'ATK-KEY-PR', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 100_000 },
      'POST /v1/invoices/{invoiceId}/collect': { accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 100_000, dueDate: '2999-12-31' },
    };
    const wrongKeys = [`dfk_${'A'.repeat(43)}`, keys.payouts.sha256, `Basic ${Buffer.from(`x:${keys.payouts.key}`).toString('base64')}`, keys.payouts.key.slice(0, -1), `${keys.payouts.key}x`, keys.payouts.key.toUpperCase()];
    for (const { method, path } of routes) {
      const url = path.replace(/\{(\w+)\}/g, 'ATK-KEY-INV');
      const body = ['POST', 'PUT', 'PATCH'].includes(method) ? (bodies[`${method} ${path}`] ?? {}) : undefined;
      const none = await call(method, url, body, {});
      expect({ route: `${method} ${path}`, status: none.status }).toEqual({ route: `${method} ${path}`, status: 401 });
      count('API: no key');
      for (const wrong of wrongKeys) {
        const answer = await call(method, url, body, { authorization: wrong.startsWith('Basic') ? wrong : `Bearer ${wrong}` });
        expect({ route: `${method} ${path}`, status: answer.status }).toEqual({ route: `${method} ${path}`, status: 401 });
        expect(answer.text).not.toContain(keys.payouts.key);
        count('API: wrong key (unknown, its hash, Basic, cut, extended, upper case)');
      }
      const needed = scopeForRoute(method, path.replace(/\{(\w+)\}/g, ':$1'))!;
      for (const [name, key] of Object.entries(keys).filter(([, k]) => !k.scopes.includes(needed))) {
        const answer = await call(method, url, body, bearer(key.key));
        expect({ route: `${method} ${path}`, key: name, status: answer.status }).toEqual({ route: `${method} ${path}`, key: name, status: 403 });
        expect(answer.body.error.details.requiredScope).toBe(needed);
        count('API: key without the route\u2019s scope');
      }
    }
    for (const id of ['payout-ATK-KEY-PO', 'payment-ATK-KEY-PR', 'invoice-ATK-KEY-INV']) {
      await expect(stack.client.workflow.getHandle(id).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
    expect(await userWorkflows()).toBe(before);
  });
});

describe('codec server', () => {
  test('encode and decode refuse a request without the token, with a wrong one, or with only the UI\u2019s Origin', async () => {
    const payloads = { payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('{"code":"123456"}').toString('base64') }] };
    const origin = new URL(stack.temporalUiUrl!).origin;
    const attempts: [string, Record<string, string>][] = [
      ['codec: no credential', {}],
      ['codec: wrong bearer token', bearer('not-the-token')],
      ['codec: the API key of a backend', bearer(keys.payments.key)],
      ['codec: only the Temporal UI\u2019s Origin', { origin }],
      ['codec: token in another scheme', { authorization: `Basic ${CODEC_TOKEN}` }],
    ];
    for (const endpoint of ['encode', 'decode']) {
      for (const [attack, headers] of attempts) {
        const response = await fetch(`${stack.codecEndpoint}/${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(payloads) });
        expect({ attack, endpoint, status: response.status }).toEqual({ attack, endpoint, status: 401 });
        expect(await response.text()).not.toContain('123456');
        count(attack);
      }
    }
    // The same request with the token works: the refusals were about the credential.
    const allowed = await fetch(`${stack.codecEndpoint}/encode`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...bearer(CODEC_TOKEN) }, body: JSON.stringify(payloads) });
    expect(allowed.status).toBe(200);
  });
});
