/**
 * The dongflow worker: workflows on `dongflow`, Finan activities on `dongflow-finan`, Tingee's on `dongflow-tingee` and
 * SePay's on `dongflow-sepay`
 * (so each provider's rate limit is enforced by the server across every worker process), with explicit cache and
 * concurrency limits.
 */
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { createFinanCustomerActivities } from '../activities/finan/customers';
import { createFinanPaymentActivities } from '../activities/finan/payments';
import { createFinanPayoutActivities } from '../activities/finan/payouts';
import { createPaymentFlowActivities } from '../activities/reconciliation';
import { createReconciliationClient } from '../client/reconciliation';
import { createTingeeEinvoiceAccountActivities } from '../activities/tingee/einvoice-accounts';
import { createSepayCompanyActivities } from '../activities/sepay/company';
import { createSepayOAuthActivities } from '../activities/sepay/oauth';
import type { FinanClient } from '../providers/finan/client';
import type { SepayClient } from '../providers/sepay/client';
import type { TingeeClient } from '../providers/tingee/client';
import { FINAN_TASK_QUEUE, SEPAY_TASK_QUEUE, TINGEE_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';

export interface DongflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  finan: FinanClient;
  /** Server-side cap on Finan calls per second, shared by all workers of the namespace. */
  finanMaxRequestsPerSecond?: number;
  /** SePay's client; absent, no SePay worker runs (SePay flows then wait for one). */
  sepay?: SepayClient;
  /** Server-side cap on SePay calls per second across all workers: SePay allows 3. */
  sepayMaxRequestsPerSecond?: number;
  workflowTaskQueue?: string;
  finanTaskQueue?: string;
  /** Tingee's client; absent, no worker polls `dongflow-tingee`. */
  tingee?: TingeeClient;
  /** Server-side cap on Tingee calls per second, shared by all workers of the namespace. */
  tingeeMaxRequestsPerSecond?: number;
  tingeeTaskQueue?: string;
  sepayTaskQueue?: string;
  /** A prebuilt bundle (production) instead of bundling `workflows/` at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  maxCachedWorkflows?: number;
  /** The encrypting data converter: payloads in history are AES-GCM ciphertext. */
  dataConverter?: WorkerOptions['dataConverter'];
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
}

/** The worker tuning (the benchmark reports it beside its figures). */
export const DONGFLOW_WORKER_TUNING = {
  maxCachedWorkflows: 500,
  maxConcurrentWorkflowTaskExecutions: 40,
  maxConcurrentActivityTaskExecutions: 50,
} as const;

export interface DongflowWorkers {
  /** Runs until shutdown; resolves when every worker drained. */
  run(): Promise<void>;
  shutdown(): void;
}

export async function createDongflowWorkers(opts: DongflowWorkerOptions): Promise<DongflowWorkers> {
  const workflowWorker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.workflowTaskQueue ?? WORKFLOW_TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    maxCachedWorkflows: opts.maxCachedWorkflows ?? DONGFLOW_WORKER_TUNING.maxCachedWorkflows,
    dataConverter: opts.dataConverter,
    // The reconciliation's Temporal-side lookups (queries, signal-with-start): not provider calls. The client
    // library implements them; the activities only see the interface.
    activities: createPaymentFlowActivities({
      flows: createReconciliationClient(new Client({ connection: opts.connection, namespace: opts.namespace, dataConverter: opts.dataConverter }), {
        taskQueue: opts.workflowTaskQueue,
      }),
    }),
    maxConcurrentWorkflowTaskExecutions: DONGFLOW_WORKER_TUNING.maxConcurrentWorkflowTaskExecutions,
    shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
  });
  const finanWorker = await Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.finanTaskQueue ?? FINAN_TASK_QUEUE,
    activities: {
      ...createFinanPayoutActivities({ finan: opts.finan }),
      ...createFinanPaymentActivities({ finan: opts.finan }),
      ...createFinanCustomerActivities({ finan: opts.finan }),
    },
    dataConverter: opts.dataConverter,
    maxConcurrentActivityTaskExecutions: DONGFLOW_WORKER_TUNING.maxConcurrentActivityTaskExecutions,
    maxTaskQueueActivitiesPerSecond: opts.finanMaxRequestsPerSecond ?? 10,
    shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
  });
  const tingeeWorker = opts.tingee
    ? await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: opts.tingeeTaskQueue ?? TINGEE_TASK_QUEUE,
        activities: createTingeeEinvoiceAccountActivities({ tingee: opts.tingee }),
        dataConverter: opts.dataConverter,
        maxConcurrentActivityTaskExecutions: 20,
        maxTaskQueueActivitiesPerSecond: opts.tingeeMaxRequestsPerSecond ?? 5,
        shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
      })
    : undefined;
  const workers = [workflowWorker, finanWorker, ...(tingeeWorker ? [tingeeWorker] : [])];
  if (opts.sepay) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: opts.sepayTaskQueue ?? SEPAY_TASK_QUEUE,
        activities: { ...createSepayOAuthActivities({ sepay: opts.sepay }), ...createSepayCompanyActivities({ sepay: opts.sepay }) },
        dataConverter: opts.dataConverter,
        maxConcurrentActivityTaskExecutions: 10,
        // Enforced by the Temporal server for the whole queue, so every worker process together stays under SePay's limit.
        maxTaskQueueActivitiesPerSecond: opts.sepayMaxRequestsPerSecond ?? 3,
        shutdownGraceTime: opts.shutdownGraceTime ?? '10 seconds',
      }),
    );
  }
  return {
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
  };
}
