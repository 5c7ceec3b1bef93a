/** The same stack `npm start` runs, on free ports and a throw-away data folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config/env';
import { loadConfig } from '../../config/env';
import { createLogger } from '../../config/logger';
import type { SandboxOptions } from '../../sandbox/server';
import type { RunningStack } from '../../scripts/stack';
import { startStack } from '../../scripts/stack';
import { freePort } from './ports';

export interface TestStack extends RunningStack {
  dataDir: string;
}

/**
 * The embedded-default configuration on free ports and the given data folder, so several stacks (tests, the
 * benchmark) never collide with each other or with a developer's `npm start`.
 */
export async function isolatedConfig(dataDir: string, env: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    DONGFLOW_DATA_DIR: dataDir,
    TEMPORAL_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    SANDBOX_PORT: String(await freePort()),
    DONGFLOW_CODEC_PORT: String(await freePort()),
    DONGFLOW_WORKER_METRICS_PORT: String(await freePort()),
    ...env,
  });
}

export async function startTestStack(opts: { env?: Record<string, string>; sandbox?: SandboxOptions; runWorker?: boolean } = {}): Promise<TestStack> {
  // A free port can be taken by a parallel test between our probe and our listen: then the stack starts again on others.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startTestStackOnce(opts);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 3) throw err;
    }
  }
}

async function startTestStackOnce(opts: { env?: Record<string, string>; sandbox?: SandboxOptions; runWorker?: boolean }): Promise<TestStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dongflow-test-'));
  const config = await isolatedConfig(dataDir, { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...opts.env });
  let stack: RunningStack;
  try {
    stack = await startStack({
      config,
      logger: createLogger({ level: config.logLevel }),
      sandbox: { finan: { processingDelayMs: 300 }, ...opts.sandbox },
      runWorker: opts.runWorker,
    });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ...stack,
    dataDir,
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the gateway like a backend would: with the stack's API key unless told otherwise. */
export function gatewayApi(stack: { gatewayUrl: string; devApiKey?: string }) {
  const auth: Record<string, string> = stack.devApiKey ? { authorization: `Bearer ${stack.devApiKey}` } : {};
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { ...auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  return {
    call,
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body ?? {}, headers),
    get: (path: string) => call('GET', path),
  };
}

/** Polls `read` until `done` holds, or fails after `timeoutMs` (generous: CI machines are busy; it returns as soon as `done` holds). */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
    last = await read();
  }
  return last;
}
