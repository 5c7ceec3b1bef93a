/**
 * Tingee e-invoice accounts end to end, as a backend uses them: through the gateway, on a real Temporal dev server,
 * against the Tingee sandbox (which checks the signature, the UTC+7 timestamp and the duplicate rule as the page says).
 */
import { createHash } from 'node:crypto';
import { dataConverterFor } from '../../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../../codec/keys';
import { WORKFLOW_TASK_QUEUE } from '../../workflows/common/task-queues';
import type { EinvoiceAccountState } from '../../workflows/einvoice-account/messages';
import { einvoiceAccountStatusQuery, einvoiceAccountWorkflowId } from '../../workflows/einvoice-account/messages';
import type { einvoiceAccountWorkflow } from '../../workflows/einvoice-account/workflow';
import { searchAttributes } from '../../workflows/common/search-attributes';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';
import { sandboxControls } from '../helpers/sandbox-controls';

interface StoredAccount {
  id: number;
  merchantId: number;
  provider: string;
  taxCode: string;
  username: string;
  isDefault: boolean;
  isActive: boolean;
  passwordSha256: string;
}

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  stack = await startTestStack();
  api = gatewayApi(stack);
  controls = sandboxControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await controls.clearFaults();
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const put = (provider: string, taxCode: string, body: unknown) => api.call('PUT', `/v1/tingee/einvoice-accounts/${provider}/${taxCode}`, body);
const get = (provider: string, taxCode: string) => api.get(`/v1/tingee/einvoice-accounts/${provider}/${taxCode}`);

async function storedAccounts(taxCode?: string): Promise<StoredAccount[]> {
  const response = await fetch(`${stack.sandboxUrl}/_sandbox/tingee/einvoice-accounts`);
  const { accounts } = (await response.json()) as { accounts: StoredAccount[] };
  return taxCode === undefined ? accounts : accounts.filter((a) => a.taxCode === taxCode);
}

let serial = 0;
/** A fresh tax code per test: each account is its own flow. */
const newTaxCode = () => `01${String(process.pid % 10_000).padStart(4, '0')}${String(serial++).padStart(4, '0')}`;

describe('PUT /v1/tingee/einvoice-accounts/{provider}/{taxCode}', () => {
  it("creates the account at Tingee and answers Tingee's account without the password", async () => {
    const taxCode = newTaxCode();
    const created = await put('x-cyber', taxCode, { username: 'admin@company.vn', password: 'your_password', isDefault: true });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(Number), merchantId: 10001, provider: 'x-cyber', taxCode, username: 'admin@company.vn', isDefault: true, isActive: true });
    expect(JSON.stringify(created.body)).not.toContain('your_password');

    const [stored] = await storedAccounts(taxCode);
    expect(stored).toMatchObject({ id: created.body.id, username: 'admin@company.vn', passwordSha256: sha256('your_password') });

    expect(await get('x-cyber', taxCode)).toMatchObject({ status: 200, body: created.body });
  });

  it('a second PUT updates the same account (Tingee id remembered) instead of failing as a duplicate', async () => {
    const taxCode = newTaxCode();
    const first = await put('hilo', taxCode, { username: 'ketoan', password: 'first-pass' });
    const second = await put('hilo', taxCode, { username: 'ketoan2', password: 'second-pass', isActive: false });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ id: first.body.id, username: 'ketoan2', isActive: false, isDefault: false });
    const stored = await storedAccounts(taxCode);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ id: first.body.id, username: 'ketoan2', passwordSha256: sha256('second-pass') });
  });

  it('concurrent PUTs of a new account are run one after the other: one account at Tingee, the last write wins', async () => {
    const taxCode = newTaxCode();
    const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => put('s-invoice', taxCode, { username: `user-${n}`, password: `pass-${n}` })));
    expect(answers.map((a) => [a.status, a.body])).toEqual(answers.map(() => [200, expect.anything()]));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const stored = await storedAccounts(taxCode);
    expect(stored).toHaveLength(1);
    const state = await stack.client.workflow.getHandle(einvoiceAccountWorkflowId('s-invoice', taxCode)).query<{ saves: number; account: { username: string } }>('status');
    expect(state.saves).toBe(8);
    expect(stored[0]!.username).toBe(state.account.username);
  });

  it('a create whose answer was lost is found again and adopted: no duplicate, no stuck flow', async () => {
    const taxCode = newTaxCode();
    // Tingee stores the account, then the connection drops before its answer: every attempt, until the fault is lifted.
    await controls.setFaults({ rules: [{ method: 'POST', path: '/v1/e-invoice/create-or-update-account', commitThenDropRate: 1 }] });
    const pending = put('x-cyber', taxCode, { username: 'lost@company.vn', password: 'lost-answer' });
    await eventually(() => storedAccounts(taxCode), (accounts) => accounts.length === 1);
    await controls.clearFaults();
    const answer = await pending;
    expect(answer.status).toBe(200);
    const stored = await storedAccounts(taxCode);
    expect(stored).toHaveLength(1);
    expect(answer.body).toMatchObject({ id: stored[0]!.id, username: 'lost@company.vn' });
  });

  it('an unreachable Tingee answers 503 with nothing saved; the same PUT afterwards creates the account once', async () => {
    const taxCode = newTaxCode();
    await controls.setFaults({ rules: [{ path: '/v1/e-invoice/:call', errorRate: 1, errorStatus: 503 }] });
    const refused = await put('hilo', taxCode, { username: 'u', password: 'p' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'provider_unavailable', details: { type: 'TingeeUnavailable', httpStatus: 503 } });
    expect(await get('hilo', taxCode)).toMatchObject({ status: 404 });
    await controls.clearFaults();
    expect((await put('hilo', taxCode, { username: 'u', password: 'p' })).status).toBe(200);
    expect(await storedAccounts(taxCode)).toHaveLength(1);
  });

  it("code 91 (Tingee's clock 11 minutes ahead) is retried with a fresh timestamp: the PUT succeeds once the clocks agree", async () => {
    const taxCode = newTaxCode();
    const clock = (offsetMs: number) => fetch(`${stack.sandboxUrl}/_sandbox/tingee/clock`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offsetMs }) });
    await clock(11 * 60_000);
    try {
      const pending = put('x-cyber', taxCode, { username: 'u', password: 'p' });
      const handle = stack.client.workflow.getHandle(einvoiceAccountWorkflowId('x-cyber', taxCode));
      // The first attempt was refused (91) and a retry is scheduled.
      await eventually(
        () => handle.describe().then((d) => d.raw.pendingActivities?.[0]?.attempt ?? 0, () => 0),
        (attempt) => attempt >= 2,
      );
      await clock(0);
      const saved = await pending;
      expect(saved.status).toBe(200);
      expect(await storedAccounts(taxCode)).toEqual([expect.objectContaining({ id: saved.body.id })]);
    } finally {
      await clock(0);
    }
  });

  it('is searchable in the Temporal UI by kind and reference, never by a secret', async () => {
    const taxCode = newTaxCode();
    const saved = await put('x-cyber', taxCode, { username: 'admin', password: 'sa-check-password' });
    const description = await stack.client.workflow.getHandle(einvoiceAccountWorkflowId('x-cyber', taxCode)).describe();
    expect(description.typedSearchAttributes.get(searchAttributes.kind)).toBe('einvoice-account');
    expect(description.typedSearchAttributes.get(searchAttributes.reference)).toBe(`x-cyber-${taxCode}`);
    expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('saved');
    expect(description.typedSearchAttributes.get(searchAttributes.providerId)).toBe(String(saved.body.id));
    expect(JSON.stringify(description.raw)).not.toContain('sa-check-password');
  });

  it.each([
    ['provider', 'misa', '0101234567', { username: 'u', password: 'p' }, 'provider'],
    ['taxCode', 'x-cyber', '01012345', { username: 'u', password: 'p' }, 'taxCode'],
    ['password', 'x-cyber', '0101234567', { username: 'u' }, 'password'],
    ['username', 'x-cyber', '0101234567', { username: '', password: 'p' }, 'username'],
    ['isDefault', 'x-cyber', '0101234567', { username: 'u', password: 'p', isDefault: 'yes' }, 'isDefault'],
    ['an unknown field', 'x-cyber', '0101234567', { username: 'u', password: 'p', id: 5 }, '(body)'],
  ])('refuses a bad %s with 400 naming the field, and changes nothing', async (_what, provider, taxCode, body, field) => {
    const before = await storedAccounts();
    const refused = await put(provider, taxCode, body);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(await storedAccounts()).toEqual(before);
  });

  it('names every field at fault at once, in the path and in the body', async () => {
    const refused = await put('misa', '0101234567', { username: 'u' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['provider', 'password']);
  });

  it("refuses (409) another merchant's id for an account Tingee keeps under its merchant, and sends nothing", async () => {
    const taxCode = newTaxCode();
    expect((await put('x-cyber', taxCode, { username: 'u', password: 'p' })).body.merchantId).toBe(10001);
    const before = await storedAccounts(taxCode);
    const refused = await put('x-cyber', taxCode, { username: 'u', password: 'p2', merchantId: 20002 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain('merchantId must be 10001');
    expect(await storedAccounts(taxCode)).toEqual(before);
  });

  it("keeps Tingee's id across continue-as-new: the next run still updates the same account", async () => {
    const taxCode = newTaxCode();
    const workflowId = einvoiceAccountWorkflowId('hilo', taxCode);
    // The flow as the gateway starts it, but continuing as new after every two saves.
    const first = await stack.client.workflow.start<typeof einvoiceAccountWorkflow>('einvoiceAccountWorkflow', {
      workflowId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [{ provider: 'hilo', taxCode, savesPerRun: 2 }],
    });
    const ids: number[] = [];
    for (const n of [1, 2, 3, 4, 5]) {
      const saved = await put('hilo', taxCode, { username: `user-${n}`, password: `pass-${n}` });
      expect(saved.status).toBe(200);
      ids.push(saved.body.id);
    }
    expect(new Set(ids).size).toBe(1);
    expect(await storedAccounts(taxCode)).toEqual([expect.objectContaining({ id: ids[0], username: 'user-5', passwordSha256: sha256('pass-5') })]);
    expect((await stack.client.workflow.getHandle(workflowId, first.firstExecutionRunId).describe()).status.name).toBe('CONTINUED_AS_NEW');
    const latest = stack.client.workflow.getHandle(workflowId);
    const state: EinvoiceAccountState = await latest.query(einvoiceAccountStatusQuery);
    expect(state).toMatchObject({ saves: 5, status: 'saved', account: { id: ids[0], username: 'user-5' } });
    expect((await latest.describe()).runId).not.toBe(first.firstExecutionRunId);
    // What the new run carried over (decrypted) holds Tingee's id and no password.
    const started = (await latest.fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.continuedExecutionRunId).toBeTruthy();
    const codec = dataConverterFor(loadOrCreateLocalKeyRing(stack.dataDir)).payloadCodecs[0]!;
    const carried = (await codec.decode(started!.input!.payloads!)).map((p) => Buffer.from(p.data!).toString('utf8')).join('');
    expect(JSON.parse(carried)).toMatchObject({ provider: 'hilo', taxCode, carried: { account: { id: ids[0] } } });
    expect(carried).not.toMatch(/pass-\d/);
  });

  it('GET answers 404 for an account never saved, 400 for a bad path', async () => {
    expect((await get('x-cyber', newTaxCode())).status).toBe(404);
    expect(await get('misa', '0101234567')).toMatchObject({ status: 400, body: { error: { details: [expect.objectContaining({ field: 'provider' })] } } });
  });
});

describe('when Tingee does not accept our signature (code 97)', () => {
  let refusing: TestStack;
  beforeAll(async () => {
    // Tingee holds another secret key than the one dongflow signs with.
    refusing = await startTestStack({ sandbox: { tingee: { secretKey: 'rotated-at-tingee' } } });
  });
  afterAll(async () => {
    await refusing?.stop();
  });

  it('answers 503 at once (never retried) saying what to check, and nothing is stored', async () => {
    const started = Date.now();
    const refused = await gatewayApi(refusing).call('PUT', '/v1/tingee/einvoice-accounts/x-cyber/0101234567', { username: 'u', password: 'p' });
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'provider_unavailable', details: { type: 'TingeeUnauthorized', providerCode: '97', httpStatus: 200 } });
    expect(refused.body.error.message).toContain('check TINGEE_CLIENT_ID and TINGEE_SECRET_KEY');
    // Five attempts with backoff would take about 15 s.
    expect(Date.now() - started).toBeLessThan(10_000);
    const stored = await (await fetch(`${refusing.sandboxUrl}/_sandbox/tingee/einvoice-accounts`)).json();
    expect(stored).toEqual({ accounts: [] });
  });
});
