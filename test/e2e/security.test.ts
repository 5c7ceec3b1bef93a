/**
 * What a security reviewer checks on the running stack: nothing readable in Temporal's stored history, the codec
 * server decoding it for the UI, API keys on `/v1/*`, and operators' plain-JSON signals still accepted.
 */
import { execFileSync } from 'node:child_process';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { sandboxControls } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;

beforeAll(async () => {
  stack = await startTestStack();
  api = gatewayApi(stack);
});

afterAll(async () => {
  await stack?.stop();
});

const MARKER_NAME = 'MARKER NGUYEN THI ZQXW';
const MARKER_DESCRIPTION = 'MARKERDESC QZV';
const b64 = (text: string) => Buffer.from(text).toString('base64');

interface RawPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Every payload object anywhere in a JSON history, with the field it sits under. */
function payloadsIn(node: unknown, where = '', found: (RawPayload & { where: string })[] = []): (RawPayload & { where: string })[] {
  if (Array.isArray(node)) node.forEach((n) => payloadsIn(n, where, found));
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'encoding' in (record.metadata)) found.push({ ...(record as RawPayload), where });
    else Object.entries(record).forEach(([key, n]) => payloadsIn(n, `${where}.${key}`, found));
  }
  return found;
}

/** Search attributes are indexed by the server, so Temporal never encrypts them: they hold no PII by design. */
const isSearchAttribute = (p: { where: string }) => p.where.includes('.indexedFields.');

function rawHistory(workflowId: string): string {
  return execFileSync(process.env.TEMPORAL_CLI_PATH!, ['workflow', 'show', '--workflow-id', workflowId, '--address', stack.temporalAddress, '--output', 'json'], {
    encoding: 'utf8',
  });
}

async function waitingPayout(referenceId: string, overrides: Record<string, unknown> = {}) {
  const created = await api.post('/v1/payouts', {
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 7_700_000,
    beneficiaryAccountName: MARKER_NAME,
    beneficiaryAccountNumber: '5550001111',
    beneficiaryBankId: '161',
    description: MARKER_DESCRIPTION,
    ...overrides,
  });
  expect(created.status).toBe(202);
  return eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating');
}

test('stored history holds no beneficiary name, description or OTP in clear, yet the client and the codec server read them', async () => {
  const referenceId = `SEC-${Date.now().toString(36)}`;
  const waiting = await waitingPayout(referenceId);
  const otp = await sandboxControls(stack.sandboxUrl!).otp(waiting.payoutId);
  expect((await api.post(`/v1/payouts/${referenceId}/otp`, { code: otp })).body.accepted).toBe(true);
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success');

  const raw = rawHistory(`payout-${referenceId}`);
  for (const secret of [MARKER_NAME, MARKER_DESCRIPTION, b64(MARKER_NAME), `"code":"${otp}"`, b64(`{"code":"${otp}"}`)]) {
    expect(raw).not.toContain(secret);
  }
  const all = payloadsIn(JSON.parse(raw));
  const payloads = all.filter((p) => !isSearchAttribute(p)).map(({ metadata, data }) => ({ metadata, data }));
  expect(payloads.length).toBeGreaterThan(5);
  for (const payload of payloads) expect(Buffer.from(payload.metadata!.encoding!, 'base64').toString()).toBe('binary/encrypted');
  const searchAttributeValues = all.filter(isSearchAttribute).map((p) => Buffer.from(p.data ?? '', 'base64').toString());
  expect(searchAttributeValues).toEqual(expect.arrayContaining(['"payout"', `"${referenceId}"`, '7700000']));

  // The Temporal UI's codec server turns the same ciphertext back into the input.
  const decoded = await fetch(`${stack.gatewayUrl}/codec/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(stack.temporalUiUrl!).origin, 'x-namespace': 'default' },
    body: JSON.stringify({ payloads }),
  });
  expect(decoded.status).toBe(200);
  expect(decoded.headers.get('access-control-allow-origin')).toBe(new URL(stack.temporalUiUrl!).origin);
  const plain = ((await decoded.json()) as { payloads: RawPayload[] }).payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString());
  expect(plain.join('\n')).toContain(MARKER_NAME);
  expect(plain.join('\n')).toContain(`"code":"${otp}"`);
});

test('an operator can pass the OTP as a plain JSON signal with the Temporal CLI', async () => {
  const referenceId = `CLI-${Date.now().toString(36)}`;
  const waiting = await waitingPayout(referenceId);
  const otp = await sandboxControls(stack.sandboxUrl!).otp(waiting.payoutId);
  execFileSync(process.env.TEMPORAL_CLI_PATH!, [
    'workflow', 'signal', '--workflow-id', `payout-${referenceId}`, '--name', 'otp', '--input', JSON.stringify({ code: otp }), '--address', stack.temporalAddress,
  ]);
  const done = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status === 'success');
  expect(done.remainingTry).toBe(3);
});

describe('gateway authentication', () => {
  it('refuses /v1 without a key or with an unknown key, and names the scheme', async () => {
    const none = await api.call('GET', '/v1/payouts/ANY', undefined, { authorization: '' });
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await api.call('POST', '/v1/payouts', {}, { authorization: 'Bearer dfk_not-a-real-key' });
    expect(wrong.status).toBe(401);
  });

  it('keeps /healthz open and reports Temporal reachable', async () => {
    const health = await fetch(`${stack.gatewayUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', temporal: 'reachable' });
  });

  it('serves Prometheus metrics counting the requests it answered', async () => {
    await api.get('/v1/payouts/NOT-THERE');
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(text).toMatch(/dongflow_http_requests_total\{method="GET",route="\/v1\/payouts\/:referenceId",status="404"\} [1-9]/);
  });

  it('puts a request id on every response', async () => {
    const response = await api.get('/v1/payouts/NOT-THERE');
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
