/**
 * Found by `npm run chaos`: a webhook redelivered after its flow ended, while no worker was up, was recorded in the
 * operators' inbox as late although the flow had counted it (the closed flow was asked by a query, which needs a
 * worker; its failure read as "counted nothing"). A completed flow is now read from its result, in history.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { paymentControls } from '../helpers/payment-controls';
import { freePort } from '../helpers/ports';
import type { TestStack } from '../helpers/stack';
import { eventually, startTestStack } from '../helpers/stack';

let stack: TestStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startTestStack({ runWorker: false, env: { DONGFLOW_RECONCILE_EVERY: '1 day' } });
});

afterAll(async () => {
  await kill();
  await stack?.stop();
});

async function startWorker(): Promise<void> {
  const keys = readFileSync(join(stack.dataDir, 'encryption-keys'), 'utf8').trim().split(/\s+/).join(',');
  worker = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../workers/main.ts')], {
    cwd: resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      FINAN_BASE_URL: stack.finanBaseUrl,
      FINAN_CLIENT_ID: 'sandbox-client',
      FINAN_SECRET_KEY: 'sandbox-secret',
      LOG_LEVEL: 'error',
      DONGFLOW_ENCRYPTION_KEYS: keys,
      DONGFLOW_WORKER_METRICS_PORT: String(await freePort()),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function kill(): Promise<void> {
  if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
  const exited = new Promise((r) => worker!.once('exit', r));
  worker.kill('SIGKILL');
  await exited;
}

test('a payment the ended flow counted is a duplicate, not a late payment, even with no worker up', async () => {
  await startWorker();
  const referenceId = `LATE-WD-${Date.now().toString(36)}`;
  const created = await stack.payments.createPaymentRequest({ referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 400_000, ttlSeconds: 2 });
  const remark = (await eventually(() => stack.payments.getPaymentRequest(referenceId), (s) => s.bankTransfer !== null)).bankTransfer!.remark;
  expect(created.referenceId).toBe(referenceId);
  const payment = await paymentControls(stack.sandboxUrl!).transfer(remark, 400_000);
  const handle = stack.client.workflow.getHandle(`payment-${referenceId}`);
  await eventually(() => handle.describe(), (d) => d.status.name === 'COMPLETED');
  await kill();

  // Finan redelivers the webhook now (its first delivery failed while the gateway was away, say).
  const handOff = await stack.payments.handFinanPayment({
    paymentId: payment.id,
    amount: 400_000,
    method: 'bank_transfer',
    createdAt: payment.created_at,
    paymentRequestId: payment.payment_request_id,
    referenceId,
    referenceType: null,
  });
  expect(handOff).toEqual({ outcome: 'duplicate', workflowId: `payment-${referenceId}` });
}, 180_000);
