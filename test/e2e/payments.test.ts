/**
 * Payment requests and invoices end to end, as a backend and Finan use them: through the gateway, on a real
 * Temporal dev server, against the Finan sandbox, whose bank transfers send signed webhooks to our receiver.
 */
import { finanSignature } from '../../providers/finan/sign';
import { decodeVietQr } from '../../providers/vietqr';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { RECONCILIATION_SCHEDULE_ID, UNMATCHED_PAYMENTS_WORKFLOW_ID } from '../../workflows/reconciliation/messages';
import { paymentWorkflowId } from '../../workflows/payment-request/messages';
import { searchAttributes } from '../../workflows/common/search-attributes';
import { createPaymentsClient } from '../../client/payments';
import { FinanClient } from '../../providers/finan/client';
import { paymentControls } from '../helpers/payment-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let bank: ReturnType<typeof paymentControls>;

beforeAll(async () => {
  // The Schedule exists (as with `npm start`) but does not fire during the tests: runs are triggered with reconcileNow().
  stack = await startTestStack({ env: { DONGFLOW_RECONCILE_EVERY: '1 day' } });
  api = gatewayApi(stack);
  bank = paymentControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await bank.clearFaults();
});

let counter = 0;
const newReference = (prefix = 'PAY') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

const requestBody = (referenceId: string, overrides: Record<string, unknown> = {}) => ({
  referenceId,
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 6_000_000,
  description: 'thanh toan don hang',
  items: [{ name: 'So Ban Hang Pro 3 Nam', price: 3_000_000, quantity: 2, amount: 6_000_000 }],
  customer: { name: 'Nguyen Van A', email: 'nguyena@gmail.com' },
  ...overrides,
});

async function createRequest(referenceId: string, overrides: Record<string, unknown> = {}) {
  const created = await api.post('/v1/payment-requests', requestBody(referenceId, overrides));
  expect(created.status).toBe(201);
  return created.body as { paymentRequestId: string; bankTransfer: { remark: string; qrCode: string; accountNumber: string }; expiresAt: string };
}

const stateOf = async (referenceId: string) => (await api.get(`/v1/payment-requests/${referenceId}`)).body;
const inbox = async () => (await api.get('/v1/unmatched-payments')).body as { open: { paymentId: string; reason: string; flowWorkflowId: string | null; confirmed: boolean; amount: number }[] };

test('a payment request answers 201 with its VietQR, and a transfer of the full amount makes it paid', async () => {
  const referenceId = newReference();
  const created = await api.post('/v1/payment-requests', requestBody(referenceId));
  expect(created.status).toBe(201);
  expect(created.body).toEqual({
    referenceId,
    paymentRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    paymentRequestCode: expect.stringMatching(/^PR[A-Z0-9]{6}$/),
    paymentUrl: '',
    bankTransfer: { qrCode: expect.any(String), bankName: 'Shinhan', accountName: 'CONG TY TNHH DONGFLOW', accountNumber: '700012345678', remark: expect.stringMatching(/^TT/) },
    expiresAt: expect.any(String),
  });
  const qr = decodeVietQr(created.body.bankTransfer.qrCode);
  expect(qr).toMatchObject({ bin: '970424', accountNumber: '700012345678', amount: 6_000_000, purpose: created.body.bankTransfer.remark });
  expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(29 * 60_000);

  const payment = await bank.transfer(`CK ${created.body.bankTransfer.remark} thanh toan`, 6_000_000);
  const paid = await eventually(() => stateOf(referenceId), (s) => s.status !== 'unpaid');
  expect(paid).toMatchObject({ referenceId, status: 'paid', amount: 6_000_000, paidAmount: 6_000_000, paymentRequestId: created.body.paymentRequestId });
  expect(paid.payments).toEqual([{ paymentId: payment.id, paymentRequestId: created.body.paymentRequestId, amount: 6_000_000, method: 'bank_transfer', createdAt: payment.created_at }]);
  expect(paid.bankTransfer).toEqual(created.body.bankTransfer);

  // Operators find it by these search attributes; none holds the customer's data.
  const description = await stack.client.workflow.getHandle(paymentWorkflowId(referenceId)).describe();
  expect(description.typedSearchAttributes.get(searchAttributes.kind)).toBe('payment');
  expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('paid');
  expect(description.typedSearchAttributes.get(searchAttributes.reference)).toBe(referenceId);
  expect(description.typedSearchAttributes.get(searchAttributes.providerId)).toBe(created.body.paymentRequestId);
  expect(description.typedSearchAttributes.get(searchAttributes.amount)).toBe(6_000_000);
  expect(JSON.stringify(description.typedSearchAttributes.getAll())).not.toMatch(/Nguyen|gmail/);
});

test('a partial payment makes it partial_paid, and at its expiry it ends expired_partial', async () => {
  const referenceId = newReference();
  const { bankTransfer } = await createRequest(referenceId, { ttlSeconds: 3 });
  await bank.transfer(bankTransfer.remark, 2_000_000);
  const partial = await eventually(() => stateOf(referenceId), (s) => s.paidAmount > 0);
  expect(partial).toMatchObject({ status: 'partial_paid', paidAmount: 2_000_000 });
  const ended = await eventually(() => stateOf(referenceId), (s) => s.status !== 'partial_paid', 15_000);
  expect(ended).toMatchObject({ status: 'expired_partial', paidAmount: 2_000_000 });
  const history = await stack.client.workflow.getHandle(paymentWorkflowId(referenceId)).fetchHistory();
  process.stdout.write(`payment request (gateway, update-with-start), partial payment then expiry: ${history.events!.length} history events\n`);
});

test('two transfers that together exceed the amount make it extra_paid', async () => {
  const referenceId = newReference();
  const { bankTransfer } = await createRequest(referenceId);
  const first = await bank.transfer(bankTransfer.remark, 6_000_000);
  await eventually(() => stateOf(referenceId), (s) => s.status === 'paid');
  const second = await bank.transfer(bankTransfer.remark, 500_000);
  const extra = await eventually(() => stateOf(referenceId), (s) => s.status === 'extra_paid');
  expect(extra.paidAmount).toBe(6_500_000);
  expect(extra.payments.map((p: { paymentId: string }) => p.paymentId)).toEqual([first.id, second.id]);
});

test('a duplicate webhook is counted once', async () => {
  await bank.setWebhookFaults({ duplicateRate: 1 });
  const referenceId = newReference();
  const { bankTransfer } = await createRequest(referenceId);
  const payment = await bank.transfer(bankTransfer.remark, 6_000_000);
  const deliveries = await eventually(
    async () => (await bank.deliveries()).filter((d) => d.paymentId === payment.id),
    (ds) => ds.length === 2 && ds.every((d) => d.state === 'delivered'),
  );
  expect(deliveries.map((d) => d.attempts[0]?.status)).toEqual([200, 200]);
  expect(deliveries.map((d) => d.duplicate)).toEqual([false, true]);
  // Both deliveries were acknowledged once Temporal had them; the flow counts (after reading Finan) in its own time.
  const state = await eventually(() => stateOf(referenceId), (s) => s.status === 'paid');
  expect(state).toMatchObject({ status: 'paid', paidAmount: 6_000_000 });
  expect(state.payments).toHaveLength(1);
  // The second delivery made no second read of Finan: it was recognised by its payment id.
  const history = await stack.client.workflow.getHandle(paymentWorkflowId(referenceId)).fetchHistory();
  const reads = history.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'getPaymentRequest');
  expect(reads).toHaveLength(1);
});

test('a forged, a stale and an unsigned webhook are each refused with 401 and change nothing', async () => {
  const referenceId = newReference();
  const { paymentRequestId } = await createRequest(referenceId);
  const body = JSON.stringify({
    id: `PAY-${referenceId}`,
    reference_id: referenceId,
    payment_method: 'bank_transfer',
    payment_request_id: paymentRequestId,
    amount: 6_000_000,
    created_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const now = Math.floor(Date.now() / 1000);
  const sign = (secret: string, timestamp: number) => ({
    'content-type': 'application/json',
    'x-client-id': 'sandbox-client',
    'x-timestamp': String(timestamp),
    'x-signature': finanSignature({ secretKey: secret, method: 'POST', path: '/webhooks/finan', payload: body, timestamp }),
  });
  const send = async (headers: Record<string, string>) => {
    const response = await fetch(`${stack.gatewayUrl}/webhooks/finan`, { method: 'POST', headers, body });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
  };

  const forged = await send(sign('not-the-webhook-secret', now));
  const stale = await send(sign('sandbox-secret', now - 600));
  const unsigned = await send({ 'content-type': 'application/json' });
  expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);
  expect([forged.body.error?.code, stale.body.error?.code, unsigned.body.error?.code]).toEqual(['invalid_signature', 'stale_webhook', 'missing_signature']);

  // Nothing reached the flow: no signal in its history, no change in its state, nothing in the operators' inbox.
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(referenceId));
  const history = await handle.fetchHistory();
  expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
  expect(await stateOf(referenceId)).toMatchObject({ status: 'unpaid', paidAmount: 0, payments: [], unconfirmedPaymentIds: [] });
  expect((await inbox()).open.map((e) => e.paymentId)).not.toContain(`PAY-${referenceId}`);

  // The same body correctly signed gets through, and is still only a hint: Finan lists no such payment.
  const genuine = await send(sign('sandbox-secret', now));
  expect(genuine.status).toBe(200);
  const hinted = await eventually(() => stateOf(referenceId), (s) => s.unconfirmedPaymentIds.length > 0);
  // What the webhook claimed is shown apart; the paid amount holds only what Finan confirmed.
  expect(hinted).toMatchObject({ status: 'unpaid', paidAmount: 0, unconfirmedPaymentIds: [`PAY-${referenceId}`], unconfirmedAmount: 6_000_000 });
});

test('with every webhook dropped, a payment still reaches paid after one reconciliation run', async () => {
  await bank.setWebhookFaults({ dropRate: 1 });
  const referenceId = newReference();
  const { bankTransfer } = await createRequest(referenceId);
  const payment = await bank.transfer(bankTransfer.remark, 6_000_000);
  await eventually(async () => (await bank.deliveries()).find((d) => d.paymentId === payment.id)?.state, (s) => s === 'dropped');
  await new Promise((r) => setTimeout(r, 500));
  expect(await stateOf(referenceId)).toMatchObject({ status: 'unpaid', paidAmount: 0 });

  const report = await stack.payments.reconcileNow();
  expect(report.flowsSignalled).toContainEqual({ workflowId: paymentWorkflowId(referenceId), paymentIds: [payment.id] });
  const paid = await eventually(() => stateOf(referenceId), (s) => s.status === 'paid');
  expect(paid.paidAmount).toBe(6_000_000);

  // The run and its findings are visible to operators; the Schedule exists for the periodic runs.
  const withFindings = async () => {
    const found: string[] = [];
    for await (const run of stack.client.workflow.list({ query: `WorkflowType = 'reconciliationWorkflow' AND DongflowStatus = 'findings'` })) found.push(run.workflowId);
    return found;
  };
  expect((await eventually(withFindings, (found) => found.length > 0)).every((id) => id.startsWith(`${RECONCILIATION_SCHEDULE_ID}-`))).toBe(true);
  const schedule = await stack.client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).describe();
  expect(schedule.spec.intervals?.map((i) => i.every)).toEqual([24 * 3600_000]);
});

test('a transfer after the request ended is recorded as late in the operators\' inbox, confirmed with Finan', async () => {
  const referenceId = newReference();
  const { bankTransfer } = await createRequest(referenceId, { ttlSeconds: 1 });
  await eventually(() => stateOf(referenceId), (s) => s.status === 'expired', 15_000);
  const payment = await bank.transfer(bankTransfer.remark, 6_000_000);

  const entry = await eventually(async () => (await inbox()).open.find((e) => e.paymentId === payment.id), (e) => e?.confirmed === true);
  expect(entry).toMatchObject({ reason: 'late', flowWorkflowId: paymentWorkflowId(referenceId), amount: 6_000_000, confirmed: true });
  expect(await stateOf(referenceId)).toMatchObject({ status: 'expired', paidAmount: 0 });
  const inboxFlow = await stack.client.workflow.getHandle(UNMATCHED_PAYMENTS_WORKFLOW_ID).describe();
  expect(inboxFlow.typedSearchAttributes.get(searchAttributes.status)).toBe('needs_attention');

  // A reconciliation run seeing the same late payment adds nothing.
  const report = await stack.payments.reconcileNow();
  expect(report.unmatchedRecorded.map((u) => u.paymentId)).not.toContain(payment.id);

  const resolved = await api.post(`/v1/unmatched-payments/${payment.id}/resolve`, { resolution: 'refunded, ticket 812' });
  expect(resolved.status).toBe(200);
  expect(resolved.body).toMatchObject({ paymentId: payment.id, resolution: 'refunded, ticket 812' });
  expect((await inbox()).open.map((e) => e.paymentId)).not.toContain(payment.id);
});

test('a transfer matching no payment request is recorded as an orphan', async () => {
  const payment = await bank.transfer(`chuyen tien ${newReference('NOMATCH')}`, 123_000);
  expect(payment.orphan).toBe(true);
  const entry = await eventually(async () => (await inbox()).open.find((e) => e.paymentId === payment.id), (e) => e !== undefined);
  expect(entry).toMatchObject({ reason: 'orphan', flowWorkflowId: null, amount: 123_000, confirmed: false });
  // Nobody could confirm it with Finan: its amount is shown apart from the confirmed money waiting for a decision.
  const totals = (await api.get('/v1/unmatched-payments')).body as { open: { amount: number; confirmed: boolean }[]; openAmount: number; unconfirmedAmount: number };
  const sum = (confirmed: boolean) => totals.open.filter((e) => e.confirmed === confirmed).reduce((s, e) => s + e.amount, 0);
  expect(totals.openAmount).toBe(sum(true));
  expect(totals.unconfirmedAmount).toBe(sum(false));
  expect(totals.unconfirmedAmount).toBeGreaterThanOrEqual(123_000);
});

test('an invoice whose first request expired unpaid and whose second was paid ends paid with the right sum', async () => {
  const invoiceId = newReference('INV');
  const dueDate = new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10);
  const collected = await api.post(`/v1/invoices/${invoiceId}/collect`, {
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 2_500_000,
    dueDate,
    description: 'hoa don thang 1',
    linkTtlSeconds: 3,
  });
  expect(collected.status).toBe(201);
  expect(collected.body).toMatchObject({ invoiceId, workflowId: `invoice-${invoiceId}`, status: 'unpaid', amount: 2_500_000 });
  expect(decodeVietQr(collected.body.bankTransfer.qrCode).amount).toBe(2_500_000);

  const renewed = await eventually(async () => (await api.get(`/v1/invoices/${invoiceId}`)).body, (s) => s.requestCount === 2 && s.current !== null, 20_000);
  expect(renewed.requests[0]).toMatchObject({ paymentRequestId: collected.body.paymentRequestId, open: false, paidAmount: 0 });
  await bank.transfer(renewed.current.bankTransfer.remark, 2_500_000);

  const paid = await eventually(async () => (await api.get(`/v1/invoices/${invoiceId}`)).body, (s) => s.status === 'paid' && s.current === null, 20_000);
  expect(paid).toMatchObject({ status: 'paid', amount: 2_500_000, paidAmount: 2_500_000, requestCount: 2 });
  expect(paid.requests.map((r: { paidAmount: number }) => r.paidAmount)).toEqual([0, 2_500_000]);
  const handle = stack.client.workflow.getHandle(`invoice-${invoiceId}`);
  expect((await handle.describe()).status.name).toBe('COMPLETED');
  const history = await handle.fetchHistory();
  process.stdout.write(`invoice, first request expired unpaid, second paid: ${history.events!.length} history events\n`);
});

test('bad requests get the field and the rule, a reused reference 409, and a request Finan refuses 422', async () => {
  const referenceId = newReference();
  const mismatch = await api.post('/v1/payment-requests', requestBody(referenceId, { items: [{ name: 'x', price: 3_000_000, quantity: 2, amount: 5_000_000 }] }));
  expect(mismatch.status).toBe(400);
  expect(mismatch.body.error).toMatchObject({ code: 'validation_failed' });
  expect(mismatch.body.error.details).toEqual(
    expect.arrayContaining([
      { field: 'items.0.amount', rule: 'must equal price × quantity (6000000)' },
      { field: 'amount', rule: 'must equal the sum of items[].amount (5000000)' },
    ]),
  );
  const longDescription = await api.post('/v1/payment-requests', requestBody(referenceId, { description: 'x'.repeat(31) }));
  expect(longDescription.body.error.details).toEqual([{ field: 'description', rule: 'must be at most 30 characters (a Finan limit)' }]);
  expect((await api.get(`/v1/payment-requests/${referenceId}`)).status).toBe(404);

  await createRequest(referenceId);
  const reused = await api.post('/v1/payment-requests', requestBody(referenceId));
  expect(reused.status).toBe(409);
  expect(reused.body.error.code).toBe('duplicate_reference');

  const unknownAccount = await api.post('/v1/payment-requests', requestBody(newReference(), { accountId: '00000000-0000-4000-8000-000000000000' }));
  expect(unknownAccount.status).toBe(422);
  expect(unknownAccount.body.error).toMatchObject({ code: 'provider_rejected', details: { type: 'FinanNotFound', httpStatus: 404, providerCode: 104000 } });

  const pastDue = await api.post(`/v1/invoices/${newReference('INV')}/collect`, { accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 100, dueDate: '2020-01-01' });
  expect(pastDue.status).toBe(400);
  expect(pastDue.body.error.details).toEqual([{ field: 'dueDate', rule: 'must be in the future' }]);
});

test('with no worker to create it, the caller is not kept waiting: the request is accepted (creating) and nothing is lost', async () => {
  // A task queue no worker polls stands for a stopped worker.
  const payments = createPaymentsClient(stack.client, { taskQueue: `no-worker-${process.pid}`, creationWaitMs: 1_000 });
  const referenceId = newReference();
  const started = Date.now();
  const answer = await payments.createPaymentRequest(requestBody(referenceId));
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(answer).toEqual({ referenceId, workflowId: paymentWorkflowId(referenceId), status: 'creating' });
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(referenceId));
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.terminate('test clean-up');
});

test("an operator's cancellation from the Temporal UI stops a payment request cleanly", async () => {
  const referenceId = `PR-CANCEL-${Date.now().toString(36)}`;
  await createRequest(referenceId);
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(referenceId));
  await handle.cancel();
  await expect(handle.result()).rejects.toThrow(/cancel/i);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
});

/** Finan's own list for a reference, as the sandbox holds it. */
async function atFinan(referenceId: string, referenceType?: string) {
  const finan = new FinanClient({ baseUrl: `${stack.sandboxUrl}/finan/open`, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
  return (await finan.listPaymentRequests({ referenceType, referenceId })).data;
}

test('a refusal of our credentials (403) ends the request unavailable with 503, and the same reference is then created', async () => {
  const referenceId = newReference('OUTAGE');
  await bank.setFinanFaults([{ errorRate: 1, errorStatus: 403 }]);
  const refused = await api.post('/v1/payment-requests', requestBody(referenceId));
  expect(refused.status).toBe(503);
  expect(refused.body.error).toMatchObject({ code: 'provider_unavailable', details: { type: 'FinanForbidden', httpStatus: 403, referenceReusable: true } });
  expect(await stateOf(referenceId)).toMatchObject({ status: 'unavailable', failure: { type: 'FinanForbidden', httpStatus: 403 } });
  const run = await stack.client.workflow.getHandle(paymentWorkflowId(referenceId)).describe();
  expect(run.status.name).toBe('FAILED');
  expect(run.typedSearchAttributes.get(searchAttributes.status)).toBe('unavailable');

  await bank.clearFaults();
  const created = await api.post('/v1/payment-requests', requestBody(referenceId));
  expect(created.status).toBe(201);
  expect(await atFinan(referenceId)).toHaveLength(1);
  // A reference that made a request stays spent.
  expect((await api.post('/v1/payment-requests', requestBody(referenceId))).status).toBe(409);
});

test("a QR that fails its check is never handed to a payer: 503 FinanInvalidQr, and the reference stays usable", async () => {
  const referenceId = newReference('BADQR');
  await bank.setQrFault('wrong_amount');
  try {
    const refused = await api.post('/v1/payment-requests', requestBody(referenceId));
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ code: 'provider_unavailable', details: { type: 'FinanInvalidQr' } });
    expect(refused.body.error.message).toMatch(/asks 6001000 VND, not the 6000000 VND requested/);
    const state = await stateOf(referenceId);
    expect(state).toMatchObject({ status: 'unavailable', bankTransfer: null, failure: { type: 'FinanInvalidQr' } });
  } finally {
    await bank.setQrFault(null);
  }
  // The next run adopts the requests the refused attempts left (their money would count) and hands out a good QR.
  const left = (await atFinan(referenceId)).map((r) => r.payment_request_id);
  expect(left.length).toBeGreaterThanOrEqual(1);
  const created = await createRequest(referenceId);
  expect(decodeVietQr(created.bankTransfer.qrCode).amount).toBe(6_000_000);
  expect((await stateOf(referenceId)).adoptedPaymentRequestIds.sort()).toEqual([...left].sort());
});

test('an invoice refused for our IP (403) answers 503 and can be collected again under its id', async () => {
  const invoiceId = newReference('INV-OUTAGE');
  const body = { accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 900_000, dueDate: new Date(Date.now() + 24 * 3600_000).toISOString().slice(0, 10) };
  await bank.setFinanFaults([{ errorRate: 1, errorStatus: 403 }]);
  const refused = await api.post(`/v1/invoices/${invoiceId}/collect`, body);
  expect(refused.status).toBe(503);
  expect((await api.get(`/v1/invoices/${invoiceId}`)).body).toMatchObject({ status: 'unavailable', failure: { type: 'FinanForbidden' } });
  await bank.clearFaults();
  const collected = await api.post(`/v1/invoices/${invoiceId}/collect`, body);
  expect(collected.status).toBe(201);
  expect(collected.body).toMatchObject({ invoiceId, status: 'unpaid', amount: 900_000 });
  expect(await atFinan(invoiceId, 'invoice')).toHaveLength(1);
});

test('each reconciliation reads from the high-water mark the previous one left, and moves it to the newest payment read', async () => {
  const first = await stack.payments.reconcileNow();
  expect(first.highWaterMark).toEqual(expect.any(String));
  await bank.setWebhookFaults({ dropRate: 1 });
  const referenceId = newReference('MARK');
  const { bankTransfer } = await createRequest(referenceId);
  const payment = await bank.transfer(bankTransfer.remark, 6_000_000);

  const second = await stack.payments.reconcileNow();
  // From the previous run's mark (less the re-read overlap), not from a fixed lookback.
  expect(second.since).toBe(new Date(Date.parse(first.highWaterMark!) - 5 * 60_000).toISOString());
  expect(second.flowsSignalled).toContainEqual({ workflowId: paymentWorkflowId(referenceId), paymentIds: [payment.id] });
  expect(Date.parse(second.highWaterMark!)).toBeGreaterThanOrEqual(Date.parse(payment.created_at));
  expect(Date.parse(second.highWaterMark!)).toBeGreaterThanOrEqual(Date.parse(first.highWaterMark!));
  await eventually(() => stateOf(referenceId), (s) => s.status === 'paid');

  const third = await stack.payments.reconcileNow();
  expect(third.since).toBe(new Date(Date.parse(second.highWaterMark!) - 5 * 60_000).toISOString());
  // The run answers the `status` query too (npx dongflow show).
  const shown = await stack.client.workflow.getHandle(third.workflowId!).query('status');
  expect(shown).toMatchObject({ phase: 'done', highWaterMark: third.highWaterMark });
});
