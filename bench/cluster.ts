/**
 * `npm run bench:cluster`: the payout and payment scenarios through the gateway, side by side, in one run on the same
 * machine: the dev-server stack of `npm start` (one worker in-process) and the cluster of `npm run cluster` (Temporal
 * on PostgreSQL, TLS frontend, two history processes, two dongflow worker processes). The sandbox answers at once
 * (time scale 0) and the Finan rate cap is lifted, so what is measured is dongflow on Temporal.
 * Environment: BENCH_CLUSTER_N (flows per scenario, 30), BENCH_CLUSTER_CONCURRENCY (15).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from '../scripts/cluster/cluster';
import type { RunningCluster } from '../scripts/cluster/cluster';
import { ensureClusterTools } from '../scripts/cluster/tools';
import { flowsFor, freePorts } from '../test/cluster/flows';
import type { TestStack } from '../test/helpers/stack';
import { startTestStack } from '../test/helpers/stack';
import { closedLoop, percentile } from './stats';

const N = Number(process.env.BENCH_CLUSTER_N ?? 30);
const CONCURRENCY = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 15);
const POLL_MS = 100;
const UNCAPPED = '1000000';

const say = (line: string) => process.stdout.write(`${line}\n`);

interface Measured {
  rate: number;
  p50: number;
  p95: number;
  failed: number;
}

async function measure(target: { gatewayUrl: string; apiKey: string | undefined; sandboxUrl: string }, label: string): Promise<Record<'payouts' | 'payments', Measured>> {
  const flows = flowsFor(target, POLL_MS);
  const run = `${label}-${Date.now().toString(36)}`.toUpperCase();
  const payout = async (ref: string) => {
    const started = performance.now();
    await flows.startPayout(ref);
    await flows.submitOtp(ref, await flows.waitingForOtp(ref));
    const status = await flows.payoutFinal(ref);
    if (status !== 'success') throw new Error(`${ref} ended ${status}`);
    return performance.now() - started;
  };
  const payment = async (ref: string) => {
    const started = performance.now();
    await flows.pay(await flows.requestPayment(ref));
    const counted = await flows.paymentCounted(ref);
    if (counted.status !== 'paid') throw new Error(`${ref} is ${counted.status}`);
    return performance.now() - started;
  };
  // Warm-up: connections open, workflow code loaded on every worker.
  await Promise.all([0, 1, 2, 3].map((i) => payout(`${run}-WARM-${i}`)));
  await Promise.all([0, 1, 2, 3].map((i) => payment(`${run}-WARM-ORDER-${i}`)));
  const scenario = async (name: string, flow: (ref: string) => Promise<number>): Promise<Measured> => {
    const { outcomes, wallMs } = await closedLoop(N, CONCURRENCY, (i) => flow(`${run}-${name}-${i}`));
    const ms = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const result = { rate: (ms.length / wallMs) * 1000, p50: percentile(ms, 50), p95: percentile(ms, 95), failed: N - ms.length };
    say(`  ${label} ${name}: ${ms.length}/${N} in ${(wallMs / 1000).toFixed(1)} s = ${result.rate.toFixed(2)}/s, p50 ${(result.p50 / 1000).toFixed(2)} s, p95 ${(result.p95 / 1000).toFixed(2)} s`);
    return result;
  };
  return { payouts: await scenario('PAYOUT', payout), payments: await scenario('ORDER', payment) };
}

async function main(): Promise<void> {
  say(`bench:cluster: ${N} flows per scenario, ${CONCURRENCY} at once; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  const tools = ensureClusterTools(say);
  let failed = false;
  const results: Record<string, Record<'payouts' | 'payments', Measured>> = {};

  say('dev server (npm start: one Temporal process on SQLite, one worker in-process)...');
  let stack: TestStack | undefined;
  try {
    stack = await startTestStack({ env: { FINAN_MAX_REQUESTS_PER_SECOND: UNCAPPED, LOG_LEVEL: 'warn' }, sandbox: { timeScale: 0 } });
    results['dev server, 1 worker'] = await measure({ gatewayUrl: stack.gatewayUrl, apiKey: stack.devApiKey, sandboxUrl: stack.sandboxUrl! }, 'DEV');
  } finally {
    await stack?.stop();
  }

  say('cluster (npm run cluster: PostgreSQL, 5 Temporal processes, TLS, two worker processes)...');
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-bench-cluster-'));
  chmodSync(dataDir, 0o755);
  let cluster: RunningCluster | undefined;
  let stopCluster: (() => Promise<void>) | undefined;
  try {
    cluster = await startCluster({
      tools,
      dataDir,
      ports: await freePorts(),
      mtls: false,
      say: () => undefined,
      logLevel: 'warn',
      dongflowEnv: { FINAN_MAX_REQUESTS_PER_SECOND: UNCAPPED, SANDBOX_TIME_SCALE: '0' },
      onStop: (stop) => (stopCluster = stop),
    });
    results['cluster, 2 workers'] = await measure(cluster, 'CLUSTER');
  } catch (err) {
    failed = true;
    say(`cluster run failed: ${(err as Error).message}`);
  } finally {
    await stopCluster?.();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const rows = Object.entries(results);
  const cell = (m: Measured) => `${m.rate.toFixed(2)}/s  p50 ${(m.p50 / 1000).toFixed(2)} s  p95 ${(m.p95 / 1000).toFixed(2)} s${m.failed ? `  ${m.failed} FAILED` : ''}`;
  say(`\n${'scenario'.padEnd(24)}${rows.map(([name]) => name.padEnd(40)).join('')}`);
  for (const scenario of ['payouts', 'payments'] as const) say(`${scenario.padEnd(24)}${rows.map(([, r]) => cell(r[scenario]).padEnd(40)).join('')}`);
  say(`load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  failed ||= rows.some(([, r]) => r.payouts.failed > 0 || r.payments.failed > 0);
  process.exit(failed ? 1 : 0);
}

void main();
