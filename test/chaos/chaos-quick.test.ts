/**
 * The quick chaos run in CI (`npm run chaos -- --quick`): forty money flows and a few customer upserts, Tingee
 * account saves and SePay calls while the worker, the gateway and the
 * Temporal dev server are killed and restarted and Finan misbehaves; no invariant may break. A fixed seed keeps
 * the run repeatable (CHAOS_SEED picks another); the table names it.
 */
import { QUICK, runChaos } from '../../scripts/chaos/run';

test('the quick chaos run keeps every money, history and secrets invariant', async () => {
  const lines: string[] = [];
  const report = await runChaos({ ...QUICK, seed: Number(process.env.CHAOS_SEED ?? 11), log: (line) => lines.push(line) });
  console.log(lines.join('\n'));
  expect(report.flows.total).toBe(QUICK.flows + QUICK.customers + QUICK.einvoiceAccounts + QUICK.sepayCalls);
  expect(report.flows.customers + report.flows.einvoiceAccounts + report.flows.sepayCalls).toBeGreaterThan(0);
  expect(report.kills.worker + report.restarts.gateway + report.restarts.temporal).toBeGreaterThanOrEqual(4);
  expect(report.histories.read).toBeGreaterThanOrEqual(QUICK.flows);
  expect(report.secrets.searched.rawHistories).toBeGreaterThanOrEqual(QUICK.flows);
  expect(report.violations).toEqual([]);
}, 420_000);
