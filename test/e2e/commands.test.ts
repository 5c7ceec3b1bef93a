/**
 * The package's commands as a developer types them: `npm run gateway` serves the gateway alone against a running
 * Temporal and stops on Ctrl-C; `npx dongflow --help` prints the usage and succeeds.
 */
import { execFile, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { freePort } from '../helpers/ports';
import type { TestStack } from '../helpers/stack';
import { eventually, startTestStack } from '../helpers/stack';

const root = resolve(__dirname, '../..');
let stack: TestStack;

beforeAll(async () => {
  // Temporal (and the worker) to serve against; the gateway under test is a second one, in its own process.
  stack = await startTestStack();
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

test('npm run gateway serves the REST API, the OpenAPI document and health alone, and stops on Ctrl-C', async () => {
  const [gatewayPort, codecPort] = await Promise.all([freePort(), freePort()]);
  let out = '';
  const child = spawn('npm', ['run', '--silent', 'gateway'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_PORT: stack.temporalAddress.split(':').pop(),
      DONGFLOW_DATA_DIR: stack.dataDir, // the same local key ring as the stack: one encryption
      GATEWAY_PORT: String(gatewayPort),
      DONGFLOW_CODEC_PORT: String(codecPort),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<string>((r) => child.once('exit', (code, signal) => r(signal ?? String(code))));
  try {
    const deadline = Date.now() + 90_000;
    while (!out.includes('Development API key')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`npm run gateway did not come up:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = `http://127.0.0.1:${gatewayPort}`;
    expect(out).toContain(`${url}/openapi.json`);
    const key = /Development API key {2}(\S+)/.exec(out)![1]!;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
    const started = await fetch(`${url}/v1/payouts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        referenceId: 'GATEWAY-ALONE-1', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 1_000_000, beneficiaryAccountName: 'NGUYEN VAN A',
        beneficiaryAccountNumber: '1234567890', beneficiaryBankId: '161', description: 'gateway alone',
      }),
    });
    expect(started.status).toBe(202);
    // The stack's worker runs it: the flow is in Temporal, not in the gateway.
    expect((await stack.payouts.getPayout('GATEWAY-ALONE-1')).referenceId).toBe('GATEWAY-ALONE-1');
    // Ctrl-C: the terminal signals the whole process group (npm, its shell, tsx, the gateway), which stops.
    process.kill(-child.pid!, 'SIGINT');
    expect(['0', '130', 'SIGINT']).toContain(await exited);
    const closed = await eventually(
      () => fetch(`${url}/healthz`).then(() => false, () => true),
      (refused) => refused,
      10_000,
    );
    expect(closed).toBe(true);
  } finally {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  }
}, 180_000);

test('npx dongflow --help prints the usage and exits 0', async () => {
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'dongflow', '--help'], { cwd: root, env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  expect(stdout).toContain('Usage: npx dongflow <command>');
  expect(stdout).toContain('setup');
}, 60_000);
