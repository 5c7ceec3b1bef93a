/**
 * The customer flow's life on Temporal's time-skipping test server, against the Finan sandbox: it ends once idle,
 * and continues as new between operations when its history grows, without losing or repeating a change.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { createFinanCustomerActivities } from '../../activities/finan/customers';
import { FinanClient } from '../../providers/finan/client';
import type { RunningSandbox } from '../../sandbox/server';
import { startSandbox } from '../../sandbox/server';
import { FINAN_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../../workflows/common/task-queues';
import type { CustomerFlowInput, CustomerRecord } from '../../workflows/customer/messages';
import { customerWorkflowId, upsertCustomerUpdate } from '../../workflows/customer/messages';
import type { customerWorkflow } from '../../workflows/customer/workflow';

let env: TestWorkflowEnvironment;
let sandbox: RunningSandbox;
let bundle: WorkflowBundleWithSourceMap;
let finan: FinanClient;

beforeAll(async () => {
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  [env, sandbox, bundle] = await Promise.all([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } } }),
    startSandbox({ port: 0 }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet }),
  ]);
  finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
});

afterAll(async () => {
  await env?.teardown();
  await sandbox?.close();
});

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const workflowWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: WORKFLOW_TASK_QUEUE, workflowBundle: bundle });
  const activityWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: FINAN_TASK_QUEUE, activities: createFinanCustomerActivities({ finan }) });
  return workflowWorker.runUntil(activityWorker.runUntil(fn));
}

const record: CustomerRecord = { type: 'personal', name: 'Nguyen Van B', phone: '0933456789', phoneCode: '+84', email: 'nguyenvanb@example.com' };
let counter = 0;
const start = (input: Omit<CustomerFlowInput, 'customerCode'> = {}) => {
  const customerCode = `TS-CUST-${Date.now().toString(36)}-${counter++}`;
  return env.client.workflow.start<typeof customerWorkflow>('customerWorkflow', {
    workflowId: customerWorkflowId(customerCode),
    taskQueue: WORKFLOW_TASK_QUEUE,
    args: [{ customerCode, ...input }],
  });
};

test('ends 2 minutes after its last change, answering ids and counts only', async () => {
  await withWorkers(async () => {
    const handle = await start();
    const upserted = await handle.executeUpdate(upsertCustomerUpdate, { args: [record] });
    const before = await env.currentTimeMs();
    const ended = await handle.result();
    expect(ended).toEqual({ customerCode: upserted.customerCode, customerId: upserted.customerId, operations: 1, queued: 0 });
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * 60_000 - 1_000);
  });
});

test('continues as new past its history budget, every change applied once', async () => {
  await withWorkers(async () => {
    const handle = await start({ maxHistoryEvents: 30 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await handle.executeUpdate(upsertCustomerUpdate, { args: [{ ...record, customTag: `T${i}` }] }));
    expect(results.map((r) => r.created)).toEqual([true, false, false, false, false]);
    expect(new Set(results.map((r) => r.customerId)).size).toBe(1);

    const first = await env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    const stored = (await finan.findCustomersByCode(results[0]!.customerCode)).data;
    expect(stored).toHaveLength(1);
    expect((await finan.getCustomer(stored[0]!.customer_id)).data.general_info.custom_tag).toBe('T4');
  });
});
