/**
 * Money safety of payouts, tried as a merchant would meet it: through the gateway, on a real Temporal dev server,
 * against the Finan sandbox with its fault controls. Every verdict is read from Finan's own payout list and the
 * sandbox's ledger of money moved, never from dongflow's view alone.
 */
import { execFileSync } from 'node:child_process';
import { FinanClient } from '../../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { payoutWorkflowId } from '../../workflows/payout/messages';
import { sandboxControls, wrongOtp } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let sandbox: ReturnType<typeof sandboxControls>;
let finan: FinanClient;

beforeAll(async () => {
  // A short creation window, so an outage ends a payout `unavailable` within the test.
  stack = await startTestStack({ env: { DONGFLOW_PAYOUT_CREATE_WINDOW: '20 seconds' } });
  api = gatewayApi(stack);
  sandbox = sandboxControls(stack.sandboxUrl!);
  finan = new FinanClient({ baseUrl: stack.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
});

afterEach(async () => {
  await sandbox.clearFaults();
});

afterAll(async () => {
  await stack?.stop();
});

let counter = 0;
const newReference = () => `SAFE-${process.pid}-${Date.now().toString(36)}-${counter++}`;

const payoutBody = (referenceId: string) => ({
  referenceId,
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 2_500_000,
  beneficiaryAccountName: 'LE VAN C',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  description: 'hoan tien',
});

const financePage = {
  account_id: FINAN_SOURCE_ACCOUNT_ID,
  amount: 2_500_000,
  beneficiary_account_name: 'LE VAN C',
  beneficiary_account_number: '1234567890',
  beneficiary_bank_id: '161',
  currency: 'VND' as const,
  description: 'hoan tien',
};

const stateOf = async (referenceId: string) => (await api.get(`/v1/payouts/${referenceId}`)).body;
const finanPayoutsFor = async (referenceId: string) => (await finan.listPayouts()).data.filter((p) => p.reference_id === referenceId);
const ledgerFor = async (referenceId: string) => (await sandbox.ledger()).filter((t) => t.reference_id === referenceId);

async function payoutWaitingForOtp(referenceId: string): Promise<{ payoutId: string }> {
  expect((await api.post('/v1/payouts', payoutBody(referenceId))).status).toBe(202);
  const state = await eventually(() => stateOf(referenceId), (s) => s.status !== 'creating');
  expect(state.status).toBe('waiting_confirm');
  return state;
}

/** Resolves once the payout's workflow is running the named activity (e.g. waiting on a slow Finan). */
async function activityRunning(referenceId: string, activityType: string): Promise<void> {
  await eventually(
    async () => (await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).describe()).raw.pendingActivities ?? [],
    (pending) => pending.some((a) => a.activityType?.name === activityType),
  );
}

test('an OTP whose answer is lost while Finan stays unreachable is confirmed with Finan: the payout cannot be cancelled and ends success, paid once', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  // Finan commits the verification and drops the answer, then answers nothing at all for longer than the
  // verification's retry window.
  await sandbox.setFaults({
    rules: [
      { method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 },
      { errorRate: 1, errorStatus: 503 },
    ],
  });
  const answer = await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  // The honest answer: nobody knows yet whether the code was taken.
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ accepted: null, status: 'confirming' });
  expect((await stateOf(referenceId)).status).toBe('confirming');

  const cancel = await api.post(`/v1/payouts/${referenceId}/cancel`);
  expect(cancel.status).toBe(409);
  expect(cancel.body.error.message).toMatch(/being confirmed/);
  const another = await api.post(`/v1/payouts/${referenceId}/otp`, { code: '000000' });
  expect(another.status).toBe(409);

  await sandbox.clearFaults();
  const done = await eventually(() => stateOf(referenceId), (s) => s.status !== 'confirming' && s.status !== 'processing', 120_000);
  expect(done).toMatchObject({ status: 'success', providerStatus: 'success' });
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
}, 300_000);

test('a second OTP sent while one is being verified is refused at once with 409, and so is a cancel', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  await sandbox.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts/:id/otps', latencyMs: 10_000 }] });
  let firstAnswered = false;
  const first = api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) }).finally(() => (firstAnswered = true));
  await activityRunning(referenceId, 'verifyPayoutOtp');

  const second = await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  expect(second.status).toBe(409);
  expect(second.body.error.message).toMatch(/an OTP is being verified/);
  const cancel = await api.post(`/v1/payouts/${referenceId}/cancel`);
  expect(cancel.status).toBe(409);
  // Answered while the first verification was still waiting on Finan: nothing queued behind it.
  expect(firstAnswered).toBe(false);

  const outcome = (await first).body;
  expect(outcome).toMatchObject({ accepted: true, remainingTry: 2 });
  expect(['processing', 'success']).toContain(outcome.status);
  await eventually(async () => (await stateOf(referenceId)).status, (s) => s === 'success');
  // One verification reached Finan: one try spent, one transfer.
  expect((await finan.getPayout(payoutId)).data.remaining_try).toBe(2);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
}, 120_000);

test('a wrong OTP whose answer is lost does not spend a second try when the verification is retried', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  await sandbox.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 }] });
  const answer = await api.post(`/v1/payouts/${referenceId}/otp`, { code: wrongOtp(await sandbox.otp(payoutId)) });
  expect(answer.body).toEqual({ accepted: false, status: 'waiting_confirm', remainingTry: 2 });
  // Finan's own count: one submission, one try (3 → 2), however many times the call was retried.
  expect((await finan.getPayout(payoutId)).data).toMatchObject({ status: 'waiting_confirm', remaining_try: 2 });
});

test('a payout made outside dongflow with the reference is adopted, the most advanced one, never duplicated', async () => {
  const referenceId = newReference();
  // Two payouts with one reference at Finan: one still waiting for its OTP, one whose OTP was accepted.
  const waiting = (await finan.createPayout({ ...financePage, reference_id: referenceId })).data;
  const moving = (await finan.createPayout({ ...financePage, reference_id: referenceId })).data;
  await finan.verifyPayoutOtp(moving.id, await sandbox.otp(moving.id));

  expect((await api.post('/v1/payouts', payoutBody(referenceId))).status).toBe(202);
  const done = await eventually(() => stateOf(referenceId), (s) => ['success', 'failed', 'expired', 'needs_attention'].includes(s.status));
  expect(done).toMatchObject({ status: 'success', payoutId: moving.id });
  const atFinan = await finanPayoutsFor(referenceId);
  expect(atFinan.map((p) => p.id).sort()).toEqual([waiting.id, moving.id].sort());
  expect((await ledgerFor(referenceId)).map((t) => t.payoutId)).toEqual([moving.id]);
});

test('a payout already settled at Finan is reported as Finan has it, without an OTP or a new payout', async () => {
  const referenceId = newReference();
  const paid = (await finan.createPayout({ ...financePage, reference_id: referenceId })).data;
  await finan.verifyPayoutOtp(paid.id, await sandbox.otp(paid.id));
  await eventually(async () => (await finan.getPayout(paid.id)).data.status, (s) => s === 'success');

  await api.post('/v1/payouts', payoutBody(referenceId));
  const done = await eventually(() => stateOf(referenceId), (s) => s.status !== 'creating');
  expect(done).toMatchObject({ status: 'success', payoutId: paid.id });
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
});

test('an operator resetting a paid payout to its first workflow task in the Temporal UI replays into the same payout, not a second one', async () => {
  const referenceId = newReference();
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  await eventually(async () => (await stateOf(referenceId)).status, (s) => s === 'success');
  const firstRun = (await stack.client.workflow.getHandle(payoutWorkflowId(referenceId)).describe()).runId;

  // What the UI's "Reset" does, here with the Temporal CLI.
  execFileSync(process.env.TEMPORAL_CLI_PATH!, [
    'workflow', 'reset', '--workflow-id', payoutWorkflowId(referenceId), '--type', 'FirstWorkflowTask', '--reason', 'operator test',
    '--address', stack.temporalAddress, '--yes',
  ], { stdio: 'pipe' });

  const handle = stack.client.workflow.getHandle(payoutWorkflowId(referenceId));
  const rerun = await eventually(() => handle.describe(), (d) => d.runId !== firstRun && d.status.name !== 'RUNNING');
  expect(rerun.status.name).toBe('COMPLETED');
  expect(await stateOf(referenceId)).toMatchObject({ status: 'success', payoutId });
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
});

test('a payout whose creation cannot reach Finan ends unavailable, and the same reference submitted after the outage pays once', async () => {
  const referenceId = newReference();
  await sandbox.setFaults({ rules: [{ errorRate: 1, errorStatus: 503 }] });
  expect((await api.post('/v1/payouts', payoutBody(referenceId))).status).toBe(202);
  const ended = await eventually(() => stateOf(referenceId), (s) => s.status !== 'creating', 90_000);
  expect(ended).toMatchObject({ status: 'unavailable', payoutId: null, failure: { httpStatus: 503 } });
  await sandbox.clearFaults();

  // payoutWaitingForOtp submits the same reference again and expects 202.
  const { payoutId } = await payoutWaitingForOtp(referenceId);
  await api.post(`/v1/payouts/${referenceId}/otp`, { code: await sandbox.otp(payoutId) });
  await eventually(async () => (await stateOf(referenceId)).status, (s) => s === 'success');
  expect(await finanPayoutsFor(referenceId)).toHaveLength(1);
  expect(await ledgerFor(referenceId)).toHaveLength(1);
}, 180_000);
