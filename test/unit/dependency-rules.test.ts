/**
 * The layer rules (.dependency-cruiser.cjs) bite: `npm run deps`'s own command, run on a small tree laid out like
 * dongflow's, passes on the tree as it should be and names every rule each broken file breaks.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const FOLDERS = ['workflows', 'activities', 'providers', 'workers', 'client', 'codec', 'config', 'sandbox'];

/** A tree that keeps every rule: one file per layer, each importing what its layer may. */
const LAWFUL: Record<string, string> = {
  'config/env.ts': "export interface Config { finanBaseUrl: string }\nexport const loadConfig = (): Config => ({ finanBaseUrl: '' });\n",
  'codec/keys.ts': "import { loadConfig } from '../config/env';\nexport const keys = loadConfig;\n",
  'providers/finan/rules.ts': 'export const OTP_PATTERN = /^\\d{6}$/;\n',
  'providers/finan/client.ts': "import type { Config } from '../../config/env';\nimport { OTP_PATTERN } from './rules';\nexport class FinanClient { constructor(readonly config: Config) {} otp = OTP_PATTERN; }\n",
  'workflows/payout/messages.ts': "import { defineSignal } from '@temporalio/workflow';\nexport const otpSignal = defineSignal<[string]>('otp');\n",
  'workflows/payout/rules.ts': "import { OTP_PATTERN } from '../../providers/finan/rules';\nexport const isOtp = (code: string) => OTP_PATTERN.test(code);\n",
  'activities/finan/payouts.ts':
    "import type { FinanClient } from '../../providers/finan/client';\nimport { isOtp } from '../../workflows/payout/rules';\nexport const createFinanPayoutActivities = ({ finan }: { finan: FinanClient }) => ({ async verify(code: string) { return isOtp(code) && finan !== null; } });\nexport type FinanPayoutActivities = ReturnType<typeof createFinanPayoutActivities>;\n",
  'workflows/payout/workflow.ts':
    "import { proxyActivities, setHandler } from '@temporalio/workflow';\nimport type { FinanPayoutActivities } from '../../activities/finan/payouts';\nimport { otpSignal } from './messages';\nimport { isOtp } from './rules';\nconst finan = proxyActivities<FinanPayoutActivities>({ startToCloseTimeout: '1 minute' });\nexport async function payoutWorkflow(): Promise<void> { setHandler(otpSignal, (code) => void (isOtp(code) && finan.verify(code))); }\n",
  'workflows/index.ts': "export { payoutWorkflow } from './payout/workflow';\n",
  'client/payouts.ts': "import { otpSignal } from '../workflows/payout/messages';\nexport const signal = otpSignal;\n",
  'workers/worker.ts':
    "import { createFinanPayoutActivities } from '../activities/finan/payouts';\nimport { signal } from '../client/payouts';\nimport { FinanClient } from '../providers/finan/client';\nexport const activities = createFinanPayoutActivities({ finan: new FinanClient({ finanBaseUrl: '' }) });\nexport const s = signal;\n",
  'sandbox/server.ts': "export const startSandbox = () => 'started';\n",
  'client/gateway/server.ts': "import { signal } from '../payouts';\nexport const gateway = signal;\n",
};

/** Each broken file, and the rules it must be caught by. */
const BROKEN: Record<string, { source: string; rules: string[] }> = {
  'workflows/payout/uses-client.ts': { source: "import { signal } from '../../client/payouts';\nexport const s = signal;\n", rules: ['workflows-deterministic', 'workflows-types-from-activities-only'] },
  'workflows/payout/uses-node.ts': { source: "import { randomUUID } from 'node:crypto';\nexport const id = randomUUID;\n", rules: ['workflows-deterministic'] },
  'workflows/invoice/messages.ts': { source: "import { payoutWorkflow } from '../payout/workflow';\nexport const w = payoutWorkflow;\n", rules: ['messages-without-workflow-code'] },
  'workflows/invoice/rules.ts': { source: "import { sleep } from '@temporalio/workflow';\nexport const wait = sleep;\n", rules: ['rules-are-pure'] },
  'activities/finan/uses-workflow-code.ts': { source: "import { payoutWorkflow } from '../../workflows/payout/workflow';\nexport const w = payoutWorkflow;\n", rules: ['activities-not-workflow-code'] },
  'providers/other/rules.ts': { source: "import { format } from 'node:util';\nexport const f = format;\n", rules: ['provider-rules-import-nothing'] },
  'codec/uses-provider.ts': { source: "import { FinanClient } from '../providers/finan/client';\nexport const c = FinanClient;\n", rules: ['codec-over-config-only'] },
  'client/uses-sandbox.ts': { source: "import { startSandbox } from '../sandbox/server';\nexport const s = startSandbox;\n", rules: ['nothing-runs-on-the-sandbox'] },
  'client/uses-worker.ts': { source: "import { activities } from '../workers/worker';\nexport const a = activities;\n", rules: ['client-below-scripts'] },
  'client/runs-activities.ts': { source: "import { createFinanPayoutActivities } from '../activities/finan/payouts';\nexport const c = createFinanPayoutActivities;\n", rules: ['client-activities-types-only'] },
  'workers/uses-gateway.ts': { source: "import { gateway } from '../client/gateway/server';\nexport const g = gateway;\n", rules: ['workers-not-gateway'] },
  'client/unresolvable.ts': { source: "import { nothing } from './nowhere';\nexport const n = nothing;\n", rules: ['not-to-unresolvable'] },
  'activities/finan/uses-client.ts': { source: "import { signal } from '../../client/payouts';\nexport const s = signal;\n", rules: ['activities-below-client'] },
  'config/uses-client.ts': { source: "import { signal } from '../client/payouts';\nexport const s = signal;\n", rules: ['config-at-the-bottom'] },
  'providers/finan/uses-workflow.ts': { source: "import { isOtp } from '../../workflows/payout/rules';\nexport const o = isOtp;\n", rules: ['providers-at-the-bottom'] },
  'providers/finan/uses-config-value.ts': { source: "import { loadConfig } from '../../config/env';\nexport const c = loadConfig;\n", rules: ['providers-config-types-only'] },
  'sandbox/uses-provider.ts': { source: "import { FinanClient } from '../providers/finan/client';\nexport const c = FinanClient;\n", rules: ['sandbox-shares-nothing'] },
  'client/circle-a.ts': { source: "import { b } from './circle-b';\nexport const a = () => b;\n", rules: ['no-circular'] },
  // A circle is reported once, at the module it was entered from; a type-only import closes it all the same.
  'client/circle-b.ts': { source: "import type { a } from './circle-a';\nexport const b: typeof a | null = null;\n", rules: [] },
};

/** `npm run deps` on a tree: its exit code and the `<rule> <from>` of every violation it printed. */
async function depcruise(tree: Record<string, string>): Promise<{ exitCode: number; violations: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dongflow-deps-'));
  try {
    for (const [path, source] of Object.entries(tree)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), source);
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', moduleResolution: 'node', strict: true, esModuleInterop: true } }));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    // `npm run deps`, with the repository's rule set, on the fixture tree.
    const args = [join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), '--config', join(ROOT, '.dependency-cruiser.cjs'), ...FOLDERS];
    let exitCode = 0;
    let output: string;
    try {
      output = (await promisify(execFile)(process.execPath, args, { cwd: dir })).stdout;
    } catch (err) {
      const failed = err as { code?: number; stdout?: string };
      if (typeof failed.code !== 'number' || failed.stdout === undefined) throw err;
      exitCode = failed.code;
      output = failed.stdout;
    }
    return { exitCode, violations: [...output.matchAll(/error ([\w-]+): (\S+) →/g)].map((m) => `${m[1]} ${m[2]}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the tree laid out as the rules want passes', async () => {
  const { exitCode, violations } = await depcruise(LAWFUL);
  expect(violations).toEqual([]);
  expect(exitCode).toBe(0);
}, 60_000);

test('every rule broken on purpose fails the check, naming the rule and the file', async () => {
  // Each rule of the rule set is broken by at least one file.
  const { forbidden } = (await import(join(ROOT, '.dependency-cruiser.cjs'))) as { forbidden: { name: string }[] };
  expect(new Set(Object.values(BROKEN).flatMap((b) => b.rules))).toEqual(new Set(forbidden.map((rule) => rule.name)));

  const tree = { ...LAWFUL, ...Object.fromEntries(Object.entries(BROKEN).map(([path, { source }]) => [path, source])) };
  const { exitCode, violations } = await depcruise(tree);
  expect(exitCode).not.toBe(0);
  const found = new Set(violations);
  const expected = new Set(Object.entries(BROKEN).flatMap(([path, { rules }]) => rules.map((rule) => `${rule} ${path}`)));
  expect([...found].sort()).toEqual([...expected].sort());
}, 60_000);
