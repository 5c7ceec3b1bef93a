/**
 * The chaos run's stack as separate OS processes it can SIGKILL: the Temporal dev server on a SQLite file that
 * survives its restarts, the sandbox (never killed: it holds the providers' truth), the worker and the gateway.
 * Every process logs to a file in the run's data folder, which the secrets sweep reads afterwards.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { API_KEY_SCOPES } from '../../config/api-keys';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/common/search-attributes';
import { temporalCliPath } from '../temporal-binaries';

const ROOT = resolve(__dirname, '..', '..');

export type ProcessName = 'temporal' | 'sandbox' | 'worker' | 'gateway';

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Every secret the processes are configured with: the sweep looks for each of them afterwards. */
export interface ChaosSecrets {
  finanSecretKey: string;
  apiKey: string;
  encryptionKey: string;
}

export interface ChaosStack {
  gatewayUrl: string;
  sandboxUrl: string;
  temporalAddress: string;
  apiKey: string;
  finanClientId: string;
  secrets: ChaosSecrets;
  /** The encryption key ring, for a client that decodes payloads. */
  encryptionKeys: string;
  logFiles: Record<ProcessName, string>;
  /** Exits nobody asked for (a process that died by itself), by process. */
  unexpectedExits: Record<ProcessName, number>;
  kill(name: Exclude<ProcessName, 'sandbox'>, signal?: NodeJS.Signals): Promise<void>;
  start(name: Exclude<ProcessName, 'sandbox'>): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosStack(opts: { dataDir: string; env: Record<string, string> }): Promise<ChaosStack> {
  const ports = { temporal: await freePort(), ui: await freePort(), gateway: await freePort(), sandbox: await freePort(), codec: await freePort(), metrics: await freePort() };
  const apiKey = `dfk_${randomBytes(32).toString('base64url')}`;
  const encryptionKey = randomBytes(32).toString('base64');
  const finanSecretKey = `chaos-finan-${randomBytes(12).toString('hex')}`;
  const finanClientId = 'chaos-client';
  const temporalAddress = `127.0.0.1:${ports.temporal}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    TEMPORAL_ADDRESS: temporalAddress,
    DONGFLOW_DATA_DIR: opts.dataDir,
    DONGFLOW_ENCRYPTION_KEYS: `chaos:${encryptionKey}`,
    DONGFLOW_API_KEYS: JSON.stringify([{ name: 'chaos', sha256: createHash('sha256').update(apiKey).digest('hex'), scopes: [...API_KEY_SCOPES] }]),
    FINAN_CLIENT_ID: finanClientId,
    FINAN_SECRET_KEY: finanSecretKey,
    SANDBOX_PORT: String(ports.sandbox),
    GATEWAY_PORT: String(ports.gateway),
    DONGFLOW_CODEC_PORT: String(ports.codec),
    DONGFLOW_WORKER_METRICS_PORT: String(ports.metrics),
    SANDBOX_FINAN_WEBHOOK_URL: `http://127.0.0.1:${ports.gateway}/webhooks/finan`,
    LOG_LEVEL: 'info',
    SANDBOX_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const logFiles: Record<ProcessName, string> = {
    temporal: join(opts.dataDir, 'temporal-server.log'),
    sandbox: join(opts.dataDir, 'sandbox.log'),
    worker: join(opts.dataDir, 'worker.log'),
    gateway: join(opts.dataDir, 'gateway.log'),
  };
  const commands: Record<ProcessName, () => [string, string[]]> = {
    temporal: () => [
      temporalCliPath(),
      [
        'server', 'start-dev',
        '--db-filename', join(opts.dataDir, 'temporal.sqlite'),
        '--ip', '127.0.0.1', '--port', String(ports.temporal), '--ui-port', String(ports.ui),
        '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL',
        '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
        '--log-level', 'warn',
        ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${key.type === 'INT' ? 'Int' : 'Keyword'}`]),
      ],
    ],
    sandbox: () => [process.execPath, ['--import', 'tsx', join(ROOT, 'sandbox/main.ts')]],
    worker: () => [process.execPath, ['--import', 'tsx', join(ROOT, 'workers/main.ts')]],
    gateway: () => [process.execPath, ['--import', 'tsx', join(ROOT, 'client/gateway/main.ts')]],
  };
  const children = new Map<ProcessName, ChildProcess>();
  const killing = new Set<ChildProcess>();
  const unexpectedExits: Record<ProcessName, number> = { temporal: 0, sandbox: 0, worker: 0, gateway: 0 };
  let stopping = false;

  const spawnProcess = (name: ProcessName) => {
    const [command, args] = commands[name]();
    const log = openSync(logFiles[name], 'a');
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', log, log] });
    children.set(name, child);
    child.once('exit', () => {
      if (stopping || killing.has(child)) return;
      // A process that died by itself is counted and brought back: the run goes on, the table shows it.
      unexpectedExits[name]++;
      if (children.get(name) === child) setTimeout(() => void start(name).catch(() => undefined), 500);
    });
    return child;
  };

  async function waitFor(name: ProcessName): Promise<void> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        if (name === 'temporal') {
          const probe = await Connection.connect({ address: temporalAddress, connectTimeout: 1_000 });
          await probe.close();
          return;
        }
        if (name === 'sandbox' && (await fetch(`http://127.0.0.1:${ports.sandbox}/_sandbox/faults`)).ok) return;
        if (name === 'gateway' && (await fetch(`http://127.0.0.1:${ports.gateway}/healthz`)).status < 500) return;
        if (name === 'worker') return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${name} did not come up in 120 s; see ${logFiles[name]}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function start(name: ProcessName): Promise<void> {
    spawnProcess(name);
    await waitFor(name);
  }

  async function kill(name: ProcessName, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    killing.add(child);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(hard);
  }

  await start('temporal');
  await start('sandbox');
  await start('gateway');
  await start('worker');
  return {
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    sandboxUrl: `http://127.0.0.1:${ports.sandbox}`,
    temporalAddress,
    apiKey,
    finanClientId,
    secrets: { finanSecretKey, apiKey, encryptionKey },
    encryptionKeys: env.DONGFLOW_ENCRYPTION_KEYS!,
    logFiles,
    unexpectedExits,
    kill,
    start,
    stop: async () => {
      stopping = true;
      for (const name of ['gateway', 'worker', 'sandbox', 'temporal'] as const) await kill(name, 'SIGTERM');
    },
  };
}
