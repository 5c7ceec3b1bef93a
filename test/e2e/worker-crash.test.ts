/**
 * Exactly-once under crashes: the worker is a process of its own and is killed with SIGKILL while Finan is
 * creating payouts and while it is verifying OTPs. Restarted workers finish every payout; the sandbox's ledger
 * and payout list prove that no payout was created twice and no transfer left twice.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { FinanClient } from '../../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import type { PayoutState } from '../../workflows/payout/messages';
import { freePort } from '../helpers/ports';
import { sandboxControls } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, startTestStack } from '../helpers/stack';

let stack: TestStack;
let sandbox: ReturnType<typeof sandboxControls>;
const workers: ChildProcess[] = [];

async function startWorker(): Promise<ChildProcess> {
  // The worker shares the stack's key ring: it must read the payloads the gateway encrypted.
  const keys = readFileSync(join(stack.dataDir, 'encryption-keys'), 'utf8').trim().split(/\s+/).join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../workers/main.ts')], {
    cwd: resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      FINAN_BASE_URL: stack.finanBaseUrl,
      FINAN_CLIENT_ID: 'sandbox-client',
      FINAN_SECRET_KEY: 'sandbox-secret',
      FINAN_WEBHOOK_SECRETS: 'sandbox-webhook-secret',
      LOG_LEVEL: 'error',
      DONGFLOW_ENCRYPTION_KEYS: keys,
      DONGFLOW_WORKER_METRICS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  workers.push(child);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  stack = await startTestStack({ runWorker: false, sandbox: { finan: { processingDelayMs: 100 } } });
  sandbox = sandboxControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await Promise.all(workers.map(kill));
  await stack?.stop();
});

/** Waits until every payout has `activity` running on a worker: that is when the kill must land. */
async function activitiesRunning(references: string[], activity: string): Promise<void> {
  for (const ref of references) {
    await eventually(
      async () => (await stack.client.workflow.getHandle(`payout-${ref}`).describe()).raw.pendingActivities ?? [],
      (pending) => pending.some((a) => a.activityType?.name === activity && a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED),
      60_000,
      50,
    );
  }
}

async function transfersFor(referenceId: string): Promise<number> {
  return (await sandbox.ledger()).filter((t) => t.reference_id === referenceId).length;
}

test('killing the worker mid-creation and mid-verification neither duplicates a payout nor a transfer', async () => {
  const references = Array.from({ length: 5 }, (_, i) => `CRASH-${Date.now().toString(36)}-${i}`);
  // While no worker runs, a query cannot be answered (504 worker_unavailable): read again until one does.
  const state = (ref: string) => stack.payouts.getPayout(ref).catch((err: unknown) => ({ status: 'unreadable', error: String(err) }) as unknown as PayoutState);

  // 1. Finan is slow to create: the worker dies while the requests are in flight; Finan still commits them.
  await sandbox.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts', latencyMs: 2_000 }] });
  const first = await startWorker();
  for (const referenceId of references) {
    await stack.payouts.startPayout({
      referenceId,
      accountId: FINAN_SOURCE_ACCOUNT_ID,
      amount: 2_500_000,
      beneficiaryAccountName: 'LE VAN C',
      beneficiaryAccountNumber: '0123456789',
      beneficiaryBankId: '161',
      description: 'hoan tien',
    });
  }
  await activitiesRunning(references, 'createPayout');
  await kill(first);
  await sandbox.clearFaults();

  // 2. A new worker retries each creation after its timeout, finds the payout by reference, and creates nothing new.
  const second = await startWorker();
  const waiting = await Promise.all(
    references.map((ref) => eventually(() => state(ref), (s: PayoutState) => s.status !== 'creating' && s.status !== ('unreadable' as PayoutState['status']), 90_000, 500)),
  );
  waiting.forEach((s) => expect(s.status).toBe('waiting_confirm'));
  const finan = new FinanClient({ baseUrl: stack.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
  for (const ref of references) expect((await finan.findPayoutsByReference(ref)).data).toHaveLength(1);

  // 3. Finan is slow to verify: the worker dies while the OTPs are being checked; Finan accepts them anyway.
  await sandbox.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts/:id/otps', latencyMs: 2_000 }] });
  const outcomes = Promise.all(
    waiting.map(async (s) => stack.payouts.submitOtp(s.referenceId, await sandbox.otp(s.payoutId!))),
  );
  await activitiesRunning(references, 'verifyPayoutOtp');
  await kill(second);
  await sandbox.clearFaults();

  // 4. A third worker re-reads each payout instead of spending another OTP try, and polls them to success.
  await startWorker();
  for (const outcome of await outcomes) expect(outcome.accepted).toBe(true);
  const done = await Promise.all(references.map((ref) => eventually(() => state(ref), (s: PayoutState) => s.status === 'success', 90_000, 500)));
  done.forEach((s) => expect(s.remainingTry).toBe(2));

  for (const ref of references) expect(await transfersFor(ref)).toBe(1);
}, 300_000);
