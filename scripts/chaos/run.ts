/**
 * `npm run chaos`: payouts, payment requests and invoices through the gateway while, at seeded moments, the worker
 * is SIGKILLed, the gateway and the Temporal dev server (on its SQLite file) are killed and restarted, and Finan
 * and its webhooks misbehave (5xx, 429, latency, commit-then-drop, long outages; webhooks dropped, duplicated,
 * reordered, delayed). Then the money is checked against the sandbox, the histories against Temporal, and every
 * secret is looked for where it must not be. One table, written as JSON too.
 *   npm run chaos                         # 500 flows, seed from the clock (printed)
 *   npm run chaos -- --quick              # 40 flows, a couple of minutes (what CI runs)
 *   npm run chaos -- --seed 42 --flows 200 --out chaos/results/seed-42.json
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PAYOUT_DEFAULTS } from '../../workflows/payout/rules';
import type { Violation } from './checks';
import { historyFindings, moneyViolations, secretsSweep } from './checks';
import type { Driver, FlowRecord } from './flows';
import { invoiceFlow, payoutFlow, paymentRequestFlow } from './flows';
import type { Prng } from './prng';
import { prng } from './prng';
import type { ChaosStack } from './processes';
import { startChaosStack } from './processes';
import type { CustomerRecord, EinvoiceAccountRecord, SepayCallRecord } from './settings';
import { customerFlow, einvoiceAccountFlow, sepayCall, sepayConsent, settingsViolations } from './settings';

export interface ChaosOptions {
  seed: number;
  flows: number;
  /** Settings traffic on top of the money flows: Finan customers, Tingee e-invoice accounts, SePay company calls. */
  customers: number;
  einvoiceAccounts: number;
  sepayCalls: number;
  concurrency: number;
  /** Mean time between two chaos events. */
  meanGapMs: number;
  /** Process kills and restarts the run makes at least, however fast the traffic ends (the schedule goes on until then). */
  minProcessEvents: number;
  paymentTtlSeconds: number;
  otpTimeoutSeconds: number;
  reconcileEverySeconds: number;
  out?: string;
  keepDataDir?: boolean;
  log?: (line: string) => void;
}

export const QUICK: Omit<ChaosOptions, 'seed'> = { flows: 40, customers: 6, einvoiceAccounts: 4, sepayCalls: 6, concurrency: 20, meanGapMs: 5_000, minProcessEvents: 4, paymentTtlSeconds: 20, otpTimeoutSeconds: 30, reconcileEverySeconds: 10 };
export const FULL: Omit<ChaosOptions, 'seed'> = { flows: 500, customers: 60, einvoiceAccounts: 30, sepayCalls: 40, concurrency: 40, meanGapMs: 5_000, minProcessEvents: 20, paymentTtlSeconds: 30, otpTimeoutSeconds: 45, reconcileEverySeconds: 15 };

export interface ChaosReport {
  seed: number;
  flows: { total: number; payouts: number; paymentRequests: number; invoices: number; payments: number; customers: number; einvoiceAccounts: number; sepayCalls: number };
  finalStatuses: Record<string, number>;
  /** The longest time from start to a final status, in seconds, by kind of flow. */
  slowestSeconds: Record<string, number>;
  kills: { worker: number };
  restarts: { gateway: number; temporal: number };
  unexpectedExits: Record<string, number>;
  faults: { provider: number; webhook: number; sepayTokensExpired: number };
  histories: { read: number; workflowTaskFailures: number; benignWorkflowTaskFailures: number };
  secrets: { needles: number; searched: Record<string, number>; hits: number };
  violations: Violation[];
  wallSeconds: number;
  options: Omit<ChaosOptions, 'log' | 'out' | 'keepDataDir'>;
}

type ChaosEvent = 'kill-worker' | 'restart-gateway' | 'restart-temporal' | 'provider-fault' | 'webhook-fault';
const EVENTS: ChaosEvent[] = ['kill-worker', 'kill-worker', 'kill-worker', 'restart-gateway', 'restart-gateway', 'restart-temporal', 'provider-fault', 'provider-fault', 'webhook-fault'];

/** One of Finan's misbehaviours, on one of its calls or all of them. */
function providerFault(rng: Prng): Record<string, unknown> {
  const paths = [
    { method: 'POST', path: '/api/v1/payouts' },
    { method: 'POST', path: '/api/v1/payouts/:id/otps' },
    { method: 'GET', path: '/api/v1/payouts/:id' },
    { method: 'POST', path: '/api/v1/payments' },
    {},
  ];
  const where = rng.pick(paths);
  const kind = rng.int(0, 4);
  if (kind === 0) return { ...where, errorRate: 0.4, errorStatus: rng.pick([500, 502, 503]) };
  if (kind === 1) return { ...where, errorRate: 0.4, errorStatus: 429 };
  if (kind === 2) return { ...where, latencyMs: rng.int(500, 4_000) };
  if (kind === 3) return { ...where, commitThenDropRate: 0.5 };
  return { errorRate: 1, errorStatus: 503 };
}

function webhookFault(rng: Prng): Record<string, unknown> {
  return {
    dropRate: rng.pick([0, 0.5, 1]),
    duplicateRate: rng.pick([0, 0.5]),
    reorder: rng.chance(0.5),
    delayMs: rng.pick([0, 2_000, 8_000]),
  };
}

async function setFaults(stack: ChaosStack, faults: { rules: unknown[]; webhooks: Record<string, unknown> }): Promise<void> {
  await fetch(`${stack.sandboxUrl}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const began = Date.now();
  const rng = prng(options.seed);
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-chaos-'));
  log(`chaos: seed ${options.seed}, ${options.flows} flows, data in ${dataDir}`);
  const stack = await startChaosStack({
    dataDir,
    env: {
      DONGFLOW_PAYMENT_TTL: `${options.paymentTtlSeconds}s`,
      DONGFLOW_OTP_TIMEOUT: `${options.otpTimeoutSeconds}s`,
      DONGFLOW_RECONCILE_EVERY: `${options.reconcileEverySeconds}s`,
      // Finan's webhook retries (5, 10, 15 minutes) and settlement, scaled to seconds.
      SANDBOX_TIME_SCALE: '0.02',
    },
  });
  const counts = { worker: 0, gateway: 0, temporal: 0, provider: 0, webhook: 0, sepayTokensExpired: 0 };
  const customers: CustomerRecord[] = [];
  const einvoiceAccounts: EinvoiceAccountRecord[] = [];
  const sepayCalls: SepayCallRecord[] = [];
  let sepayAuthorizationCode: string | null = null;
  const records: FlowRecord[] = [];
  try {
    const driver: Driver = {
      gatewayUrl: stack.gatewayUrl,
      sandboxUrl: stack.sandboxUrl,
      apiKey: stack.apiKey,
      paymentTtlMs: options.paymentTtlSeconds * 1000,
      // A payout polls Finan with a backoff that reaches 10 minutes (PAYOUT_DEFAULTS.pollMaxIntervalMs): after an
      // outage, one such interval may pass before it reads the settled payout.
      boundMs: (options.paymentTtlSeconds + options.otpTimeoutSeconds) * 1000 + PAYOUT_DEFAULTS.pollMaxIntervalMs + 60_000,
    };
    // The flows, each with its own generator (forked in order, so the seed fixes every plan).
    const plans = Array.from({ length: options.flows }, (_, i) => {
      const own = rng.fork();
      const kind = own.next();
      const reference = `CHAOS-${options.seed}-${i}`;
      return async () => {
        records.push(await (kind < 0.45 ? payoutFlow(driver, own, `${reference}-PO`) : kind < 0.85 ? paymentRequestFlow(driver, own, `${reference}-PR`) : invoiceFlow(driver, own, `${reference}-INV`)));
      };
    });
    const chaosRng = rng.fork();
    // The settings traffic, forked after the money flows and the chaos (so adding it keeps their plans and schedule), spread over the run.
    const settingsPlans: (() => Promise<void>)[] = [
      ...Array.from({ length: options.customers }, (_, i) => {
        const own = rng.fork();
        return async () => void customers.push(await customerFlow(driver, own, `CHAOS-${options.seed}-${i}-CU`));
      }),
      ...Array.from({ length: options.einvoiceAccounts }, (_, i) => {
        const own = rng.fork();
        return async () => void einvoiceAccounts.push(await einvoiceAccountFlow(driver, own, `09${String(options.seed % 1000).padStart(3, '0')}${String(i).padStart(5, '0')}`));
      }),
      ...Array.from({ length: options.sepayCalls }, () => {
        const own = rng.fork();
        return async () => void sepayCalls.push(await sepayCall(driver, own));
      }),
    ];
    const mixRng = rng.fork();
    const sepayFaultRng = rng.fork();
    for (const plan of settingsPlans) plans.splice(mixRng.int(0, plans.length), 0, plan);
    // One consent before any SePay call, as the company's admin would give it.
    if (options.sepayCalls > 0) sepayAuthorizationCode = await sepayConsent(driver);
    let running = true;
    const traffic = (async () => {
      let next = 0;
      const lane = async () => {
        while (next < plans.length) {
          const plan = plans[next++]!;
          await plan();
          const ended = records.length + customers.length + einvoiceAccounts.length + sepayCalls.length;
          if (ended % 25 === 0) log(`chaos: ${ended}/${plans.length} flows ended`);
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, lane));
    })().finally(() => {
      running = false;
    });

    const faults = { rules: [] as unknown[], webhooks: {} as Record<string, unknown> };
    const chaos = (async () => {
      // The same seeded schedule whatever the machine's speed; on a fast machine it runs on past the traffic until the
      // run has made its minimum of process kills and restarts.
      const processEvents = () => counts.worker + counts.gateway + counts.temporal;
      const goOn = () => running || processEvents() < options.minProcessEvents;
      while (goOn()) {
        await new Promise((r) => setTimeout(r, chaosRng.int(options.meanGapMs / 2, (options.meanGapMs * 3) / 2)));
        if (!goOn()) break;
        const event = chaosRng.pick(EVENTS);
        log(`chaos: ${event}`);
        if (options.sepayCalls > 0 && sepayFaultRng.chance(0.3)) {
          // Every SePay access token expires: the next company call gets a 401 and dongflow refreshes.
          log('chaos: expire-sepay-tokens');
          await fetch(`${stack.sandboxUrl}/_sandbox/sepay/tokens/expire`, { method: 'POST' });
          counts.sepayTokensExpired++;
        }
        if (event === 'kill-worker') {
          await stack.kill('worker');
          counts.worker++;
          await new Promise((r) => setTimeout(r, chaosRng.int(200, 3_000)));
          await stack.start('worker');
        } else if (event === 'restart-gateway') {
          await stack.kill('gateway');
          counts.gateway++;
          await new Promise((r) => setTimeout(r, chaosRng.int(200, 2_000)));
          await stack.start('gateway');
        } else if (event === 'restart-temporal') {
          await stack.kill('temporal');
          counts.temporal++;
          await new Promise((r) => setTimeout(r, chaosRng.int(200, 2_000)));
          await stack.start('temporal');
        } else if (event === 'provider-fault') {
          faults.rules = [providerFault(chaosRng)];
          counts.provider++;
          await setFaults(stack, faults);
          await new Promise((r) => setTimeout(r, chaosRng.int(3_000, 15_000)));
          faults.rules = [];
          await setFaults(stack, faults);
        } else {
          faults.webhooks = webhookFault(chaosRng);
          counts.webhook++;
          await setFaults(stack, faults);
          await new Promise((r) => setTimeout(r, chaosRng.int(5_000, 20_000)));
          faults.webhooks = {};
          await setFaults(stack, faults);
        }
      }
    })();
    await traffic;
    await chaos;
    await fetch(`${stack.sandboxUrl}/_sandbox/faults`, { method: 'DELETE' });

    log('chaos: flows done; checking the money, the histories and the secrets');
    const money = await moneyViolations(stack, records);
    const history = await historyFindings(stack, records);
    const settings = await settingsViolations(driver, customers, einvoiceAccounts, sepayCalls);
    const sweep = await secretsSweep(stack, records, [
      ...[...new Set(einvoiceAccounts.flatMap((a) => a.passwords))].map((password): [string, string] => ['Tingee password', password]),
      ...(sepayAuthorizationCode ? [['SePay authorization code', sepayAuthorizationCode] as [string, string]] : []),
    ]);
    const violations = [
      ...money,
      ...settings,
      ...history.violations,
      ...sweep.hits.map((hit) => ({ invariant: 'no secret in logs, search attributes or raw history', reference: hit.where, detail: hit.secret })),
    ];
    const finalStatuses: Record<string, number> = {};
    for (const record of records) {
      const key = `${record.kind} ${record.finalStatus ?? 'not final'}`;
      finalStatuses[key] = (finalStatuses[key] ?? 0) + 1;
    }
    const slowestSeconds: Record<string, number> = {};
    for (const record of records.filter((r) => r.endedAt !== null)) {
      slowestSeconds[record.kind] = Math.max(slowestSeconds[record.kind] ?? 0, Math.round((record.endedAt! - record.startedAt) / 1000));
    }
    const { log: _log, out: _out, keepDataDir: _keep, ...shown } = options;
    const report: ChaosReport = {
      seed: options.seed,
      flows: {
        total: records.length + customers.length + einvoiceAccounts.length + sepayCalls.length,
        payouts: records.filter((r) => r.kind === 'payout').length,
        paymentRequests: records.filter((r) => r.kind === 'payment-request').length,
        invoices: records.filter((r) => r.kind === 'invoice').length,
        payments: records.reduce((n, r) => n + r.payments.length, 0),
        customers: customers.length,
        einvoiceAccounts: einvoiceAccounts.length,
        sepayCalls: sepayCalls.length,
      },
      finalStatuses,
      slowestSeconds,
      kills: { worker: counts.worker },
      restarts: { gateway: counts.gateway, temporal: counts.temporal },
      unexpectedExits: { ...stack.unexpectedExits },
      faults: { provider: counts.provider, webhook: counts.webhook, sepayTokensExpired: counts.sepayTokensExpired },
      histories: { read: history.histories, workflowTaskFailures: history.taskFailures, benignWorkflowTaskFailures: history.benignTaskFailures },
      secrets: { needles: sweep.needles, searched: sweep.searched, hits: sweep.hits.length },
      violations,
      wallSeconds: Math.round((Date.now() - began) / 1000),
      options: shown,
    };
    if (options.out) {
      mkdirSync(dirname(options.out), { recursive: true });
      writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
    }
    log(table(report));
    return report;
  } finally {
    await stack.stop();
    if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

export function table(report: ChaosReport): string {
  const rows: [string, string][] = [
    ['flows', `${report.flows.total} (${report.flows.payouts} payouts, ${report.flows.paymentRequests} payment requests, ${report.flows.invoices} invoices; ${report.flows.payments} payments made)`],
    ['settings flows', `${report.flows.customers} Finan customers, ${report.flows.einvoiceAccounts} Tingee e-invoice accounts, ${report.flows.sepayCalls} SePay company calls`],
    ['kills (worker SIGKILL)', String(report.kills.worker)],
    ['restarts (gateway / Temporal)', `${report.restarts.gateway} / ${report.restarts.temporal}`],
    ['faults (provider / webhook / SePay tokens expired)', `${report.faults.provider} / ${report.faults.webhook} / ${report.faults.sepayTokensExpired}`],
    ['unexpected exits', Object.entries(report.unexpectedExits).filter(([, n]) => n > 0).map(([p, n]) => `${p} ${n}`).join(', ') || '0'],
    ['histories read', `${report.histories.read} (workflow task failures: ${report.histories.workflowTaskFailures}, of which benign ${report.histories.benignWorkflowTaskFailures})`],
    ['secrets sweep', `${report.secrets.hits} hits (${report.secrets.needles} secrets in ${report.secrets.searched.logFiles} logs, ${report.secrets.searched.searchAttributeSets} search-attribute sets, ${report.secrets.searched.rawHistories} raw histories)`],
    ['slowest flow to end', Object.entries(report.slowestSeconds).map(([kind, s]) => `${kind} ${s} s`).join(', ')],
    ['violations', String(report.violations.length)],
    ['seed', String(report.seed)],
    ['wall time', `${report.wallSeconds} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const details = report.violations.slice(0, 20).map((v) => `  ✗ ${v.invariant}: ${v.reference} — ${v.detail}`);
  return ['', ...lines, ...details, ''].join('\n');
}

function parseArgs(argv: string[]): ChaosOptions {
  const quick = argv.includes('--quick');
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seed = value('--seed') !== undefined ? Number(value('--seed')) : Date.now() % 1_000_000;
  const base = quick ? QUICK : FULL;
  const flows = value('--flows') !== undefined ? Number(value('--flows')) : base.flows;
  if (!Number.isInteger(seed) || !Number.isInteger(flows) || flows < 1) throw new Error('--seed and --flows take whole numbers');
  return { ...base, seed, flows, out: resolve(value('--out') ?? join(__dirname, '..', '..', 'chaos', 'results', quick ? 'quick.json' : 'latest.json')), keepDataDir: argv.includes('--keep') };
}

if (require.main === module) {
  runChaos(parseArgs(process.argv.slice(2)))
    .then((report) => process.exit(report.violations.length === 0 ? 0 : 1))
    .catch((err: unknown) => {
      process.stderr.write(`chaos run failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(2);
    });
}
