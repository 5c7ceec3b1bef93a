/**
 * The codec on a real Temporal server: what the server stores is encrypted (payloads and failures' messages), a plain
 * JSON signal (as the Temporal CLI sends it) still reaches the workflow, and a worker holding a rotated key ring reads
 * payloads under the old key.
 */
import { ApplicationFailure as ActivityApplicationFailure } from '@temporalio/activity';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH, dataConverterFor } from '../../codec/data-converter';
import type { KeyRing } from '../../codec/keys';
import type { collectOtpsWorkflow, refusedTransferWorkflow, RefusingActivities } from './codec-workflows';
import { otpSignal } from './codec-workflows';
import { ringK1, ringK2K1 } from './keyring-fixtures';

const MARKER = 'PLAINTEXT-MARKER-7f3a';
const TASK_QUEUE = 'security-codec';

let env: TestWorkflowEnvironment;
let namespace: string;
let bundle: WorkflowBundleWithSourceMap;
// The SDK runtime's logger is installed by test/setup-runtime.ts; this one only quiets the bundler.
const quiet = new DefaultLogger('ERROR');

beforeAll(async () => {
  // A prebuilt bundle takes the failure converter at build time, as production's would.
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./codec-workflows'), failureConverterPath: FAILURE_CONVERTER_PATH, logger: quiet });
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: process.env.TEMPORAL_TEST_SERVER_PATH! } },
  });
  namespace = env.namespace ?? 'default';
});

afterAll(async () => {
  await env?.teardown();
});

const encryptingClient = (ring: KeyRing) => new Client({ connection: env.connection, namespace, dataConverter: dataConverterFor(ring) });

const ACCOUNT_NUMBER = '0071000999111';
const activities: RefusingActivities = {
  async refuseTransfer(accountNumber) {
    throw ActivityApplicationFailure.nonRetryable(`Finan 422: beneficiary account ${accountNumber} is closed`, 'FinanUnprocessable', { accountNumber });
  },
};

async function runWorker<T>(ring: KeyRing, fn: () => Promise<T>): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: bundle,
    activities,
    dataConverter: dataConverterFor(ring),
  });
  return worker.runUntil(fn);
}

async function rawHistory(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const response = await env.client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  return response.history?.events ?? [];
}

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const describePayload = (p: temporal.api.common.v1.IPayload | undefined) => ({
  encoding: text(p?.metadata?.encoding),
  keyId: text(p?.metadata?.['encryption-key-id']),
});

it('stores encrypted payloads, and accepts a plain JSON signal from an operator', async () => {
  const workflowId = `codec-${Date.now()}`;
  const result = await runWorker(ringK1(), async () => {
    const client = encryptingClient(ringK1());
    const handle = await client.workflow.start<typeof collectOtpsWorkflow>('collectOtpsWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [{ expected: 2, note: MARKER }],
    });
    await handle.signal(otpSignal, { code: '111111' });
    // env.client has no codec: it sends json/plain, exactly like `temporal workflow signal --input '{"code":"012345"}'`.
    await env.client.workflow.getHandle(workflowId).signal('otp', { code: '012345' });
    return handle.result();
  });
  expect(result).toEqual({ codes: ['111111', '012345'], note: MARKER });

  const events = await rawHistory(workflowId);
  const started = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
  const signals = events.filter((e) => e.workflowExecutionSignaledEventAttributes).map((e) => e.workflowExecutionSignaledEventAttributes!);
  const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)!.workflowExecutionCompletedEventAttributes!;
  expect(describePayload(started.input?.payloads?.[0])).toEqual({ encoding: 'binary/encrypted', keyId: 'k1' });
  expect(signals.map((s) => describePayload(s.input?.payloads?.[0]))).toEqual([
    { encoding: 'binary/encrypted', keyId: 'k1' },
    { encoding: 'json/plain', keyId: '' },
  ]);
  expect(describePayload(completed.result?.payloads?.[0])).toEqual({ encoding: 'binary/encrypted', keyId: 'k1' });
  const stored = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
  expect(stored.includes(MARKER)).toBe(false);
  expect(stored.includes('111111')).toBe(false);
  expect(stored.includes('012345')).toBe(true); // the operator's plain signal: proves the search sees plaintext

});

it('after rotation, reads payloads under the old key and writes new ones under the new key', async () => {
  const workflowId = `codec-rotation-${Date.now()}`;
  // Started before the rotation: the input is under k1.
  const handle = await encryptingClient(ringK1()).workflow.start<typeof collectOtpsWorkflow>('collectOtpsWorkflow', {
    taskQueue: TASK_QUEUE,
    workflowId,
    args: [{ expected: 1, note: MARKER }],
  });
  const result = await runWorker(ringK2K1(), async () => {
    const rotated = encryptingClient(ringK2K1());
    await rotated.workflow.getHandle(workflowId).signal(otpSignal, { code: '222222' });
    return rotated.workflow.getHandle<typeof collectOtpsWorkflow>(handle.workflowId).result();
  });
  expect(result).toEqual({ codes: ['222222'], note: MARKER });
  const events = await rawHistory(workflowId);
  const completed = events.find((e) => e.workflowExecutionCompletedEventAttributes)!.workflowExecutionCompletedEventAttributes!;
  expect(describePayload(completed.result?.payloads?.[0])).toEqual({ encoding: 'binary/encrypted', keyId: 'k2' });
});

it("keeps a failure's message (an account number) out of stored history, and the client reads it back", async () => {
  const workflowId = `codec-failure-${Date.now()}`;
  const outcome = await runWorker(ringK1(), async () => {
    const handle = await encryptingClient(ringK1()).workflow.start<typeof refusedTransferWorkflow>('refusedTransferWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [ACCOUNT_NUMBER],
    });
    return handle.result().catch((err: unknown) => err);
  });
  // Decoded by the client: the workflow's failure and, under it, the activity's, each with its message and details.
  expect(outcome).toBeInstanceOf(WorkflowFailedError);
  const failure = (outcome as WorkflowFailedError).cause as ApplicationFailure;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure.message).toBe(`transfer to account ${ACCOUNT_NUMBER} was refused`);
  expect(failure.details).toEqual([{ accountNumber: ACCOUNT_NUMBER }]);
  const activityFailure = failure.cause as ActivityFailure;
  expect(activityFailure).toBeInstanceOf(ActivityFailure);
  expect(activityFailure.cause?.message).toBe(`Finan 422: beneficiary account ${ACCOUNT_NUMBER} is closed`);

  // Stored: no account number anywhere, in messages, stack traces or details; the messages are placeholders.
  const events = await rawHistory(workflowId);
  const stored = Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
  expect(stored.includes(ACCOUNT_NUMBER)).toBe(false);
  const activityFailed = events.find((e) => e.activityTaskFailedEventAttributes)!.activityTaskFailedEventAttributes!.failure!;
  const workflowFailed = events.find((e) => e.workflowExecutionFailedEventAttributes)!.workflowExecutionFailedEventAttributes!.failure!;
  for (const stored of [activityFailed, workflowFailed]) {
    expect(stored.message).toBe('Encoded failure');
    expect(describePayload(stored.encodedAttributes ?? undefined)).toEqual({ encoding: 'binary/encrypted', keyId: 'k1' });
  }
});
