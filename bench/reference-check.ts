/**
 * `npm run bench:reference`: what the payout's reference check costs as a merchant's history at Finan grows.
 *
 * Before every create, a payout lists Finan's payouts and looks for its `reference_id` (Finan documents no filter
 * and no pagination on `GET /api/v1/payouts`). That is one call per creation attempt, whatever the history; its
 * bytes and time grow with the number of payouts Finan holds. This measures, against the sandbox, one check when
 * Finan holds 0, 1,000 and 10,000 payouts, beside the floor of the same run: one `GET /api/v1/payouts/:id` (what a
 * check would cost if Finan could filter). Prints a table and writes `bench/results/reference-check.json`.
 *
 * Environment: BENCH_REFERENCE_SIZES (comma-separated, default 0,1000,10000), BENCH_REFERENCE_REPEATS (5).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { finanAuthHeaders } from '../providers/finan/sign';
import { FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../sandbox/server';

const SIZES = (process.env.BENCH_REFERENCE_SIZES ?? '0,1000,10000').split(',').map((s) => Number(s.trim()));
const REPEATS = Number(process.env.BENCH_REFERENCE_REPEATS ?? 5);
const CLIENT_ID = 'bench-client';
const SECRET = 'bench-secret';

async function main(): Promise<void> {
  if (SIZES.some((n) => !Number.isInteger(n) || n < 0)) throw new Error('BENCH_REFERENCE_SIZES must be non-negative integers');
  const sandbox = await startSandbox({ port: 0, finan: { clientId: CLIENT_ID, secretKey: SECRET } });
  const base = sandbox.finanBaseUrl;

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; bytes: number; ms: number; json: unknown }> => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers = finanAuthHeaders({ clientId: CLIENT_ID, secretKey: SECRET, method, path, payload, nowSeconds: Date.now() / 1000 });
    const started = performance.now();
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : payload });
    const text = await response.text();
    return { status: response.status, bytes: Buffer.byteLength(text), ms: performance.now() - started, json: JSON.parse(text) };
  };
  const create = async (referenceId: string): Promise<string> => {
    const created = await call('POST', '/api/v1/payouts', {
      account_id: FINAN_SOURCE_ACCOUNT_ID,
      amount: 10_000,
      beneficiary_account_name: 'NGUYEN VAN A',
      beneficiary_account_number: '1234567890',
      beneficiary_bank_id: '161',
      currency: 'VND',
      reference_id: referenceId,
      description: 'bench',
    });
    if (created.status !== 200) throw new Error(`create answered ${created.status}`);
    return (created.json as { data: { id: string } }).data.id;
  };
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  const rows: { payoutsAtFinan: number; callsPerCheck: number; checkBytes: number; checkMs: number; floorBytes: number; floorMs: number; ratioMs: number }[] = [];
  let held = 0;
  const probeId = await create('BENCH-PROBE');
  held += 1;
  for (const size of SIZES.sort((a, b) => a - b)) {
    while (held < size) {
      await Promise.all(Array.from({ length: Math.min(50, size - held) }, (_, i) => create(`BENCH-${held + i}`)));
      held = Math.min(size, held + 50);
    }
    const checks = [];
    const floors = [];
    for (let i = 0; i < REPEATS; i++) {
      checks.push(await call('GET', '/api/v1/payouts'));
      floors.push(await call('GET', `/api/v1/payouts/${probeId}`));
    }
    const checkMs = median(checks.map((c) => c.ms));
    const floorMs = median(floors.map((c) => c.ms));
    rows.push({
      payoutsAtFinan: held,
      callsPerCheck: 1,
      checkBytes: checks[0]!.bytes,
      checkMs: Math.round(checkMs * 10) / 10,
      floorBytes: floors[0]!.bytes,
      floorMs: Math.round(floorMs * 10) / 10,
      ratioMs: Math.round((checkMs / floorMs) * 10) / 10,
    });
  }
  await sandbox.close();

  process.stdout.write('\nReference check before each payout create (GET /api/v1/payouts, filtered here), against the sandbox\n');
  process.stdout.write('payouts at Finan | calls | bytes      | ms (median) | floor: GET /payouts/:id bytes, ms | ratio (ms)\n');
  for (const r of rows) {
    process.stdout.write(
      `${String(r.payoutsAtFinan).padStart(16)} | ${String(r.callsPerCheck).padStart(5)} | ${String(r.checkBytes).padStart(10)} | ${String(r.checkMs).padStart(11)} | ${String(r.floorBytes).padStart(6)} B, ${String(r.floorMs).padStart(6)} ms | ×${r.ratioMs}\n`,
    );
  }
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'reference-check.json'),
    `${JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) }, repeats: REPEATS, rows }, null, 2)}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
