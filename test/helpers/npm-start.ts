/**
 * `npm start` as a child process, as a developer runs it: on free ports and its own data folder, answering once it
 * prints that it is ready (its output is captured whole, for the tests that read it).
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports';

const root = resolve(__dirname, '../..');

export interface NpmStartPorts {
  temporal: number;
  ui: number;
  gateway: number;
  sandbox: number;
  metrics: number;
  codec: number;
}

export interface RunningNpmStart {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr together. */
  output(): string;
  ports: NpmStartPorts;
  dataDir: string;
  gatewayUrl: string;
  /** The development API key `npm start` printed. */
  apiKey: string;
}

/** Resolves once `npm start` says it is up; rejects with its output if it exits or is not up within 90 s. */
export async function startNpmStart(opts: { dataDir?: string; logLevel?: string } = {}): Promise<RunningNpmStart> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'dongflow-start-'));
  const [temporal, ui, gateway, sandbox, metrics, codec] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
      DONGFLOW_DATA_DIR: dataDir,
      TEMPORAL_PORT: String(temporal),
      TEMPORAL_UI_PORT: String(ui),
      GATEWAY_PORT: String(gateway),
      SANDBOX_PORT: String(sandbox),
      DONGFLOW_WORKER_METRICS_PORT: String(metrics),
      DONGFLOW_CODEC_PORT: String(codec),
      LOG_LEVEL: opts.logLevel ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start did not come up within 90 s:\n${out.slice(-4000)}`)), 90_000);
    const onExit = () => {
      clearTimeout(timer);
      fail(new Error(`npm start exited before it was up:\n${out.slice(-4000)}`));
    };
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('Press Ctrl-C to stop')) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      ready();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', onExit);
  });
  return {
    child,
    output: () => out,
    ports: { temporal, ui, gateway, sandbox, metrics, codec },
    dataDir,
    gatewayUrl: `http://127.0.0.1:${gateway}`,
    apiKey: /Development API key +(dfk_\S+)/.exec(out)![1]!,
  };
}
