/**
 * Payouts end to end, as a backend uses them: through the gateway, on a real Temporal dev server, against the
 * Finan sandbox. The money invariant is checked on the sandbox's ledger, not on workflow status.
 */
import { temporal } from '@temporalio/proto';
import { FinanClient } from '../../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID, STUCK_BENEFICIARY_ACCOUNT_NUMBER } from '../../sandbox/server';
import { payoutWorkflowId } from '../../workflows/payout/messages';
import { searchAttributes } from '../../workflows/common/search-attributes';
import { sandboxControls, wrongOtp } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let sandbox: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  stack = await startTestStack();
  api = gatewayApi(stack);
  sandbox = sandboxControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newReference = (prefix = 'E2E') => `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;

const payoutBody = (referenceId: string) => ({
  referenceId,
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 6_000_000,
  beneficiaryAccountName: 'NGUYEN VAN A',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  description: 'thanh toan don hang',
});

async function payoutWaitingForOtp(referenceId: string) {
  const created = await api.post('/v1/payouts', payoutBody(referenceId));
  expect(created.status).toBe(202);
  const state = await eventually(
    async () => (await api.get(`/v1/payouts/${referenceId}`)).body,
    (s) => s.status !== 'creating',
  );
  expect(state.status).toBe('waiting_confirm');
  return state as { payoutId: string; remainingTry: number };
}

const ledgerFor = async (referenceId: string) => (await sandbox.ledger()).filter((t) => t.reference_id === referenceId);
/** Finan's payouts with this reference, read with Finan's own API. */
const finanPayoutsFor = async (referenceId: string) =>
  (await new FinanClient({ baseUrl: stack.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' }).listPayouts()).data.filter(
    (p) => p.reference_id === referenceId,
  );

test('a payout with the right OTP ends in success with exactly one transfer on the ledger', async () => {
  const referenceId = newReference();
  const created = await api.post('/v1/payouts', payoutBody(referenceId));
  expect(created.status).toBe(202);
  expect(created.body).toEqual({ referenceId, workflowId: `payout-${referenceId}`, status: 'creating' });
  expect(created.headers.get('x-request-id')).toBeTruthy();

  const waiting = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating');
  expect(waiting).toMatchObject({ status: 'waiting_confirm', remainingTry: 3, amount: 6_000_000, beneficiaryAccountLast4: '7890' });
  expect(waiting.payoutId).toMatch(/^[0-9a-f-]{36}$/);

  const otp = await sandbox.otp(waiting.payoutId);
  const submitted = await api.post(`/v1/payouts/${referenceId}/otp`, { code: otp });
  expect(submitted.status).toBe(200);
  // The page's example: a payout created with 3 tries answers a right code with `processing, remaining_try: 2`.
  expect(submitted.body).toEqual({ accepted: true, status: 'processing', remainingTry: 2 });

  const done = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status === 'success');
  expect(done).toMatchObject({ status: 'success', providerStatus: 'success', failure: null });

  const transfers = await ledgerFor(referenceId);
  expect(transfers).toHaveLength(1);
  expect(transfers[0]).toMatchObject({ payoutId: waiting.payoutId, amount: 6_000_000 });

  // Operators find it in the Temporal UI by these search attributes.
  const description = await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).describe();
  expect(description.typedSearchAttributes.get(searchAttributes.status)).toBe('success');
  expect(description.typedSearchAttributes.get(searchAttributes.kind)).toBe('payout');
  expect(description.typedSearchAttributes.get(searchAttributes.reference)).toBe(referenceId);
  expect(description.typedSearchAttributes.get(searchAttributes.providerId)).toBe(waiting.payoutId);
  expect(description.typedSearchAttributes.get(searchAttributes.amount)).toBe(6_000_000);

  // An OTP payout stays a small history (the budget in reference/performance.md is ~23 events plus task events).
  const events = (await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).fetchHistory()).events!.length;
  expect(events).toBeLessThan(45);
  process.stdout.write(`history events of a happy-path payout: ${events}\n`);
});

test('a wrong OTP leaves two tries, then the right one goes through', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  const otp = await sandbox.otp(payoutId);

  const wrong = await api.post(`/v1/payouts/${referenceId}/otp`, { code: wrongOtp(otp) });
  expect(wrong.status).toBe(200);
  expect(wrong.body).toEqual({ accepted: false, status: 'waiting_confirm', remainingTry: 2 });

  const right = await api.post(`/v1/payouts/${referenceId}/otp`, { code: otp });
  expect(right.body).toEqual({ accepted: true, status: 'processing', remainingTry: 1 });
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success');
  expect(await ledgerFor(referenceId)).toHaveLength(1);
});

test('three wrong OTPs fail the payout and move no money', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  const bad = wrongOtp(await sandbox.otp(payoutId));

  expect((await api.post(`/v1/payouts/${referenceId}/otp`, { code: bad })).body).toEqual({ accepted: false, status: 'waiting_confirm', remainingTry: 2 });
  expect((await api.post(`/v1/payouts/${referenceId}/otp`, { code: bad })).body).toEqual({ accepted: false, status: 'waiting_confirm', remainingTry: 1 });
  expect((await api.post(`/v1/payouts/${referenceId}/otp`, { code: bad })).body).toEqual({ accepted: false, status: 'failed', remainingTry: 0 });

  const state = (await api.get(`/v1/payouts/${referenceId}`)).body;
  expect(state).toMatchObject({ status: 'failed', remainingTry: 0, failure: { type: 'OtpAttemptsExhausted' } });
  // The Temporal UI's "current details" line gives the reason too.
  const metadata = await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).query<{ currentDetails: string }>('__temporal_workflow_metadata');
  expect(metadata.currentDetails).toBe('failed: OtpAttemptsExhausted: Finan refused the OTP and no tries are left');
  const late = await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('invalid_state');
  expect(await ledgerFor(referenceId)).toHaveLength(0);
});

test('a payout cancelled before its OTP moves no money and refuses a later OTP', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);

  const cancelled = await api.post(`/v1/payouts/${referenceId}/cancel`);
  expect(cancelled.status).toBe(200);
  expect(cancelled.body.status).toBe('cancelled');

  const otp = await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  expect(otp.status).toBe(409);
  expect(otp.body.error.message).toMatch(/cancelled/);
  const again = await api.post(`/v1/payouts/${referenceId}/cancel`);
  expect(again.status).toBe(409);
  expect(await ledgerFor(referenceId)).toHaveLength(0);
});

test("an operator's cancellation from the Temporal UI ends a payout waiting for its OTP, but not one past it", async () => {
  const waitingRef = newReference();
  await payoutWaitingForOtp(waitingRef);
  const waitingHandle = stack.client.workflow.getHandle(payoutWorkflowId(waitingRef));
  await waitingHandle.cancel();
  expect((await waitingHandle.result()).status).toBe('cancelled');

  // Past the OTP the bank may be moving money: a cancellation request must not stop the polling.
  const movingRef = newReference();
  await api.post('/v1/payouts', { ...payoutBody(movingRef), beneficiaryAccountNumber: STUCK_BENEFICIARY_ACCOUNT_NUMBER });
  const moving = await eventually(async () => (await api.get(`/v1/payouts/${movingRef}`)).body, (s) => s.status === 'waiting_confirm');
  await api.post(`/v1/payouts/${movingRef}/otp`, { code: await sandbox.otp(moving.payoutId) });
  const movingHandle = stack.client.workflow.getHandle(payoutWorkflowId(movingRef));
  await movingHandle.cancel();
  // Once the workflow has handled the cancellation request (a task completed after it), it is still polling.
  await eventually(
    async () => (await movingHandle.fetchHistory()).events!.map((e) => e.eventType),
    (types) => {
      const requested = types.indexOf(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED);
      return requested >= 0 && types.slice(requested).includes(temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    },
  );
  expect((await api.get(`/v1/payouts/${movingRef}`)).body.status).toBe('processing');
  expect((await movingHandle.describe()).status.name).toBe('RUNNING');
  await movingHandle.terminate('test cleanup: the sandbox keeps this payout processing forever');
});

test('a reused reference is refused with 409, while running and after the payout ended', async () => {
  const referenceId = newReference();
  await payoutWaitingForOtp(referenceId);
  const duplicate = await api.post('/v1/payouts', payoutBody(referenceId));
  expect(duplicate.status).toBe(409);
  expect(duplicate.body.error).toMatchObject({ code: 'duplicate_reference', details: { referenceId } });

  await api.post(`/v1/payouts/${referenceId}/cancel`);
  const afterEnd = await api.post('/v1/payouts', payoutBody(referenceId));
  expect(afterEnd.status).toBe(409);
});

test('bad input is refused with the field and the rule, and starts nothing', async () => {
  const referenceId = newReference();
  const tooLong = await api.post('/v1/payouts', { ...payoutBody(referenceId), description: 'x'.repeat(31) });
  expect(tooLong.status).toBe(400);
  expect(tooLong.body.error.code).toBe('validation_failed');
  expect(tooLong.body.error.details).toContainEqual({ field: 'description', rule: 'must be at most 30 characters (a Finan limit)' });

  const { amount: _omit, ...withoutAmount } = payoutBody(referenceId);
  const missing = await api.post('/v1/payouts', withoutAmount);
  expect(missing.status).toBe(400);
  expect(missing.body.error.details).toContainEqual({ field: 'amount', rule: 'is required' });

  const notJson = await api.call('POST', '/v1/payouts', undefined, { 'content-type': 'application/json' });
  expect(notJson.status).toBe(400);

  expect((await api.get(`/v1/payouts/${referenceId}`)).status).toBe(404);

  const waiting = newReference();
  await payoutWaitingForOtp(waiting);
  const shortOtp = await api.post(`/v1/payouts/${waiting}/otp`, { code: '12345' });
  expect(shortOtp.status).toBe(400);
  expect(shortOtp.body.error.details).toContainEqual({ field: 'code', rule: 'must be exactly 6 digits' });
});

test('a payout Finan refuses (unknown source account) ends rejected with the provider error kept', async () => {
  const referenceId = newReference();
  await api.post('/v1/payouts', { ...payoutBody(referenceId), accountId: '00000000-0000-4000-8000-000000000000' });
  const state = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating');
  expect(state.status).toBe('rejected');
  expect(state.failure).toMatchObject({ type: 'FinanNotFound', httpStatus: 404, providerCode: 104000 });
  expect(state.failure.requestId).toBeTruthy();
});

test('a server whose IP Finan has not whitelisted ends the payout unavailable at once, and the reference pays once the IP is added', async () => {
  const referenceId = newReference();
  await sandbox.settings({ ipWhitelist: ['10.9.9.9'] });
  try {
    await api.post('/v1/payouts', payoutBody(referenceId));
    const state = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating', 30_000);
    // A refusal of *us* (configuration), not of the payout: the reference stays usable.
    expect(state.status).toBe('unavailable');
    expect(state.failure).toMatchObject({ type: 'FinanForbidden', httpStatus: 403, providerCode: 104000 });
    expect(state.failure.message).toContain('IP address not whitelisted');
  } finally {
    await sandbox.settings({ ipWhitelist: null });
  }
  // payoutWaitingForOtp submits the reference again and expects 202.
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success');
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
  // Once it paid, the reference is spent for good.
  expect((await api.post('/v1/payouts', payoutBody(referenceId))).status).toBe(409);
});

test('a payout Finan refused for itself keeps its reference spent: a second submission is refused', async () => {
  const referenceId = newReference();
  await api.post('/v1/payouts', { ...payoutBody(referenceId), accountId: '00000000-0000-4000-8000-000000000000' });
  await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'rejected');
  expect((await api.post('/v1/payouts', payoutBody(referenceId))).status).toBe(409);
});

test('while Finan answers 503 the creation is retried, then goes through once', async () => {
  await sandbox.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts', errorRate: 1, errorStatus: 503 }] });
  const referenceId = newReference();
  try {
    await api.post('/v1/payouts', payoutBody(referenceId));
    // Retried, not given up: a third attempt is under way while the payout still says `creating`.
    await eventually(
      async () => (await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).describe()).raw.pendingActivities?.[0]?.attempt ?? 0,
      (attempt) => attempt >= 3,
      60_000,
    );
    expect((await api.get(`/v1/payouts/${referenceId}`)).body.status).toBe('creating');
  } finally {
    await sandbox.clearFaults();
  }
  const state = await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status !== 'creating', 60_000);
  expect(state.status).toBe('waiting_confirm');
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
});

test('with 30% of payout creations and OTP answers dropped after commit, twenty payouts make exactly twenty transfers', async () => {
  await sandbox.setFaults({
    seed: 7,
    rules: [
      { method: 'POST', path: '/api/v1/payouts', commitThenDropRate: 0.3 },
      { method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 0.3 },
    ],
  });
  try {
    const references = Array.from({ length: 20 }, () => newReference('DROP'));
    await Promise.all(
      references.map(async (referenceId) => {
        const { payoutId } = await payoutWaitingForOtp(referenceId);
        const outcome = await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
        // A retried verification may find the transfer already settled.
        expect(outcome.body.accepted).toBe(true);
        expect(['processing', 'success']).toContain(outcome.body.status);
      }),
    );
    for (const referenceId of references) {
      await eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body.status, (s) => s === 'success', 120_000);
    }
    const ledger = (await sandbox.ledger()).filter((t) => references.includes(t.reference_id ?? ''));
    expect(ledger).toHaveLength(20);
    expect(new Set(ledger.map((t) => t.reference_id)).size).toBe(20);
    // Finan's own list, not only the money: a duplicate that never got an OTP moves nothing yet still exists.
    for (const referenceId of references) expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  } finally {
    await sandbox.clearFaults();
  }
}, 360_000);
