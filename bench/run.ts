/**
 * `npm run bench` (`-- --quick` for a run under three minutes): dongflow against a floor at merchant scale, in one
 * run, on one Temporal server. Prints one table and writes `bench/results/latest.json` and `latest.svg`.
 *
 * It starts its own stack on free ports and a temporary data folder (dev server on a SQLite file, sandbox, gateway;
 * the worker is started here so the Finan rate limit can be changed between phases), plus the floor's worker
 * (`floor-workflows.ts`: the same Finan calls, no dongflow logic). Drivers never poll: they wait on workflow
 * results, update answers, or the workflow's history as the server writes it (a long poll).
 *
 * Scenarios: payouts (create → OTP → settled) and paid payment requests (create → transfer → webhook → `paid`) at
 * rising concurrency until the machine saturates; the OTP update round trip and webhook → visible state idle and at
 * saturation; many open payment requests waiting on their expiry timers (memory, timer lateness); one payout when
 * Finan already holds many payouts, and the reconciliation's read over many payments, first run and steady state;
 * history events and Finan calls per flow.
 *
 * Environment: BENCH_LOG_LEVEL (info, as `npm start`; written to a file in the data folder).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, WithStartWorkflowOperation } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import pino from 'pino';
import { createFinanPaymentActivities } from '../activities/finan/payments';
import { dataConverterFor } from '../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../codec/keys';
import { createLogger } from '../config/logger';
import { temporalConnectionOptions } from '../config/temporal';
import { FinanClient } from '../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID } from '../sandbox/server';
import { startStack } from '../scripts/stack';
import { sandboxControls } from '../test/helpers/sandbox-controls';
import { gatewayApi, isolatedConfig } from '../test/helpers/stack';
import { createDongflowWorkers, DONGFLOW_WORKER_TUNING } from '../workers/worker';
import { paymentWorkflowId } from '../workflows/payment-request/messages';
import { payoutWorkflowId } from '../workflows/payout/messages';
import { BENCH_PAYOUT, floorActivities } from './floor-activities';
import {
  FLOOR_FINAN_TASK_QUEUE,
  FLOOR_TASK_QUEUE,
  floorCreatedUpdate,
  floorPaymentSignal,
  floorPaymentWorkflow,
  floorPayoutWorkflow,
  floorSubmitOtpUpdate,
} from './floor-workflows';
import { MB, findDevServer, ownCpuMs, processCpuMs, processRss, rssSampler, sqliteMode } from './measure';
import { ProviderCallCounter, activityResult, awaitHistory, isWorkflowTaskCompleted, upsertedAttribute } from './observe';
import type { ProviderCallTally } from './observe';
import type { BenchResults, Scenario } from './report';
import { resultsJson, svgChart, table } from './report';
import type { LevelResult } from './stats';
import { best, closedLoop, latency, percentile, ratio, sweep } from './stats';

const QUICK = process.argv.includes('--quick');
const PLAN = QUICK
  ? { rounds: 2, levels: [5, 25], perLevel: (c: number) => Math.max(20, 2 * c), idle: 5, defaultLimitFlows: 15, openRequests: 200, heldPayouts: 2_000, reconcilePayments: 1_000 }
  : { rounds: 2, levels: [10, 50, 200], perLevel: (c: number) => Math.max(40, Math.ceil(1.5 * c)), idle: 20, defaultLimitFlows: 40, openRequests: 10_000, heldPayouts: 10_000, reconcilePayments: 10_000 };
// The bank settles at once: both flows' first poll finds the payout settled (the polling backoff is not measured).
const PROCESSING_DELAY_MS = 0;
const FLOW_TIMEOUT_MS = 180_000;
const LIFTED_RATE = 1_000_000;
const REQUEST_AMOUNT = 150_000;
const EventType = temporal.api.enums.v1.EventType;

const say = (line: string) => process.stdout.write(`${line}\n`);
const elapsed = (since: number) => performance.now() - since;

interface PayoutTiming {
  endToEndMs: number;
  otpMs: number;
}
interface PaymentTiming {
  endToEndMs: number;
  webhookMs: number;
}
interface Level<T> extends LevelResult {
  timings: T[];
  /** CPU time per completed flow: this process (gateway, worker, sandbox, driver) and the Temporal server. */
  cpuMsPerFlow: { thisProcess: number; temporalServer: number };
  failures: string[];
  calls: ProviderCallTally;
}

const row = (name: string, unit: string, dongflow: number | null, floor: number | null, better: Scenario['better'], target?: { text: string; met: (d: number) => boolean }): Scenario => ({
  name,
  unit,
  dongflow,
  floor,
  ratio: ratio(dongflow, floor),
  better,
  ...(target ? { target: target.text } : {}),
  met: target ? dongflow !== null && Number.isFinite(dongflow) && target.met(dongflow) : null,
});
const ratioAtLeast = (floor: number, share: number) => ({ text: `≥ ${share} × floor`, met: (d: number) => d >= floor * share });
const under = (limit: number) => ({ text: `< ${limit.toLocaleString('en-US')}`, met: (d: number) => d < limit });
const atMost = (limit: number) => ({ text: `≤ ${limit}`, met: (d: number) => d <= limit });
const median = (values: number[]) => percentile(values, 50);

/** Rounds of one level as one: their flows over their summed wall time. */
function merged<T>(concurrency: number, rounds: Level<T>[]): Level<T> {
  const flows = rounds.reduce((n, r) => n + r.timings.length, 0);
  const wallS = rounds.reduce((s, r) => s + (r.rate > 0 ? r.timings.length / r.rate : 0), 0);
  const calls: ProviderCallTally = { calls: 0, bytes: 0, byRoute: {} };
  for (const r of rounds) {
    calls.calls += r.calls.calls;
    calls.bytes += r.calls.bytes;
    for (const [route, n] of Object.entries(r.calls.byRoute)) calls.byRoute[route] = (calls.byRoute[route] ?? 0) + n;
  }
  const weighted = (pick: (r: Level<T>) => number) => rounds.reduce((s, r) => s + pick(r) * r.timings.length, 0) / Math.max(1, flows);
  return {
    concurrency,
    rate: wallS > 0 ? flows / wallS : 0,
    timings: rounds.flatMap((r) => r.timings),
    failures: rounds.flatMap((r) => r.failures),
    calls,
    cpuMsPerFlow: { thisProcess: weighted((r) => r.cpuMsPerFlow.thisProcess), temporalServer: weighted((r) => r.cpuMsPerFlow.temporalServer) },
  };
}

const levelSummary = <T>(l: Level<T>) => ({ concurrency: l.concurrency, rate: l.rate, flows: l.timings.length, cpuMsPerFlow: l.cpuMsPerFlow });

function failuresOf<T>(outcomes: PromiseSettledResult<T>[]): string[] {
  return outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason instanceof Error ? o.reason.message : String(o.reason)] : []));
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-bench-'));
  // Logs at the level `npm start` uses, into a file: their cost is counted, the table stays readable.
  let config = await isolatedConfig(dataDir, { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: join(dataDir, 'dongflow.log'), sync: false, mkdir: true }) });
  const counter = new ProviderCallCounter();
  const startedAt = new Date().toISOString();
  const load = loadavg();
  say(`dongflow bench${QUICK ? ' --quick' : ''}: data ${dataDir}, load average ${load.map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);

  const start = () => startStack({ config, logger, runWorker: false, sandbox: { finan: { processingDelayMs: PROCESSING_DELAY_MS }, logger: counter.sandboxLogger() } });
  let stack: Awaited<ReturnType<typeof startStack>>;
  for (let attempt = 1; ; attempt++) {
    try {
      stack = await start();
      break;
    } catch (err) {
      // A free port taken by another process between the pick and the listen (a shared machine): pick again.
      if (attempt >= 3 || !String((err as Error).message).includes('EADDRINUSE')) throw err;
      config = await isolatedConfig(dataDir, { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info' });
    }
  }
  const stops: (() => Promise<void>)[] = [];
  let failed = false;
  const problems: string[] = [];
  try {
    const server = findDevServer(dataDir);
    if (!server) throw new Error(`no 'temporal server start-dev' process found for ${dataDir}`);
    const namespace = config.temporal.namespace;
    const api = gatewayApi(stack);
    const sandbox = sandboxControls(stack.sandboxUrl!);
    const sandboxPost = async (path: string, body: unknown) => {
      const res = await fetch(`${stack.sandboxUrl}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`sandbox ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const finan = new FinanClient({ baseUrl: stack.finanBaseUrl, clientId: config.finan.clientId, secretKey: config.finan.secretKey, timeoutMs: config.finan.timeoutMs });
    const gatewayWebhook = `${stack.gatewayUrl}/webhooks/finan`;

    // dongflow's workers, started here (one bundle, reused) so the Finan rate limit can change between phases.
    const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
    const workerConnection = await NativeConnection.connect(temporalConnectionOptions(config));
    stops.push(() => workerConnection.close());
    const dataConverter = dataConverterFor(loadOrCreateLocalKeyRing(resolve(config.dataDir)));
    let stopDongflow: (() => Promise<void>) | undefined;
    const runDongflowWorkers = async (finanMaxRequestsPerSecond: number) => {
      await stopDongflow?.();
      const workers = await createDongflowWorkers({ connection: workerConnection, namespace, finan, finanMaxRequestsPerSecond, dataConverter, workflowBundle: bundle });
      const running = workers.run();
      stopDongflow = async () => {
        workers.shutdown();
        await running.catch(() => undefined);
        stopDongflow = undefined;
      };
    };
    stops.push(async () => stopDongflow?.());
    await runDongflowWorkers(LIFTED_RATE);

    // The floor's workers: SDK defaults, no codec, its own task queues.
    const floorConnection = await NativeConnection.connect(temporalConnectionOptions(config));
    stops.push(() => floorConnection.close());
    const floorWorkers = [
      await Worker.create({ connection: floorConnection, namespace, taskQueue: FLOOR_TASK_QUEUE, workflowsPath: require.resolve('./floor-workflows') }),
      await Worker.create({ connection: floorConnection, namespace, taskQueue: FLOOR_FINAN_TASK_QUEUE, activities: floorActivities(finan) }),
    ];
    const floorRunning = Promise.all(floorWorkers.map((w) => w.run()));
    stops.push(async () => {
      for (const w of floorWorkers) if (w.getState() === 'RUNNING') w.shutdown();
      await floorRunning.catch(() => undefined);
    });
    const floorClient = new Client({ connection: stack.client.connection, namespace });

    // The floor's webhook receiver: hands the payment to the floor flow, nothing else (no signature, no dedup).
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const reference = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { reference_id?: string }).reference_id;
        const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
        if (!reference || req.url !== '/floor') return answer();
        floorClient.workflow.getHandle(`floor-pr-${reference}`).signal(floorPaymentSignal).then(answer, () => res.writeHead(503).end());
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    stops.push(() => new Promise<void>((r) => receiver.close(() => r())));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const webhookTo = (url: string) => sandboxPost('/finan/webhook', { url });
    const resetSandbox = async () => {
      await sandboxPost('/reset', {});
    };

    const runId = Date.now().toString(36);
    const transfer = (remark: string) => sandboxPost('/finan/transfers', { remark, amount: REQUEST_AMOUNT });

    // ---- the four flows the drivers run ----
    const dongflowPayout = async (referenceId: string): Promise<PayoutTiming> => {
      const started = performance.now();
      const created = await api.post('/v1/payouts', { referenceId, ...BENCH_PAYOUT });
      if (created.status !== 202) throw new Error(`POST /v1/payouts answered ${created.status}: ${JSON.stringify(created.body)}`);
      const workflowId = payoutWorkflowId(referenceId);
      const payoutId = await awaitHistory(
        stack.client,
        workflowId,
        (e) => (upsertedAttribute(e, 'DongflowStatus') === 'waiting_confirm' ? String(upsertedAttribute(e, 'DongflowProviderId')) : undefined),
        FLOW_TIMEOUT_MS,
      );
      const code = await sandbox.otp(payoutId);
      const sent = performance.now();
      const answered = await api.post(`/v1/payouts/${referenceId}/otp`, { code });
      const otpMs = elapsed(sent);
      if (answered.status !== 200 || answered.body?.accepted !== true) throw new Error(`OTP answered ${answered.status}: ${JSON.stringify(answered.body)}`);
      const result = (await stack.client.workflow.getHandle(workflowId).result()) as { status: string };
      if (result.status !== 'success') throw new Error(`payout ${referenceId} ended ${result.status}`);
      return { endToEndMs: elapsed(started), otpMs };
    };

    /** The same payout through the TypeScript library (what a Node backend imports), without the gateway's HTTP. */
    const libraryPayout = async (referenceId: string): Promise<PayoutTiming> => {
      const started = performance.now();
      await stack.payouts.startPayout({ referenceId, ...BENCH_PAYOUT });
      const workflowId = payoutWorkflowId(referenceId);
      const payoutId = await awaitHistory(
        stack.client,
        workflowId,
        (e) => (upsertedAttribute(e, 'DongflowStatus') === 'waiting_confirm' ? String(upsertedAttribute(e, 'DongflowProviderId')) : undefined),
        FLOW_TIMEOUT_MS,
      );
      const code = await sandbox.otp(payoutId);
      const sent = performance.now();
      const answered = await stack.payouts.submitOtp(referenceId, code);
      const otpMs = elapsed(sent);
      if (answered.accepted !== true) throw new Error(`OTP answered ${JSON.stringify(answered)}`);
      const result = (await stack.client.workflow.getHandle(workflowId).result()) as { status: string };
      if (result.status !== 'success') throw new Error(`payout ${referenceId} ended ${result.status}`);
      return { endToEndMs: elapsed(started), otpMs };
    };

    const floorPayout = async (referenceId: string): Promise<PayoutTiming> => {
      const started = performance.now();
      const workflowId = `floor-po-${referenceId}`;
      const handle = await floorClient.workflow.start(floorPayoutWorkflow, { taskQueue: FLOOR_TASK_QUEUE, workflowId, args: [referenceId] });
      let payoutId: string | undefined;
      // Visible once the workflow task that took the created payout completed, as dongflow's status is.
      await awaitHistory(
        floorClient,
        workflowId,
        (e) => {
          if (payoutId === undefined) payoutId = activityResult(e) as string | undefined;
          else if (isWorkflowTaskCompleted(e)) return true;
          return undefined;
        },
        FLOW_TIMEOUT_MS,
      );
      const code = await sandbox.otp(payoutId!);
      const sent = performance.now();
      if (!(await handle.executeUpdate(floorSubmitOtpUpdate, { args: [code] }))) throw new Error('floor OTP refused');
      const otpMs = elapsed(sent);
      const status = await handle.result();
      if (status !== 'success') throw new Error(`floor payout ended ${status}`);
      return { endToEndMs: elapsed(started), otpMs };
    };

    const dongflowPayment = async (referenceId: string, ttlSeconds = 3_600): Promise<PaymentTiming> => {
      const started = performance.now();
      const created = await api.post('/v1/payment-requests', { referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: REQUEST_AMOUNT, description: 'bench', ttlSeconds });
      if (created.status !== 201) throw new Error(`POST /v1/payment-requests answered ${created.status}: ${JSON.stringify(created.body)}`);
      const sent = performance.now();
      await transfer(created.body.bankTransfer.remark as string);
      await awaitHistory(stack.client, paymentWorkflowId(referenceId), (e) => (upsertedAttribute(e, 'DongflowStatus') === 'paid' ? true : undefined), FLOW_TIMEOUT_MS);
      return { endToEndMs: elapsed(started), webhookMs: elapsed(sent) };
    };

    const floorPayment = async (referenceId: string): Promise<PaymentTiming> => {
      const started = performance.now();
      const start = new WithStartWorkflowOperation(floorPaymentWorkflow, {
        taskQueue: FLOOR_TASK_QUEUE,
        workflowId: `floor-pr-${referenceId}`,
        args: [referenceId, REQUEST_AMOUNT],
        workflowIdConflictPolicy: 'FAIL',
      });
      const created = await floorClient.workflow.executeUpdateWithStart(floorCreatedUpdate, { startWorkflowOperation: start });
      const sent = performance.now();
      await transfer(created.remark);
      await (await start.workflowHandle()).result();
      return { endToEndMs: elapsed(started), webhookMs: elapsed(sent) };
    };

    // ---- one level: `count` flows, `concurrency` in flight ----
    const level = async <T>(label: string, concurrency: number, count: number, flow: (ref: string) => Promise<T>, round = 0): Promise<Level<T>> => {
      const mark = counter.mark();
      const cpuBefore = { own: ownCpuMs(), server: processCpuMs(server.pid) ?? 0 };
      const { outcomes, wallMs } = await closedLoop(count, concurrency, (i) => flow(`B${runId}-${label}-${concurrency}-${round}-${i}`));
      const timings = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      const failures = failuresOf(outcomes);
      const perFlow = (ms: number) => ms / Math.max(1, timings.length);
      const cpuMsPerFlow = { thisProcess: perFlow(ownCpuMs() - cpuBefore.own), temporalServer: perFlow((processCpuMs(server.pid) ?? 0) - cpuBefore.server) };
      const result = { concurrency, rate: (timings.length / wallMs) * 1000, timings, failures, calls: counter.since(mark), cpuMsPerFlow };
      say(
        `  ${label} × ${concurrency}: ${timings.length}/${count} in ${(wallMs / 1000).toFixed(1)} s = ${result.rate.toFixed(2)}/s; CPU per flow: this process ${cpuMsPerFlow.thisProcess.toFixed(0)} ms, server ${cpuMsPerFlow.temporalServer.toFixed(0)} ms${failures.length ? `; ${failures.length} FAILED (${failures[0]})` : ''}`,
      );
      problems.push(...failures.map((f) => `${label}: ${f}`));
      return result;
    };

    /** The money invariant on the provider's ledger: every payout reference of the phase moved money exactly once. */
    const checkLedger = async (prefix: string, expected: number) => {
      const transfers = (await sandbox.ledger()).filter((t) => t.reference_id?.startsWith(prefix));
      const per = new Map<string, number>();
      for (const t of transfers) per.set(t.reference_id!, (per.get(t.reference_id!) ?? 0) + 1);
      const twice = [...per].filter(([, n]) => n !== 1);
      if (twice.length > 0 || per.size !== expected) problems.push(`ledger ${prefix}: ${per.size}/${expected} references paid, ${twice.length} paid more than once`);
    };

    // Warm-up: bundles loaded, connections open, every code path taken once.
    say('warm-up...');
    await webhookTo(`${receiverUrl}/floor`);
    await Promise.all([floorPayout(`B${runId}-warm-floor`), floorPayment(`B${runId}-warm-floor`)]);
    await webhookTo(gatewayWebhook);
    await Promise.all([dongflowPayout(`B${runId}-warm`), dongflowPayment(`B${runId}-warm`)]);

    // ---- 1. idle: one flow at a time ----
    say(`idle: ${PLAN.idle} flows one at a time...`);
    await resetSandbox();
    await webhookTo(`${receiverUrl}/floor`);
    const idleFloorPayouts = await level('idle-floor-po', 1, PLAN.idle, floorPayout);
    const idleFloorPayments = await level('idle-floor-pr', 1, PLAN.idle, floorPayment);
    await webhookTo(gatewayWebhook);
    const idlePayouts = await level('idle-po', 1, PLAN.idle, dongflowPayout);
    const idlePayments = await level('idle-pr', 1, PLAN.idle, dongflowPayment);
    await checkLedger(`B${runId}-idle-po-`, PLAN.idle);

    // ---- 2. throughput: concurrency rises until the machine saturates; floor and dongflow alternate per level ----
    say(`throughput: concurrency ${PLAN.levels.join(' → ')} until saturated...`);
    // Floor and dongflow alternate in rounds (ABAB) so a neighbour's load lands on both; the load keeps rising while
    // either still gains.
    const pair = async <T>(c: number, floorSide: () => Promise<void>, dongflowSide: () => Promise<void>, run: (side: 'floor' | 'dongflow', round: number) => Promise<Level<T>>) => {
      const floorRounds: Level<T>[] = [];
      const dongflowRounds: Level<T>[] = [];
      for (let round = 0; round < PLAN.rounds; round++) {
        await resetSandbox();
        await floorSide();
        floorRounds.push(await run('floor', round));
        await resetSandbox();
        await dongflowSide();
        dongflowRounds.push(await run('dongflow', round));
      }
      return { floor: merged(c, floorRounds), dongflow: merged(c, dongflowRounds) };
    };
    const floorPayoutLevels: Level<PayoutTiming>[] = [];
    const payoutLevels: Level<PayoutTiming>[] = [];
    await sweep(PLAN.levels, async (c) => {
      const count = Math.ceil(PLAN.perLevel(c) / PLAN.rounds);
      const { floor, dongflow } = await pair(c, async () => undefined, async () => undefined, async (side, round) => {
        if (side === 'floor') return level('floor-po', c, count, floorPayout, round);
        const done = await level('po', c, count, dongflowPayout, round);
        // Before the next round resets the sandbox's ledger.
        await checkLedger(`B${runId}-po-${c}-${round}-`, done.timings.length);
        return done;
      });
      floorPayoutLevels.push(floor);
      payoutLevels.push(dongflow);
      say(`  payouts × ${c}: floor ${floor.rate.toFixed(2)}/s, dongflow ${dongflow.rate.toFixed(2)}/s`);
      return { concurrency: c, rate: floor.rate + dongflow.rate };
    });
    // What the gateway costs: the best level again, through the library, beside the floor.
    const libraryAt = best(payoutLevels)!.concurrency;
    const libraryPair = await pair(libraryAt, async () => undefined, async () => undefined, (side, round) =>
      side === 'floor' ? level('floor-po-lib', libraryAt, Math.ceil(PLAN.perLevel(libraryAt) / PLAN.rounds), floorPayout, round) : level('po-lib', libraryAt, Math.ceil(PLAN.perLevel(libraryAt) / PLAN.rounds), libraryPayout, round),
    );
    say(`  payouts through the library × ${libraryAt}: floor ${libraryPair.floor.rate.toFixed(2)}/s, dongflow ${libraryPair.dongflow.rate.toFixed(2)}/s`);

    const floorPaymentLevels: Level<PaymentTiming>[] = [];
    const paymentLevels: Level<PaymentTiming>[] = [];
    await sweep(PLAN.levels, async (c) => {
      const count = Math.ceil(PLAN.perLevel(c) / PLAN.rounds);
      const { floor, dongflow } = await pair(
        c,
        async () => void (await webhookTo(`${receiverUrl}/floor`)),
        async () => void (await webhookTo(gatewayWebhook)),
        (side, round) => (side === 'floor' ? level('floor-pr', c, count, floorPayment, round) : level('pr', c, count, dongflowPayment, round)),
      );
      floorPaymentLevels.push(floor);
      paymentLevels.push(dongflow);
      say(`  payment requests × ${c}: floor ${floor.rate.toFixed(2)}/s, dongflow ${dongflow.rate.toFixed(2)}/s`);
      return { concurrency: c, rate: floor.rate + dongflow.rate };
    });

    // ---- 4. history events per flow (a paid request's whole history: it ends at its expiry) ----
    const eventsOf = async (client: Client, workflowId: string) => (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
    const payoutEvents = await Promise.all(idlePayouts.timings.map((_, i) => eventsOf(stack.client, payoutWorkflowId(`B${runId}-idle-po-1-0-${i}`))));
    const floorPayoutEvents = await Promise.all(idleFloorPayouts.timings.map((_, i) => eventsOf(floorClient, `floor-po-B${runId}-idle-floor-po-1-0-${i}`)));
    await resetSandbox();
    const shortRefs = Array.from({ length: 3 }, (_, i) => `B${runId}-short-${i}`);
    await Promise.all(shortRefs.map((r) => dongflowPayment(r, 2)));
    const paidStates = await Promise.all(shortRefs.map((r) => stack.client.workflow.getHandle(paymentWorkflowId(r)).result() as Promise<{ status: string }>));
    if (paidStates.some((s) => s.status !== 'paid')) problems.push(`short payment requests ended ${paidStates.map((s) => s.status).join(', ')}`);
    const paidEvents = await Promise.all(shortRefs.map((r) => eventsOf(stack.client, paymentWorkflowId(r))));
    // The shape of each history, event by event, for the note on what each flow spends.
    const shapeOf = async (client: Client, workflowId: string) =>
      ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => String(EventType[e.eventType!]).replace('EVENT_TYPE_', '').toLowerCase());
    const historyShapes = {
      payout: await shapeOf(stack.client, payoutWorkflowId(`B${runId}-idle-po-1-0-0`)),
      floorPayout: await shapeOf(floorClient, `floor-po-B${runId}-idle-floor-po-1-0-0`),
      paymentRequestPaid: await shapeOf(stack.client, paymentWorkflowId(shortRefs[0]!)),
      floorPaymentRequestPaid: await shapeOf(floorClient, `floor-pr-B${runId}-idle-floor-pr-1-0-0`),
    };
    const floorPaidEvents = await Promise.all(idleFloorPayments.timings.map((_, i) => eventsOf(floorClient, `floor-pr-B${runId}-idle-floor-pr-1-0-${i}`)));

    // ---- 5. open payment requests waiting on their expiry timers ----
    say(`${PLAN.openRequests.toLocaleString('en-US')} open payment requests...`);
    await resetSandbox();
    const open = await openRequests(PLAN.openRequests);

    // ---- 6. growth: one payout as Finan's history grows; the reconciliation's read over many payments ----
    say('growth...');
    const growth = await payoutGrowth();
    const reconcile = await reconciliationRead(PLAN.reconcilePayments);

    // ---- 7. the default Finan rate limit, beside the lifted one (last: the server keeps a queue's limit for a while) ----
    const bestPayoutLevel = best(payoutLevels)!;
    say(`default Finan rate limit (${config.finan.maxRequestsPerSecond} activities/s): ${PLAN.defaultLimitFlows} payouts at concurrency ${bestPayoutLevel.concurrency}...`);
    await resetSandbox();
    await runDongflowWorkers(config.finan.maxRequestsPerSecond);
    const limitedPayouts = await level('po-limited', bestPayoutLevel.concurrency, PLAN.defaultLimitFlows, dongflowPayout);


    // ---- the table ----
    const sat = <T>(levels: Level<T>[]) => levels[levels.length - 1]!;
    const bestPayout = best(payoutLevels)!;
    const bestFloorPayout = best(floorPayoutLevels)!;
    const bestPayment = best(paymentLevels)!;
    const bestFloorPayment = best(floorPaymentLevels)!;
    const lat = <T>(l: Level<T>, pick: (t: T) => number) => latency(l.timings.map(pick));

    const scenarios: Scenario[] = [
      row(`payout end to end, best of ${payoutLevels.map((l) => l.concurrency).join('/')} (at ${bestPayout.concurrency})`, 'payouts/s', bestPayout.rate, bestFloorPayout.rate, 'higher', ratioAtLeast(bestFloorPayout.rate, 0.8)),
      row(`payout end to end, default Finan limit ${config.finan.maxRequestsPerSecond}/s`, 'payouts/s', limitedPayouts.rate, bestFloorPayout.rate, 'higher'),
      row(`payout end to end through the library, no gateway (at ${libraryAt})`, 'payouts/s', libraryPair.dongflow.rate, libraryPair.floor.rate, 'higher'),
      row(`payment request paid, best of ${paymentLevels.map((l) => l.concurrency).join('/')} (at ${bestPayment.concurrency})`, 'requests/s', bestPayment.rate, bestFloorPayment.rate, 'higher', ratioAtLeast(bestFloorPayment.rate, 0.8)),
      row('OTP update round trip p50, idle', 'ms', lat(idlePayouts, (t) => t.otpMs).p50, lat(idleFloorPayouts, (t) => t.otpMs).p50, 'lower'),
      row('OTP update round trip p99, idle', 'ms', lat(idlePayouts, (t) => t.otpMs).p99, lat(idleFloorPayouts, (t) => t.otpMs).p99, 'lower', under(100)),
      row(`OTP update round trip p50, saturated (${sat(payoutLevels).concurrency})`, 'ms', lat(sat(payoutLevels), (t) => t.otpMs).p50, lat(sat(floorPayoutLevels), (t) => t.otpMs).p50, 'lower'),
      row(`OTP update round trip p99, saturated (${sat(payoutLevels).concurrency})`, 'ms', lat(sat(payoutLevels), (t) => t.otpMs).p99, lat(sat(floorPayoutLevels), (t) => t.otpMs).p99, 'lower', under(500)),
      row('webhook → visible state p50, idle', 'ms', lat(idlePayments, (t) => t.webhookMs).p50, lat(idleFloorPayments, (t) => t.webhookMs).p50, 'lower'),
      row('webhook → visible state p99, idle', 'ms', lat(idlePayments, (t) => t.webhookMs).p99, lat(idleFloorPayments, (t) => t.webhookMs).p99, 'lower', under(100)),
      row(`webhook → visible state p50, saturated (${sat(paymentLevels).concurrency})`, 'ms', lat(sat(paymentLevels), (t) => t.webhookMs).p50, lat(sat(floorPaymentLevels), (t) => t.webhookMs).p50, 'lower'),
      row(`webhook → visible state p99, saturated (${sat(paymentLevels).concurrency})`, 'ms', lat(sat(paymentLevels), (t) => t.webhookMs).p99, lat(sat(floorPaymentLevels), (t) => t.webhookMs).p99, 'lower', under(500)),
      row('history events, happy-path payout', 'events', median(payoutEvents), median(floorPayoutEvents), 'lower', atMost(25)),
      row('history events, paid payment request (to its end)', 'events', median(paidEvents), median(floorPaidEvents), 'lower', atMost(20)),
      row(`${open.count.toLocaleString('en-US')} open requests: Temporal server RSS`, 'MB', open.serverRssMb, null, 'lower'),
      row(`${open.count.toLocaleString('en-US')} open requests: worker process RSS (with gateway, sandbox, driver)`, 'MB', open.workerRssMb, null, 'lower', under(1024)),
      row(`  the same process before the ${open.count.toLocaleString('en-US')} were opened`, 'MB', open.before.workerRssMb, null, 'lower'),
      row(`${open.count.toLocaleString('en-US')} open requests: timer lateness p50`, 'ms', open.lateness.p50, null, 'lower'),
      row(`${open.count.toLocaleString('en-US')} open requests: timer lateness p99`, 'ms', open.lateness.p99, null, 'lower', under(1000)),
      row(`${open.count.toLocaleString('en-US')} open requests: expiry → final status p99`, 'ms', open.settled.p99, null, 'lower'),
      ...growth.rows,
      ...reconcile.rows,
      row('Finan calls per payout (minimum 4)', 'calls', sat(payoutLevels).calls.calls / Math.max(1, sat(payoutLevels).timings.length), sat(floorPayoutLevels).calls.calls / Math.max(1, sat(floorPayoutLevels).timings.length), 'lower'),
      row('Finan calls per paid request (minimum 3)', 'calls', sat(paymentLevels).calls.calls / Math.max(1, sat(paymentLevels).timings.length), sat(floorPaymentLevels).calls.calls / Math.max(1, sat(floorPaymentLevels).timings.length), 'lower'),
    ];

    const tuning = DONGFLOW_WORKER_TUNING;
    const machine = {
      cores: cpus().length,
      model: cpus()[0]?.model.trim(),
      memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      loadAverageAtStart: load.map((l) => Math.round(l * 100) / 100),
      sharedMachine: load[0]! > cpus().length * 0.5,
      startedAt,
      quick: QUICK,
      sqlite: sqliteMode(server.args),
      dongflowWorker: tuning,
      floorWorker: 'SDK defaults',
      finanRateLimit: { forRatios: 'lifted', default: config.finan.maxRequestsPerSecond },
      sandboxProcessingDelayMs: PROCESSING_DELAY_MS,
    };
    const results: BenchResults = {
      machine,
      scenarios,
      historyEvents: { payout: median(payoutEvents), paymentRequestPaid: median(paidEvents), invoicePaid: null },
      providerCalls: {
        payout: { dongflow: sat(payoutLevels).calls, floor: sat(floorPayoutLevels).calls, flows: sat(payoutLevels).timings.length, minimum: 4 },
        paymentRequestPaid: { dongflow: sat(paymentLevels).calls, floor: sat(floorPaymentLevels).calls, flows: sat(paymentLevels).timings.length, minimum: 3 },
      },
      levels: {
        payout: payoutLevels.map(levelSummary),
        floorPayout: floorPayoutLevels.map(levelSummary),
        paymentRequest: paymentLevels.map(levelSummary),
        floorPaymentRequest: floorPaymentLevels.map(levelSummary),
        payoutDefaultFinanLimit: levelSummary(limitedPayouts),
        payoutThroughLibrary: { dongflow: levelSummary(libraryPair.dongflow), floor: levelSummary(libraryPair.floor) },
      },
      historyShapes,
      openRequests: open,
      growth: {
        payout: { small: growth.small, large: growth.large, referenceCheckMs: growth.check },
        reconciliation: { first: reconcile.first, steady: reconcile.steady, listMs: reconcile.parse },
      },
      problems,
    };
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const name = QUICK ? 'latest-quick' : 'latest';
    writeFileSync(join(dir, `${name}.json`), resultsJson(results));
    writeFileSync(join(dir, `${name}.svg`), svgChart(scenarios, `dongflow vs floor, same run (${machine.cores} cores${machine.sharedMachine ? ', shared machine' : ''}; ${machine.sqlite})`));

    say('');
    say(table(scenarios));
    say('');
    say(`SQLite: ${machine.sqlite}. dongflow worker: ${JSON.stringify(tuning)}; floor worker: SDK defaults.`);
    say(`Finan rate limit: lifted for the ratios; the default (${config.finan.maxRequestsPerSecond} activities/s) in its own row. Sandbox processing delay ${PROCESSING_DELAY_MS} ms.`);
    say(`Machine: ${machine.cores} cores (${machine.model}), ${machine.memoryGiB} GiB, Node ${process.version}; load average at start ${load.map((l) => l.toFixed(1)).join(' ')}.`);
    say(`Written: bench/results/${name}.json, bench/results/${name}.svg`);
    if (problems.length > 0) {
      failed = true;
      process.stderr.write(`\nBENCH PROBLEMS (${problems.length}):\n${problems.slice(0, 20).map((p) => `  ${p}`).join('\n')}\n`);
    }

    // ---- scenario helpers (closures over the stack) ----
    async function openRequests(count: number) {
      const sampler = rssSampler(server!.pid, 500);
      const before = { serverRssMb: (processRss(server!.pid) ?? 0) / MB, workerRssMb: process.memoryUsage().rss / MB };
      // A first slice with a long expiry tells the creation rate; the rest expire after all are open, as they were made.
      const first = Math.min(200, Math.ceil(count / 10));
      const create = (label: string, ttlSeconds: number) => async (i: number) => {
        const referenceId = `B${runId}-${label}-${i}`;
        const created = await api.post('/v1/payment-requests', { referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: REQUEST_AMOUNT, description: 'bench', ttlSeconds });
        // 202: started, Finan's answer not in before the gateway's deadline (an overloaded machine); still open.
        if (created.status !== 201 && created.status !== 202) throw new Error(`POST /v1/payment-requests answered ${created.status}`);
        return { referenceId, at: performance.now() };
      };
      const warm = await closedLoop(first, 100, create('open-long', 3_600));
      // A creation refused under overload (504: Temporal did not answer in time) is counted, not a broken bench.
      const refused = [...failuresOf(warm.outcomes)];
      const perSecond = (first / warm.wallMs) * 1000;
      const ttlSeconds = Math.ceil(((count - first) / perSecond) * 1.25) + 15;
      say(`  ${first} created at ${perSecond.toFixed(1)}/s; the other ${count - first} expire ${ttlSeconds} s after creation`);
      const rest = await closedLoop(count - first, 100, create('open', ttlSeconds));
      refused.push(...failuresOf(rest.outcomes));
      if (refused.length > 0) say(`  ${refused.length} creations refused (${refused[0]})`);
      const allOpenServerRss = processRss(server!.pid) ?? 0;
      const allOpenWorkerRss = process.memoryUsage().rss;
      const allOpenHeapUsed = process.memoryUsage().heapUsed;
      say(`  ${count} open: server ${(allOpenServerRss / MB).toFixed(0)} MB, this process ${(allOpenWorkerRss / MB).toFixed(0)} MB`);
      // The last one's end means all have expired; then a sample's histories tell the timers' lateness.
      const made = rest.outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value.referenceId] : []));
      await stack.client.workflow.getHandle(paymentWorkflowId(made[made.length - 1]!)).result().catch(() => undefined);
      const sample = made.filter((_, i) => i % Math.max(1, Math.floor(made.length / 300)) === 0);
      await Promise.all(sample.map((r) => stack.client.workflow.getHandle(paymentWorkflowId(r)).result().catch(() => undefined)));
      const lateness: number[] = [];
      const settled: number[] = [];
      const expirySteps: Record<string, number[]> = {};
      for (const referenceId of sample) {
        const events = (await stack.client.workflow.getHandle(paymentWorkflowId(referenceId)).fetchHistory()).events ?? [];
        const ms = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
        const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
        const fired = events.find((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
        const ended = [...events].reverse().find((e) => upsertedAttribute(e, 'DongflowStatus') !== undefined);
        if (!started || !fired) continue;
        const timeout = started.timerStartedEventAttributes?.startToFireTimeout;
        const due = ms(started) + Number(timeout?.seconds ?? 0) * 1000 + (timeout?.nanos ?? 0) / 1e6;
        lateness.push(ms(fired) - due);
        if (ended) settled.push(ms(ended) - due);
        // Where the time after the timer goes: each step of the final read, from the events' times.
        const after = events.slice(events.indexOf(fired));
        const at = (type: temporal.api.enums.v1.EventType) => after.find((e) => e.eventType === type);
        const steps: [string, temporal.api.enums.v1.EventType][] = [
          ['timerFired→workflowTaskStarted', EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED],
          ['→readScheduled', EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED],
          ['→readStarted', EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED],
          ['→readCompleted', EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED],
        ];
        let previous = ms(fired);
        for (const [name, type] of steps) {
          const event = at(type);
          if (!event) break;
          (expirySteps[name] ??= []).push(ms(event) - previous);
          previous = ms(event);
        }
      }
      const { serverPeak, ownPeak } = sampler.stop();
      return {
        count,
        refused: refused.length,
        before,
        heapUsedMbAllOpen: allOpenHeapUsed / MB,
        serverRssMb: allOpenServerRss / MB,
        workerRssMb: allOpenWorkerRss / MB,
        serverPeakMb: serverPeak / MB,
        workerPeakMb: ownPeak / MB,
        lateness: latency(lateness),
        settled: latency(settled),
        expirySteps: Object.fromEntries(Object.entries(expirySteps).map(([name, samples]) => [name, latency(samples)])),
      };
    }

    /** Median times of two ways to do one thing, alternated five times. */
    async function beforeAfter(before: () => Promise<unknown>, after: () => Promise<unknown>) {
      const times = { before: [] as number[], after: [] as number[] };
      for (let i = 0; i < 5; i++) {
        for (const [side, call] of [['before', before], ['after', after]] as const) {
          const started = performance.now();
          await call();
          times[side].push(elapsed(started));
        }
      }
      return { before: median(times.before), after: median(times.after) };
    }

    async function seedPayouts(upTo: number, held: number): Promise<number> {
      for (let n = held; n < upTo; n += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, upTo - n) }, (_, i) =>
            finan.createPayout({
              account_id: FINAN_SOURCE_ACCOUNT_ID,
              amount: 10_000,
              beneficiary_account_name: 'NGUYEN VAN A',
              beneficiary_account_number: '1234567890',
              beneficiary_bank_id: '161',
              currency: 'VND',
              reference_id: `SEED-${runId}-${n + i}`,
              description: 'seed',
            }),
          ),
        );
      }
      return upTo;
    }

    async function payoutGrowth() {
      await resetSandbox();
      const one = async (held: number, label: string, flow: (ref: string) => Promise<PayoutTiming>) => {
        const samples: { ms: number; calls: ProviderCallTally }[] = [];
        for (let i = 0; i < 3; i++) {
          const mark = counter.mark();
          const { endToEndMs } = await flow(`B${runId}-grow-${label}-${held}-${i}`);
          samples.push({ ms: endToEndMs, calls: counter.since(mark) });
        }
        return { ms: median(samples.map((s) => s.ms)), calls: median(samples.map((s) => s.calls.calls)), bytes: median(samples.map((s) => s.calls.bytes)) };
      };
      let held = await seedPayouts(10, 0);
      const small = { dongflow: await one(held, 'df', dongflowPayout), floor: await one(held, 'fl', floorPayout) };
      const t0 = performance.now();
      held = await seedPayouts(PLAN.heldPayouts, held);
      say(`  seeded ${held.toLocaleString('en-US')} payouts at Finan in ${(elapsed(t0) / 1000).toFixed(1)} s`);
      const large = { dongflow: await one(held, 'df', dongflowPayout), floor: await one(held, 'fl', floorPayout) };
      // The reference check as it was (every listed payout schema-checked) and as it is (only those carrying the reference).
      const check = await beforeAfter(
        () => finan.listPayouts().then((l) => l.data.filter((p) => p.reference_id === 'NONE')),
        () => finan.findPayoutsByReference('NONE'),
      );
      const heldText = held.toLocaleString('en-US');
      const same = { text: '≈ the 10-payout figure (≤ 1.2×)', met: () => false };
      return {
        small,
        large,
        rows: [
          row('one payout, Finan holding 10 payouts: time', 'ms', small.dongflow.ms, small.floor.ms, 'lower'),
          row(`one payout, Finan holding ${heldText} payouts: time`, 'ms', large.dongflow.ms, large.floor.ms, 'lower', { ...same, met: (d) => d <= small.dongflow.ms * 1.2 }),
          row('one payout, Finan holding 10 payouts: bytes from Finan', 'bytes', small.dongflow.bytes, small.floor.bytes, 'lower'),
          row(`one payout, Finan holding ${heldText} payouts: bytes from Finan`, 'bytes', large.dongflow.bytes, large.floor.bytes, 'lower', { ...same, met: (d) => d <= small.dongflow.bytes * 1.2 }),
          row(`one payout, Finan holding ${heldText} payouts: Finan calls`, 'calls', large.dongflow.calls, large.floor.calls, 'lower', { ...same, met: (d) => d <= small.dongflow.calls * 1.2 }),
          row(`reference check at ${heldText} payouts, validating every entry (before)`, 'ms', check.before, null, 'lower'),
          row(`reference check at ${heldText} payouts, validating the reference's entries (now)`, 'ms', check.after, null, 'lower'),
        ],
        check,
      };
    }

    async function reconciliationRead(payments: number) {
      await resetSandbox();
      // Webhooks of the seeded payments go nowhere in particular: this measures the reconciliation's read alone.
      await webhookTo(`${receiverUrl}/sink`);
      const seed = async (n: number, label: string) => {
        for (let k = 0; k < n; k += 50) {
          await Promise.all(
            Array.from({ length: Math.min(50, n - k) }, async (_, i) => {
              const created = await finan.createPaymentRequest({
                payment_method: 'bank_transfer',
                account_id: FINAN_SOURCE_ACCOUNT_ID,
                amount: REQUEST_AMOUNT,
                description: 'seed',
                reference_id: `SEED-${runId}-${label}-${k + i}`,
              });
              await transfer(created.data.bank_transfer_detail!.remark);
            }),
          );
        }
      };
      const t0 = performance.now();
      const before = new Date(Date.now() - 1_000).toISOString();
      await seed(payments, 'all');
      say(`  seeded ${payments.toLocaleString('en-US')} paid requests at Finan in ${(elapsed(t0) / 1000).toFixed(1)} s`);
      const activities = createFinanPaymentActivities({ finan });
      const read = (since: string) => activities.listRecentlyPaidRequests(since);
      const measure = async (since: string) => {
        const mark = counter.mark();
        const started = performance.now();
        const found: unknown[] = await new MockActivityEnvironment().run(read, since);
        return { ms: elapsed(started), found: found.length, ...counter.since(mark) };
      };
      const first = await measure(before);
      // The read as it was (every request schema-checked) and as it is (only those paid since the mark).
      const since = new Date().toISOString();
      const parse = await beforeAfter(
        () => finan.listPaymentRequests({}).then((l) => l.data.filter((r) => r.payments.some((p) => !(Date.parse(p.created_at) < Date.parse(since))))),
        () => finan.listPaymentRequestsPaidSince(since),
      );
      // Finan's payment times have whole seconds: the mark is a whole second, and the new payments come after it.
      const mark = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString();
      await new Promise((r) => setTimeout(r, Date.parse(mark) - Date.now() + 10));
      await seed(10, 'new');
      const steady = await measure(mark);
      await webhookTo(gatewayWebhook);
      const n = payments.toLocaleString('en-US');
      const proportional = { text: '∝ new payments', met: () => false };
      return {
        first,
        steady,
        rows: [
          row(`reconciliation read, first run over ${n} payments: time`, 'ms', first.ms, null, 'lower'),
          row(`reconciliation read, first run over ${n} payments: bytes`, 'bytes', first.bytes, null, 'lower'),
          row(`reconciliation read, steady run (10 new, ${n} held): time`, 'ms', steady.ms, null, 'lower', { ...proportional, met: (d) => d <= (first.ms * 10) / payments + 50 }),
          row(`reconciliation read, steady run (10 new, ${n} held): bytes`, 'bytes', steady.bytes, null, 'lower', { ...proportional, met: (d) => d <= (first.bytes * 20) / payments }),
          row(`reconciliation list of ${n}, validating every request (before)`, 'ms', parse.before, null, 'lower'),
          row(`reconciliation list of ${n}, validating those paid since the mark (now)`, 'ms', parse.after, null, 'lower'),
        ],
        parse,
      };
    }
  } catch (err) {
    failed = true;
    process.stderr.write(`\nBENCH FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await stack.stop();
    if (failed) process.stderr.write(`data folder kept for inspection: ${dataDir}\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
