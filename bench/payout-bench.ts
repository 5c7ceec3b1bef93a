/**
 * `npm run bench`: dongflow's payout against a floor, in the same run, on the same Temporal server.
 *
 * Starts the whole stack the way `npm start` does (`startStack`: dev server on a SQLite file, sandbox, worker and
 * gateway in this process), on free loopback ports and a temporary data folder, then
 *  1. floor: N concurrent runs of `bench/floor-workflows.ts` (create → update → verify → poll, no-op activities) on
 *     a worker and task queue of their own, driven straight through the Temporal client;
 *  2. dongflow: N concurrent payouts through the gateway (POST, wait for `waiting_confirm`, OTP from the sandbox,
 *     POST the OTP, wait for `success`), then checks the sandbox's ledger: exactly one transfer per reference.
 * Both drivers wait the same way (a status read every BENCH_POLL_MS: a query for the floor, a GET — which queries —
 * for dongflow), so the ratio is what dongflow adds: gateway, codec, search attributes, logging, real HTTP to the
 * provider, the Finan rate limit. Absolute figures are this machine's; ratios are the project's.
 *
 * Environment: BENCH_N (40), BENCH_POLL_MS (100), BENCH_PROCESSING_DELAY_MS (50), BENCH_TIMEOUT_MS (90000) per
 * flow, BENCH_LOG_LEVEL (info, written to a file in the data folder), FINAN_MAX_REQUESTS_PER_SECOND (the stack's
 * default when unset). Exits 1 (keeping the data folder) when a flow fails or the ledger is wrong.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import pino from 'pino';
import { createLogger } from '../config/logger';
import { startStack } from '../scripts/stack';
import { FINAN_SOURCE_ACCOUNT_ID } from '../sandbox/server';
import { sandboxControls } from '../test/helpers/sandbox-controls';
import { eventually, gatewayApi, isolatedConfig } from '../test/helpers/stack';
import { payoutWorkflowId } from '../workflows/payout/messages';
import type { FloorActivities, FloorState } from './floor-workflows';
import { floorStateQuery, floorSubmitUpdate, floorWorkflow } from './floor-workflows';
import type { HistoryFacts } from './measure';
import { MB, findDevServer, historyFacts, ownCpuMs, percentile, processCpuMs, processRss, rssSampler, sqliteMode } from './measure';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

const N = Math.max(1, intFromEnv('BENCH_N', 40));
const POLL_MS = Math.max(10, intFromEnv('BENCH_POLL_MS', 100));
const PROCESSING_DELAY_MS = intFromEnv('BENCH_PROCESSING_DELAY_MS', 50);
const FLOW_TIMEOUT_MS = Math.max(1_000, intFromEnv('BENCH_TIMEOUT_MS', 90_000));
const WARMUP = 2;
const FLOOR_TASK_QUEUE = 'bench-floor';

interface FlowTiming {
  endToEndMs: number;
  updateMs: number;
}

interface PhaseResult {
  ok: number;
  failures: string[];
  wallMs: number;
  endToEnd: number[];
  update: number[];
  history: HistoryFacts[];
  ownCpuMs: number;
  serverCpuMs: number;
  ownRssAfter: number;
  ownRssPeak: number;
  serverRssAfter: number;
  serverRssPeak: number;
}

/** Runs `flow` for N ids at once and measures the phase; histories are read afterwards, outside the timing. */
async function phase(
  serverPid: number,
  ids: string[],
  flow: (id: string) => Promise<FlowTiming>,
  historyOf: (id: string) => Promise<HistoryFacts>,
): Promise<PhaseResult> {
  const sampler = rssSampler(serverPid);
  const ownCpuBefore = ownCpuMs();
  const serverCpuBefore = processCpuMs(serverPid) ?? 0;
  const started = performance.now();
  const outcomes = await Promise.allSettled(ids.map((id) => flow(id)));
  const wallMs = performance.now() - started;
  const ownCpu = ownCpuMs() - ownCpuBefore;
  const serverCpu = (processCpuMs(serverPid) ?? 0) - serverCpuBefore;
  const { ownPeak, serverPeak } = sampler.stop();
  const ownRssAfter = process.memoryUsage().rss;
  const serverRssAfter = processRss(serverPid) ?? 0;

  const timings = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  const failures = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [`${ids[i]}: ${o.reason instanceof Error ? o.reason.message : String(o.reason)}`] : []));
  const history = await Promise.all(ids.map((id) => historyOf(id)));
  return {
    ok: timings.length,
    failures,
    wallMs,
    endToEnd: timings.map((t) => t.endToEndMs),
    update: timings.map((t) => t.updateMs),
    history,
    ownCpuMs: ownCpu,
    serverCpuMs: serverCpu,
    ownRssAfter,
    ownRssPeak: ownPeak,
    serverRssAfter,
    serverRssPeak: serverPeak,
  };
}

const floorActivities: FloorActivities = {
  create: async (reference) => `floor-${reference}`,
  verify: async () => true,
  poll: async () => 'success',
};

function range(values: number[], digits = 0): string {
  if (values.length === 0) return '–';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? lo.toFixed(digits) : `${percentile(values, 50).toFixed(digits)} (${lo.toFixed(digits)}–${hi.toFixed(digits)})`;
}

function table(rows: [string, string, string, string][]): string {
  const header: [string, string, string, string] = ['metric', 'floor', 'dongflow', 'ratio (dongflow/floor)'];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const rssAtLaunch = process.memoryUsage().rss;
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-bench-'));
  const logFile = join(dataDir, 'dongflow.log');
  const config = await isolatedConfig(dataDir, {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    ...(process.env.FINAN_MAX_REQUESTS_PER_SECOND ? { FINAN_MAX_REQUESTS_PER_SECOND: process.env.FINAN_MAX_REQUESTS_PER_SECOND } : {}),
  });
  // Logs at the level `npm start` uses, into a file: their cost is counted, the table stays readable.
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: logFile, sync: false, mkdir: true }) });

  process.stdout.write(`dongflow bench: N=${N}, poll every ${POLL_MS} ms, sandbox processingDelayMs=${PROCESSING_DELAY_MS}, data ${dataDir}\n`);
  const stackStarted = performance.now();
  const stack = await startStack({ config, logger, sandbox: { finan: { processingDelayMs: PROCESSING_DELAY_MS } } });
  let floorWorker: Worker | undefined;
  let floorRunning: Promise<void> | undefined;
  let floorConnection: NativeConnection | undefined;
  let failed = false;
  try {
    const server = findDevServer(dataDir);
    if (!server) throw new Error(`no 'temporal server start-dev' process found for ${dataDir}`);
    process.stdout.write(`stack up in ${((performance.now() - stackStarted) / 1000).toFixed(1)} s (Temporal server pid ${server.pid})\n`);
    const api = gatewayApi(stack);
    const sandbox = sandboxControls(stack.sandboxUrl!);
    const namespace = stack.client.options.namespace;

    // The floor's worker: same server, same runtime, its own connection, task queue and (unencrypted) client.
    floorConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    floorWorker = await Worker.create({
      connection: floorConnection,
      namespace,
      taskQueue: FLOOR_TASK_QUEUE,
      workflowsPath: require.resolve('./floor-workflows'),
      activities: floorActivities,
      // The same limits as dongflow's workflow worker and Finan worker, minus the Finan rate limit.
      maxCachedWorkflows: 500,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentActivityTaskExecutions: 50,
      shutdownGraceTime: '5 seconds',
    });
    floorRunning = floorWorker.run();
    const floorClient = new Client({ connection: stack.client.connection, namespace });
    const runId = Date.now().toString(36);

    const floorFlow = async (id: string): Promise<FlowTiming> => {
      const started = performance.now();
      const handle = await floorClient.workflow.start(floorWorkflow, { taskQueue: FLOOR_TASK_QUEUE, workflowId: id, args: [id] });
      const read = () => handle.query(floorStateQuery);
      await eventually(read, (s: FloorState) => s !== 'creating', FLOW_TIMEOUT_MS, POLL_MS);
      const sent = performance.now();
      const verified = await handle.executeUpdate(floorSubmitUpdate, { args: ['123456'] });
      const updateMs = performance.now() - sent;
      if (!verified) throw new Error('floor update not verified');
      const done = await eventually(read, (s: FloorState) => s === 'success', FLOW_TIMEOUT_MS, POLL_MS);
      if (done !== 'success') throw new Error(`floor ended ${done}`);
      return { endToEndMs: performance.now() - started, updateMs };
    };

    const payoutFlow = async (referenceId: string): Promise<FlowTiming> => {
      const started = performance.now();
      const created = await api.post('/v1/payouts', {
        referenceId,
        accountId: FINAN_SOURCE_ACCOUNT_ID,
        amount: 6_000_000,
        beneficiaryAccountName: 'NGUYEN VAN A',
        beneficiaryAccountNumber: '1234567890',
        beneficiaryBankId: '161',
        description: 'bench payout',
      });
      if (created.status !== 202) throw new Error(`POST /v1/payouts answered ${created.status}: ${JSON.stringify(created.body)}`);
      const read = async () => (await api.get(`/v1/payouts/${referenceId}`)).body as { status?: string; payoutId?: string };
      const waiting = await eventually(read, (s) => s?.status !== undefined && s.status !== 'creating', FLOW_TIMEOUT_MS, POLL_MS);
      if (waiting.status !== 'waiting_confirm' || !waiting.payoutId) throw new Error(`expected waiting_confirm, got ${JSON.stringify(waiting)}`);
      const otp = await sandbox.otp(waiting.payoutId);
      const sent = performance.now();
      const submitted = await api.post(`/v1/payouts/${referenceId}/otp`, { code: otp });
      const updateMs = performance.now() - sent;
      if (submitted.status !== 200 || submitted.body?.accepted !== true) {
        throw new Error(`POST .../otp answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
      }
      const done = await eventually(read, (s) => s?.status !== undefined && !['creating', 'waiting_confirm', 'processing'].includes(s.status), FLOW_TIMEOUT_MS, POLL_MS);
      if (done.status !== 'success') throw new Error(`payout ended ${JSON.stringify(done)}`);
      return { endToEndMs: performance.now() - started, updateMs };
    };

    const floorHistory = async (id: string) => historyFacts(await floorClient.workflow.getHandle(id).fetchHistory());
    const payoutHistory = async (reference: string) => historyFacts(await stack.client.workflow.getHandle(payoutWorkflowId(reference)).fetchHistory());

    // Warm-up (not measured): both workers load their bundles and V8 contexts, every connection is open.
    const warmFloor = Array.from({ length: WARMUP }, (_, i) => `bench-floor-${runId}-warm-${i}`);
    const warmPayouts = Array.from({ length: WARMUP }, (_, i) => `BENCH-${runId}-W${i}`);
    await Promise.all([...warmFloor.map(floorFlow), ...warmPayouts.map(payoutFlow)]);

    const ownRssBefore = process.memoryUsage().rss;
    const serverRssBefore = processRss(server.pid) ?? 0;

    process.stdout.write(`floor: ${N} workflows...\n`);
    const floorIds = Array.from({ length: N }, (_, i) => `bench-floor-${runId}-${i}`);
    const floor = await phase(server.pid, floorIds, floorFlow, floorHistory);
    // The floor's worker stops before the payouts run: it must not compete with them.
    floorWorker.shutdown();
    await floorRunning;
    floorWorker = undefined;

    process.stdout.write(`dongflow: ${N} payouts through the gateway...\n`);
    const references = Array.from({ length: N }, (_, i) => `BENCH-${runId}-${i}`);
    const payouts = await phase(server.pid, references, payoutFlow, payoutHistory);

    // The money invariant, on the provider's ledger: exactly one transfer per reference, nothing else.
    const wanted = new Set([...references, ...warmPayouts]);
    const transfers = (await sandbox.ledger()).filter((t) => t.reference_id !== null && wanted.has(t.reference_id));
    const perReference = new Map<string, number>();
    for (const t of transfers) perReference.set(t.reference_id!, (perReference.get(t.reference_id!) ?? 0) + 1);
    const ledgerProblems = [...wanted].filter((r) => perReference.get(r) !== 1).map((r) => `${r}: ${perReference.get(r) ?? 0} transfers`);
    const measuredTransfers = references.reduce((sum, r) => sum + (perReference.get(r) ?? 0), 0);

    const wfPerS = (r: PhaseResult) => (r.ok / r.wallMs) * 1000;
    const num = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
    // A floor that rounds to zero (a no-op activity starts at once) has no meaningful ratio.
    const ratio = (d: number, f: number, digits = 0) =>
      Number.isFinite(d) && Number.isFinite(f) && Number(f.toFixed(digits)) > 0 ? `×${(d / f).toFixed(d / f >= 100 ? 0 : 2)}` : '–';
    const row = (metric: string, f: number, d: number, digits = 0): [string, string, string, string] => [metric, num(f, digits), num(d, digits), ratio(d, f, digits)];
    const facts = (r: PhaseResult, pick: (h: HistoryFacts) => number[]) => r.history.flatMap(pick);
    const events = (r: PhaseResult) => r.history.map((h) => h.events);
    const retries = (r: PhaseResult) => r.history.reduce((sum, h) => sum + h.activityRetries, 0);

    const rows: [string, string, string, string][] = [
      ['completed / N', `${floor.ok}/${N}`, `${payouts.ok}/${N}`, ''],
      row('wall time (s)', floor.wallMs / 1000, payouts.wallMs / 1000, 2),
      row('throughput (workflows/s)', wfPerS(floor), wfPerS(payouts), 2),
      row('end-to-end latency p50 (ms)', percentile(floor.endToEnd, 50), percentile(payouts.endToEnd, 50)),
      row('end-to-end latency p99 (ms)', percentile(floor.endToEnd, 99), percentile(payouts.endToEnd, 99)),
      row('OTP update round trip p50 (ms)', percentile(floor.update, 50), percentile(payouts.update, 50)),
      row('OTP update round trip p99 (ms)', percentile(floor.update, 99), percentile(payouts.update, 99)),
      [
        'history events per workflow',
        range(events(floor)),
        range(events(payouts)),
        ratio(percentile(events(payouts), 50), percentile(events(floor), 50)),
      ],
      row('activity schedule-to-start p50 (ms)', percentile(facts(floor, (h) => h.activityScheduleToStart), 50), percentile(facts(payouts, (h) => h.activityScheduleToStart), 50)),
      row('activity schedule-to-start p99 (ms)', percentile(facts(floor, (h) => h.activityScheduleToStart), 99), percentile(facts(payouts, (h) => h.activityScheduleToStart), 99)),
      row('workflow task schedule-to-start p50 (ms)', percentile(facts(floor, (h) => h.workflowTaskScheduleToStart), 50), percentile(facts(payouts, (h) => h.workflowTaskScheduleToStart), 50)),
      row('workflow task schedule-to-start p99 (ms)', percentile(facts(floor, (h) => h.workflowTaskScheduleToStart), 99), percentile(facts(payouts, (h) => h.workflowTaskScheduleToStart), 99)),
      [`activity retries (all ${N})`, String(retries(floor)), String(retries(payouts)), ''],
      row('bench process CPU per workflow (ms)', floor.ownCpuMs / N, payouts.ownCpuMs / N, 1),
      row('Temporal server CPU per workflow (ms)', floor.serverCpuMs / N, payouts.serverCpuMs / N, 1),
      row('bench process RSS after phase (MB)', floor.ownRssAfter / MB, payouts.ownRssAfter / MB),
      row('bench process RSS peak in phase (MB)', floor.ownRssPeak / MB, payouts.ownRssPeak / MB),
      row('Temporal server RSS after phase (MB)', floor.serverRssAfter / MB, payouts.serverRssAfter / MB),
      row('Temporal server RSS peak in phase (MB)', floor.serverRssPeak / MB, payouts.serverRssPeak / MB),
    ];

    // Every Finan call is an activity attempt on the rate-limited task queue: that alone bounds the wall time.
    const finanCalls = payouts.history.reduce((sum, h) => sum + h.activityScheduleToStart.length + h.activityRetries, 0);
    const rateBoundS = finanCalls / config.finan.maxRequestsPerSecond;
    const cpu = cpus();
    const lines = [
      '',
      table(rows),
      '',
      `ledger: ${measuredTransfers} transfers for the ${N} measured references (${ledgerProblems.length === 0 ? 'exactly one each' : 'WRONG'}); ${WARMUP} warm-up payouts checked too`,
      `RSS before the phases (after start-up and warm-up): bench process ${(ownRssBefore / MB).toFixed(0)} MB (${(rssAtLaunch / MB).toFixed(0)} MB at launch), Temporal server ${(serverRssBefore / MB).toFixed(0)} MB`,
      `SQLite: ${sqliteMode(server.args)} (temporal server start-dev, ${server.args.includes('--db-filename') ? 'temporal.sqlite in the temp data folder' : 'no file'})`,
      `Finan rate limit: ${config.finan.maxRequestsPerSecond} activities/s on the Finan task queue (FINAN_MAX_REQUESTS_PER_SECOND; the floor has none): ` +
        `${finanCalls} Finan activity attempts need ≈${rateBoundS.toFixed(1)} s at that rate (${(((rateBoundS * 1000) / payouts.wallMs) * 100).toFixed(0)}% of the payouts' wall time)`,
      `driver: all ${N} at once, status read every ${POLL_MS} ms (floor: query; dongflow: GET /v1/payouts/{ref}), sandbox processingDelayMs=${PROCESSING_DELAY_MS}, log level ${config.logLevel} to a file`,
      `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown'}), ${(totalmem() / 1024 ** 3).toFixed(1)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));

    const problems = [
      ...floor.failures.map((f) => `floor ${f}`),
      ...payouts.failures.map((f) => `payout ${f}`),
      ...ledgerProblems.map((p) => `ledger ${p}`),
    ];
    if (problems.length > 0) {
      failed = true;
      process.stderr.write(`\nBENCH FAILED (${problems.length} problems):\n${problems.slice(0, 20).map((p) => `  ${p}`).join('\n')}\n`);
    }
  } catch (err) {
    failed = true;
    process.stderr.write(`\nBENCH FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } finally {
    floorWorker?.shutdown();
    await floorRunning?.catch(() => undefined);
    await floorConnection?.close().catch(() => undefined);
    await stack.stop();
    if (failed) process.stderr.write(`data folder kept for inspection: ${dataDir} (logs in ${logFile})\n`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
