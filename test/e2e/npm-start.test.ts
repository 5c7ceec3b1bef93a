/**
 * `npm start` as a developer runs it: it prints its URLs, serves, and on SIGTERM or Ctrl-C (SIGINT) stops
 * everything it started, the Temporal dev server included, leaving no port open.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startNpmStart } from '../helpers/npm-start';
import { freePort } from '../helpers/ports';

const root = resolve(__dirname, '../..');

async function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

/** `npm start` on free ports (test/helpers/npm-start.ts), with its ports as a list to check each one. */
async function startStack(dataDir?: string): Promise<{ child: ChildProcess; output: () => string; ports: number[]; dataDir: string }> {
  const started = await startNpmStart({ dataDir });
  const { temporal, ui, gateway, sandbox, metrics, codec } = started.ports;
  return { child: started.child, output: () => started.output(), ports: [temporal, ui, gateway, sandbox, metrics, codec], dataDir: started.dataDir };
}

test.each(['SIGTERM', 'SIGINT'] as const)('on %s it stops everything it started, and prints where everything was', async (signal) => {
  const { child, output, ports, dataDir } = await startStack();
  try {
    const [temporal, ui, gateway, sandbox, metrics, codec] = ports as [number, number, number, number, number, number];
    expect(output()).toContain(`Gateway (REST API)   http://127.0.0.1:${gateway}`);
    expect(output()).toContain(`Temporal Web UI      http://127.0.0.1:${ui}`);
    expect(output()).toContain(`Provider sandbox     http://127.0.0.1:${sandbox}`);
    expect(output()).toMatch(/Development API key {2}dfk_/);
    // The codec server has its own loopback listener, and the Temporal CLI flags to read payloads through it.
    expect(output()).toContain(`Codec server         http://127.0.0.1:${codec}/codec  (loopback only, no token)`);
    expect(output()).toContain(`Temporal CLI flags   --address 127.0.0.1:${temporal} --namespace default --codec-endpoint http://127.0.0.1:${codec}/codec\n`);
    for (const port of ports) expect(await listening(port)).toBe(true);
    // Prometheus: the gateway's own metrics, and the worker's Temporal SDK metrics.
    expect(await (await fetch(`http://127.0.0.1:${gateway}/metrics`)).text()).toContain('dongflow_http_requests_total');
    expect(await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text()).toMatch(/^temporal_\w+/m);

    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    expect(await exited).toBe(0);
    expect(output()).toContain('Stopped.');
    for (const port of ports) expect(await listening(port)).toBe(false);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);

test('it starts again on its existing data folder, keeping the development key', async () => {
  const first = await startStack();
  try {
    const key = /Development API key {2}(dfk_\S+)/.exec(first.output())?.[1];
    expect(key).toBeTruthy();
    const stopped = new Promise((r) => first.child.once('exit', r));
    first.child.kill('SIGTERM');
    await stopped;
    const second = await startStack(first.dataDir);
    try {
      expect(second.output()).toContain(`Development API key  ${key}`);
    } finally {
      const exited = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    }
  } finally {
    if (first.child.exitCode === null) first.child.kill('SIGKILL');
    rmSync(first.dataDir, { recursive: true, force: true });
  }
}, 150_000);

test('with a public gateway and no DONGFLOW_API_KEYS it stops at once with one line, starting nothing', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'dongflow-refuse-')), 'data');
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, DONGFLOW_DATA_DIR: dataDir, GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: String(await freePort()), DONGFLOW_CODEC_HOST: '0.0.0.0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    const problems = out.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toEqual([
      '  - DONGFLOW_CODEC_AUTH_TOKEN is required when DONGFLOW_CODEC_HOST (0.0.0.0) is not a loopback address: the codec server decrypts every payload',
    ]);
    // The codec problem is reported by the loader; once fixed, the API-key one is next, also in one line.
    const again = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, DONGFLOW_DATA_DIR: dataDir, GATEWAY_HOST: '0.0.0.0', GATEWAY_PORT: String(await freePort()) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out2 = '';
    again.stderr.on('data', (chunk: Buffer) => (out2 += chunk.toString()));
    expect(await new Promise<number | null>((r) => again.once('exit', (c) => r(c)))).toBe(2);
    expect(out2.split('\n').filter((line) => line.startsWith('  - '))).toEqual([
      expect.stringMatching(/^ {2}- DONGFLOW_API_KEYS is required when GATEWAY_HOST \(0\.0\.0\.0\) is not a loopback address: /),
    ]);
    expect(existsSync(dataDir)).toBe(false);
  } finally {
    rmSync(dirname(dataDir), { recursive: true, force: true });
  }
}, 60_000);
