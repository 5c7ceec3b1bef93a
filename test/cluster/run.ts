/**
 * `npm run test:cluster`: dongflow on the production shape (scripts/cluster), from a clean data folder on free ports,
 * with the frontend requiring mTLS. Through the gateway and the sandbox's controls, as a backend and a bank would:
 *   1. the payout and payment walkthroughs;
 *   2. exactly-once payouts while Finan commits then drops the connection;
 *   3. payouts and payments in flight while one history process and one dongflow worker are SIGKILLed and PostgreSQL
 *      restarts (the killed processes come back, as a supervisor would bring them).
 * Then the invariants against Finan's own lists and the sandbox's ledger: every flow in its final state, one Finan
 * payout and at most one transfer per reference, one Finan payment request per reference, every payment counted once.
 * Prints a table; exits 1 on any violation. The cluster's logs stay in the data folder when something fails.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSConfig } from '@temporalio/client';
import { Connection } from '@temporalio/client';
import { FinanClient } from '../../providers/finan/client';
import type { RunningCluster } from '../../scripts/cluster/cluster';
import { startCluster, TLS_SERVER_NAME } from '../../scripts/cluster/cluster';
import { ensureClusterTools } from '../../scripts/cluster/tools';
import { eventually } from '../helpers/stack';
import type { Flows } from './flows';
import { FLOW_DEADLINE_MS, flowsFor, freePorts, PAYMENT_AMOUNT } from './flows';


interface PhaseRow {
  phase: string;
  flows: number;
  kills: number;
  restarts: number;
  violations: string[];
  seconds: number;
}

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${String(Math.round((Date.now() - t0) / 1000)).padStart(4)}s] ${line}\n`);


/** The invariants, from Finan's own lists and the sandbox's ledger: one line per violation. */
/** Read afresh from the gateway, not from what the phase saw: a payment counted twice later would show here. */
async function violations(cluster: RunningCluster, flows: Flows, payoutRefs: Iterable<string>, paymentRefs: Iterable<string>): Promise<string[]> {
  const found: string[] = [];
  const finan = new FinanClient({ baseUrl: `${cluster.sandboxUrl}/finan/open`, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
  const listed = (await finan.listPayouts()).data;
  const ledger = await flows.sandbox.ledger();
  for (const ref of payoutRefs) {
    const status = await flows.payoutFinal(ref);
    if (status !== 'success') found.push(`payout ${ref} ended ${status}, not success`);
    const atFinan = listed.filter((p) => p.reference_id === ref).length;
    if (atFinan !== 1) found.push(`payout ${ref}: ${atFinan} payouts at Finan`);
    const transfers = ledger.filter((t) => t.reference_id === ref).length;
    if (transfers > 1 || (status === 'success' && transfers !== 1)) found.push(`payout ${ref}: ${transfers} transfers in the ledger`);
  }
  for (const ref of paymentRefs) {
    const state = await flows.paymentNow(ref);
    if (state.status !== 'paid') found.push(`payment request ${ref} is ${state.status}, not paid`);
    if (state.paidAmount !== PAYMENT_AMOUNT || state.payments !== 1) found.push(`payment request ${ref}: paid ${state.paidAmount} in ${state.payments} payments (one transfer of ${PAYMENT_AMOUNT} was made)`);
    const requests = (await finan.listPaymentRequests({ referenceId: ref })).data.length;
    if (requests !== 1) found.push(`payment request ${ref}: ${requests} payment requests at Finan`);
  }
  return found;
}

/** mTLS: dongflow's settings connect; without the client certificate, or with another server name, the frontend refuses. */
async function tlsViolations(cluster: RunningCluster): Promise<string[]> {
  const env = cluster.dongflowEnv;
  const ca = readFileSync(env.TEMPORAL_TLS_CA_PATH!);
  const pair = { crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH!), key: readFileSync(env.TEMPORAL_TLS_KEY_PATH!) };
  const connects = async (tls: TLSConfig | boolean) => {
    try {
      const c = await Connection.connect({ address: env.TEMPORAL_ADDRESS!, tls, connectTimeout: 5_000 });
      await c.workflowService.getSystemInfo({});
      await c.close();
      return true;
    } catch {
      return false;
    }
  };
  const found: string[] = [];
  if (!(await connects({ serverRootCACertificate: ca, serverNameOverride: TLS_SERVER_NAME, clientCertPair: pair }))) found.push('mTLS with the CA, server name and client certificate was refused');
  if (await connects({ serverRootCACertificate: ca, serverNameOverride: TLS_SERVER_NAME })) found.push('the frontend accepted a connection without a client certificate');
  if (await connects({ serverRootCACertificate: ca, serverNameOverride: 'not-the-frontend.example', clientCertPair: pair })) found.push('a server name the certificate does not carry was accepted');
  if (await connects(false)) found.push('the frontend accepted plaintext');
  return found;
}

async function main(): Promise<void> {
  const rows: PhaseRow[] = [];
  const tools = ensureClusterTools(say);
  say('cluster tools ready');
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-cluster-'));
  // PostgreSQL runs as its own user and must reach its folder inside.
  chmodSync(dataDir, 0o755);
  let cluster: RunningCluster | undefined;
  let stopCluster: (() => Promise<void>) | undefined;
  let failed = true;
  const stopAll = async () => {
    await stopCluster?.();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const started = Date.now();
    cluster = await startCluster({
      tools,
      dataDir,
      ports: await freePorts(),
      mtls: true,
      say,
      logLevel: 'warn',
      // Sandbox time runs 50 times faster: a webhook that failed during an outage is retried in 6 s, not 5 minutes.
      dongflowEnv: { SANDBOX_TIME_SCALE: '0.02' },
      onStop: (stop) => (stopCluster = stop),
    });
    say(`cluster up in ${Math.round((Date.now() - started) / 1000)} s (data ${dataDir})`);
    const flows = flowsFor(cluster);
    const run = Date.now().toString(36).toUpperCase();
    const allPayouts = new Map<string, string>();
    const allPayments = new Map<string, { status: string; paidAmount: number; payments: number }>();

    const phase = async (name: string, body: () => Promise<{ flows: number; kills?: number; restarts?: number; payouts: Map<string, string>; payments: Map<string, { status: string; paidAmount: number; payments: number }> }>) => {
      say(`phase: ${name}`);
      const begun = Date.now();
      const result = await body();
      result.payouts.forEach((v, k) => allPayouts.set(k, v));
      result.payments.forEach((v, k) => allPayments.set(k, v));
      const found = await violations(cluster!, flows, result.payouts.keys(), result.payments.keys());
      rows.push({ phase: name, flows: result.flows, kills: result.kills ?? 0, restarts: result.restarts ?? 0, violations: found, seconds: Math.round((Date.now() - begun) / 1000) });
      for (const v of found) say(`  VIOLATION ${v}`);
    };

    // 0. TLS as configured: only dongflow's CA, server name and client certificate get in.
    {
      const begun = Date.now();
      const found = await tlsViolations(cluster);
      rows.push({ phase: 'mTLS frontend: CA, server name, client cert', flows: 0, kills: 0, restarts: 0, violations: found, seconds: Math.round((Date.now() - begun) / 1000) });
    }

    // 1. The README's walkthroughs, a few at once.
    await phase('walkthroughs (payouts, payments)', async () => {
      const payoutRefs = [1, 2, 3].map((i) => `CL-${run}-WALK-${i}`);
      const paymentRefs = [1, 2, 3].map((i) => `CL-${run}-ORDER-${i}`);
      const payouts = new Map<string, string>();
      const payments = new Map<string, { status: string; paidAmount: number; payments: number }>();
      await Promise.all([
        ...payoutRefs.map(async (ref) => {
          await flows.startPayout(ref);
          await flows.submitOtp(ref, await flows.waitingForOtp(ref));
          payouts.set(ref, await flows.payoutFinal(ref));
        }),
        ...paymentRefs.map(async (ref) => {
          await flows.pay(await flows.requestPayment(ref));
          payments.set(ref, await flows.paymentCounted(ref));
        }),
      ]);
      return { flows: payoutRefs.length + paymentRefs.length, payouts, payments };
    });

    // 2. Finan commits, then the connection drops before its answer: retries must adopt, never pay twice.
    await phase('exactly-once, commit-then-drop', async () => {
      await flows.sandbox.setFaults({
        seed: 15,
        rules: [
          { method: 'POST', path: '/api/v1/payouts', commitThenDropRate: 0.3 },
          { method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 0.3 },
        ],
      });
      const refs = Array.from({ length: 8 }, (_, i) => `CL-${run}-DROP-${i}`);
      const payouts = new Map<string, string>();
      try {
        await Promise.all(
          refs.map(async (ref) => {
            await flows.startPayout(ref);
            await flows.submitOtp(ref, await flows.waitingForOtp(ref));
            payouts.set(ref, await flows.payoutFinal(ref));
          }),
        );
      } finally {
        await flows.sandbox.clearFaults();
      }
      return { flows: refs.length, payouts, payments: new Map() };
    });

    // 3. The cluster itself fails while flows are in flight.
    await phase('history + worker SIGKILL, PostgreSQL restart', async () => {
      const c = cluster!;
      const payoutRefs = Array.from({ length: 8 }, (_, i) => `CL-${run}-CHAOS-${i}`);
      const paymentRefs = Array.from({ length: 6 }, (_, i) => `CL-${run}-CHAOS-ORDER-${i}`);
      const payouts = new Map<string, string>();
      const payments = new Map<string, { status: string; paidAmount: number; payments: number }>();
      // Every flow started and waiting for its customer (an OTP, a bank transfer) before anything fails.
      await Promise.all(payoutRefs.map((ref) => flows.startPayout(ref)));
      const payoutIds = await Promise.all(payoutRefs.map((ref) => flows.waitingForOtp(ref)));
      const remarks = await Promise.all(paymentRefs.map((ref) => flows.requestPayment(ref)));

      say('  SIGKILL temporal-history-1 and dongflow-worker-1');
      await Promise.all([c.processes.get('temporal-history-1')!.stop('SIGKILL'), c.processes.get('dongflow-worker-1')!.stop('SIGKILL')]);
      const half = (n: number) => Math.ceil(n / 2);
      const finishing: Promise<void>[] = [];
      const finishPayout = (i: number) =>
        finishing.push(
          (async () => {
            await flows.submitOtp(payoutRefs[i]!, payoutIds[i]!);
            payouts.set(payoutRefs[i]!, await flows.payoutFinal(payoutRefs[i]!));
          })(),
        );
      const finishPayment = (i: number) =>
        finishing.push(
          (async () => {
            await flows.pay(remarks[i]!);
            payments.set(paymentRefs[i]!, await flows.paymentCounted(paymentRefs[i]!));
          })(),
        );
      // Half the customers act while a history process and a worker are gone.
      for (let i = 0; i < half(payoutRefs.length); i++) finishPayout(i);
      for (let i = 0; i < half(paymentRefs.length); i++) finishPayment(i);
      // Some of it has gone through the surviving history process before the database goes away.
      await eventually(async () => payouts.size + payments.size, (n) => n > 0, FLOW_DEADLINE_MS, 500);
      say('  restart PostgreSQL');
      await c.restartPostgres();
      for (let i = half(payoutRefs.length); i < payoutRefs.length; i++) finishPayout(i);
      for (let i = half(paymentRefs.length); i < paymentRefs.length; i++) finishPayment(i);
      say('  temporal-history-1 and dongflow-worker-1 back');
      c.processes.get('temporal-history-1')!.start();
      c.processes.get('dongflow-worker-1')!.start();
      await Promise.all(finishing);
      await c.waitForWorkers(2);
      return { flows: payoutRefs.length + paymentRefs.length, kills: 2, restarts: 3, payouts, payments };
    });

    // Earlier flows are still right after the failures (nothing re-ran, nothing paid again).
    const again = await violations(cluster, flows, allPayouts.keys(), allPayments.keys());
    rows.push({ phase: 'all flows re-checked at the end', flows: allPayouts.size + allPayments.size, kills: 0, restarts: 0, violations: again, seconds: 0 });
    failed = rows.some((r) => r.violations.length > 0);
  } catch (err) {
    say(`FAILED: ${(err as Error).stack ?? String(err)}`);
    for (const proc of cluster?.processes.values() ?? []) say(`--- ${proc.name} (${proc.running ? 'running' : 'stopped'}), last lines:\n${proc.logTail(8)}`);
  } finally {
    await stopAll();
    printTable(rows);
    if (failed) say(`cluster logs kept in ${dataDir}/logs`);
    else rmSync(dataDir, { recursive: true, force: true });
    say(`test:cluster ${failed ? 'FAILED' : 'passed'} in ${Math.round((Date.now() - t0) / 1000)} s`);
    process.exit(failed ? 1 : 0);
  }
}

function printTable(rows: PhaseRow[]): void {
  const header = ['phase', 'flows', 'kills', 'restarts', 'violations', 'seconds'];
  const lines = rows.map((r) => [r.phase, String(r.flows), String(r.kills), String(r.restarts), String(r.violations.length), String(r.seconds)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${lines.map(fmt).join('\n')}\n`);
  const total = rows.reduce((sum, r) => ({ kills: sum.kills + r.kills, restarts: sum.restarts + r.restarts, violations: sum.violations + r.violations.length }), { kills: 0, restarts: 0, violations: 0 });
  process.stdout.write(`total: ${total.kills} kills, ${total.restarts} restarts, ${total.violations} violations\n\n`);
  for (const r of rows) for (const v of r.violations) process.stdout.write(`  ${r.phase}: ${v}\n`);
}

void main();
