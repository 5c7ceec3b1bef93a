/**
 * What a security reviewer checks on the running stack: nothing readable in Temporal's stored history (payloads and
 * failures), the codec server on its own listener decoding it for the UI and the real `temporal` CLI (bearer token,
 * never an Origin), API keys on `/v1/*`, and operators' plain-JSON signals still accepted.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeOptionalFailureToOptionalError, loadDataConverter } from '@temporalio/common/lib/internal-non-workflow';
import { startStack } from '../../scripts/stack';
import { ConfigError } from '../../config/env';
import { createLogger } from '../../config/logger';
import { dataConverterFor } from '../../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../../codec/keys';
import { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { sandboxControls } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, isolatedConfig, startTestStack } from '../helpers/stack';

const CODEC_TOKEN = 'codec-token-e2e-7Qz';
let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;

beforeAll(async () => {
  stack = await startTestStack({ env: { DONGFLOW_CODEC_AUTH_TOKEN: CODEC_TOKEN } });
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

/** The real `temporal` binary, through the codec server as an operator runs it (the flags `npm start` prints). */
async function temporalCli(args: string[]): Promise<string> {
  const codecFlags = ['--codec-endpoint', stack.codecEndpoint, '--codec-auth', `Bearer ${CODEC_TOKEN}`];
  const { stdout } = await promisify(execFile)(process.env.TEMPORAL_CLI_PATH!, [...args, '--address', stack.temporalAddress, ...codecFlags], { encoding: 'utf8' });
  return stdout;
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

  // The codec server (its own listener) turns the same ciphertext back into the input, for its bearer token only:
  // the UI's Origin is CORS, not a credential.
  const uiHeaders = { 'content-type': 'application/json', origin: new URL(stack.temporalUiUrl!).origin, 'x-namespace': 'default' };
  const withoutToken = await fetch(`${stack.codecEndpoint}/decode`, { method: 'POST', headers: uiHeaders, body: JSON.stringify({ payloads }) });
  expect(withoutToken.status).toBe(401);
  expect(await withoutToken.text()).not.toContain(MARKER_NAME);
  const decoded = await fetch(`${stack.codecEndpoint}/decode`, {
    method: 'POST',
    headers: { ...uiHeaders, authorization: `Bearer ${CODEC_TOKEN}` },
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
  expect(done.remainingTry).toBe(2);
});

test('the public gateway does not serve the codec server', async () => {
  for (const path of ['/codec/decode', '/codec/encode']) {
    const response = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"payloads":[]}' });
    expect(response.status).toBe(404);
  }
  expect(new URL(stack.codecEndpoint).port).not.toBe(new URL(stack.gatewayUrl).port);
  expect(new URL(stack.codecEndpoint).hostname).toBe('127.0.0.1');
});

test('the real temporal CLI queries, shows and signals through the codec server (protobuf JSON, bearer token)', async () => {
  const referenceId = `TCLI-${Date.now().toString(36)}`;
  const waiting = await waitingPayout(referenceId);
  const workflowId = `payout-${referenceId}`;

  // A query without arguments: the CLI posts `{}` (protobuf JSON leaves the empty list out) to /codec/encode.
  const queried = JSON.parse(await temporalCli(['workflow', 'query', '--workflow-id', workflowId, '--name', 'status', '--output', 'json']));
  expect(JSON.stringify(queried)).toContain(`"referenceId":"${referenceId}"`);
  expect(JSON.stringify(queried)).toContain('"status":"waiting_confirm"');

  // `show --output json` keeps protobuf JSON (bytes in base64), now decrypted: json/plain payloads holding the input.
  const shown = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json']);
  const shownPayloads = payloadsIn(JSON.parse(shown)).filter((p) => !isSearchAttribute(p));
  expect(shownPayloads.length).toBeGreaterThan(0);
  for (const payload of shownPayloads) expect(Buffer.from(payload.metadata!.encoding!, 'base64').toString()).not.toBe('binary/encrypted');
  expect(shownPayloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString()).join('\n')).toContain(MARKER_NAME);

  // A signal with input: the CLI encrypts it through /codec/encode, and the flow reads it.
  const otp = await sandboxControls(stack.sandboxUrl!).otp(waiting.payoutId);
  await temporalCli(['workflow', 'signal', '--workflow-id', workflowId, '--name', 'otp', '--input', JSON.stringify({ code: otp })]);
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success');
  const raw = rawHistory(workflowId);
  expect(raw).not.toContain(otp);
  const signalled = (JSON.parse(raw) as { events: { workflowExecutionSignaledEventAttributes?: { input: { payloads: RawPayload[] } } }[] }).events.find(
    (e) => e.workflowExecutionSignaledEventAttributes,
  )!;
  const encoding = signalled.workflowExecutionSignaledEventAttributes!.input.payloads[0]!.metadata!.encoding!;
  expect(Buffer.from(encoding, 'base64').toString()).toBe('binary/encrypted');
});

test("a Finan refusal's message is not readable in stored history, yet the client decodes it", async () => {
  const referenceId = `FAIL-${Date.now().toString(36)}`;
  const created = await api.post('/v1/payouts', {
    referenceId,
    accountId: FINAN_LOW_BALANCE_ACCOUNT_ID,
    amount: 50_000_000,
    beneficiaryAccountName: MARKER_NAME,
    beneficiaryAccountNumber: '5550001111',
    beneficiaryBankId: '161',
    description: MARKER_DESCRIPTION,
  });
  expect(created.status).toBe(202);
  const ended = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating');
  // Finan's request id is the marker: random, and carried by the failure's message ("Finan 422 (..., request_id X): ...").
  const requestId: string = ended.failure.requestId;
  expect(requestId).toMatch(/^[0-9a-f]{16,}$/);

  const raw = rawHistory(`payout-${referenceId}`);
  const events = (JSON.parse(raw) as { events: { activityTaskFailedEventAttributes?: { failure: unknown } }[] }).events;
  const failed = events.filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!.failure);
  expect(failed.length).toBeGreaterThan(0);
  expect(raw).not.toContain(requestId);
  expect(raw).not.toContain('Insufficient balance');
  expect(JSON.stringify(failed[0])).toContain('"message":"Encoded failure"');

  // Decoded with the stack's data converter, as the client, the CLI and replay do.
  const converter = loadDataConverter(dataConverterFor(loadOrCreateLocalKeyRing(stack.dataDir)));
  const history = await stack.client.workflow.getHandle(`payout-${referenceId}`).fetchHistory();
  const failure = history.events!.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure;
  const error = await decodeOptionalFailureToOptionalError(converter, failure);
  expect(error?.message).toContain(requestId);
  expect(error?.message).toContain('Insufficient balance');
});

test('with real Finan or a public gateway and no DONGFLOW_API_KEYS, start-up stops before starting anything', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ FINAN_BASE_URL: 'http://127.0.0.1:9/finan/open', FINAN_CLIENT_ID: 'c', FINAN_SECRET_KEY: 's' }, /^DONGFLOW_API_KEYS is required when FINAN_BASE_URL is set \(real Finan\)/],
    [{ GATEWAY_HOST: '0.0.0.0' }, /^DONGFLOW_API_KEYS is required when GATEWAY_HOST \(0\.0\.0\.0\) is not a loopback address/],
  ];
  for (const [env, line] of cases) {
    const config = await isolatedConfig('/nonexistent/dongflow-never-created', env);
    const started = startStack({ config, logger: createLogger({ level: 'silent' }) });
    await expect(started).rejects.toBeInstanceOf(ConfigError);
    const problems = await started.catch((err: ConfigError) => err.problems);
    expect(problems).toEqual([expect.stringMatching(line)]);
  }
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
