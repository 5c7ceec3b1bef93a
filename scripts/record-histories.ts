/**
 * Records the payout histories that the replay test keeps the workflow honest against (`test/histories/`).
 * Run after a deliberate workflow change, once the change is guarded with `patched()`:
 *   npx tsx scripts/record-histories.ts
 * Histories are recorded on the time-skipping server without payload encryption, with sandbox data only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFinanActivities } from '../activities/finan';
import { FinanClient } from '../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../sandbox/server';
import type { PayoutInput } from '../workflows/definitions';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE, cancelSignal, payoutStatusQuery, submitOtpUpdate } from '../workflows/definitions';
import type { payoutWorkflow } from '../workflows/payout';
import { temporalTestServerPath } from './temporal-binaries';

const OUT = join(__dirname, '..', 'test', 'histories');

async function main(): Promise<void> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  const sandbox = await startSandbox({ port: 0, finan: { processingDelayMs: 10 } });
  const finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
  const otpOf = async (payoutId: string) => ((await (await fetch(`${sandbox.url}/_sandbox/finan/payouts/${payoutId}/otp`)).json()) as { otp: string }).otp;
  const input = (referenceId: string): PayoutInput => ({
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 6_000_000,
    currency: 'VND',
    beneficiaryAccountName: 'NGUYEN VAN A',
    beneficiaryAccountNumber: '1234567890',
    beneficiaryBankId: '161',
    description: 'thanh toan don hang',
  });
  const workflowWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: WORKFLOW_TASK_QUEUE, workflowsPath: require.resolve('../workflows') });
  const activityWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: FINAN_TASK_QUEUE, activities: createFinanActivities(finan) });

  const scenarios: Record<string, (referenceId: string) => Promise<void>> = {
    // A wrong OTP, then the right one, then polling to success.
    'payout-wrong-then-right-otp': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      let state = await handle.query(payoutStatusQuery);
      while (state.status === 'creating') state = await handle.query(payoutStatusQuery);
      const otp = await otpOf(state.payoutId!);
      await handle.executeUpdate(submitOtpUpdate, { args: [{ code: otp.slice(0, 5) + String((Number(otp[5]) + 1) % 10) }] });
      await handle.executeUpdate(submitOtpUpdate, { args: [{ code: otp }] });
      await handle.result();
    },
    'payout-otp-expired': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      await handle.result();
    },
    'payout-cancelled': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      let state = await handle.query(payoutStatusQuery);
      while (state.status === 'creating') state = await handle.query(payoutStatusQuery);
      await handle.signal(cancelSignal);
      await handle.result();
    },
  };

  await workflowWorker.runUntil(
    activityWorker.runUntil(async () => {
      for (const [name, run] of Object.entries(scenarios)) {
        const referenceId = `REPLAY-${name}`;
        await run(referenceId);
        const history = await env.client.workflow.getHandle(`payout-${referenceId}`).fetchHistory();
        writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        process.stdout.write(`recorded ${name}: ${history.events?.length} events\n`);
      }
    }),
  );
  await sandbox.close();
  await env.teardown();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
