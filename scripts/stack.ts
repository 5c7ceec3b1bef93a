/**
 * The whole dongflow stack in one process: the embedded Temporal dev server (a child process, unless
 * TEMPORAL_ADDRESS points elsewhere), the provider sandbox (unless FINAN_BASE_URL is set), the worker and the gateway.
 * `npm start` and the end-to-end tests both use it, so the tests exercise what developers run.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { PayoutsClient } from '../client/payouts';
import type { PaymentsClient } from '../client/payments';
import { FINAN_WEBHOOK_PATH } from '../client/gateway/routes/webhooks';
import { codecEndpointFor, serveGateway } from '../client/gateway/serve';
import { checkSearchAttributes, ensureSearchAttributes } from '../client/setup';
import type { Config } from '../config/env';
import { ConfigError, gatewayProblems } from '../config/env';
import type { Logger } from '../config/logger';
import { temporalAddress, temporalConnectionOptions } from '../config/temporal';
import { FinanClient } from '../providers/finan/client';
import { destroyHttpAgents } from '../providers/http';
import { TingeeClient } from '../providers/tingee/client';
import { SepayClient } from '../providers/sepay/client';
import { startSandbox } from '../sandbox/server';
import type { RunningSandbox, SandboxOptions } from '../sandbox/server';
import { installTemporalRuntime } from '../workers/logging';
import { createDongflowWorkers } from '../workers/worker';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/common/search-attributes';
import { dataConverterFor } from '../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../codec/keys';
import type { FinanAccess } from './finan-access';
import { checkFinanAccess } from './finan-access';
import { temporalCliPath } from './temporal-binaries';

export interface StackOptions {
  config: Config;
  logger: Logger;
  /** Sandbox behaviour (e.g. a short processing delay in tests). */
  sandbox?: SandboxOptions;
  /** Run the worker in this process (default). Off when workers run as processes of their own. */
  runWorker?: boolean;
}

export interface RunningStack {
  temporalAddress: string;
  /** Set when the embedded dev server runs. */
  temporalUiUrl: string | undefined;
  gatewayUrl: string;
  /** Set when the sandbox runs. */
  sandboxUrl: string | undefined;
  /** The embedded default's development API key; undefined when DONGFLOW_API_KEYS is configured. */
  devApiKey: string | undefined;
  /** The codec server's endpoint (its own listener), for `--ui-codec-endpoint` and `temporal --codec-endpoint`. */
  codecEndpoint: string;
  finanBaseUrl: string;
  tingeeBaseUrl: string;
  sepayBaseUrl: string;
  /** Against real Finan: the outcome of start-up's signed read. Undefined on the sandbox. */
  finanAccess: FinanAccess | undefined;
  client: Client;
  payouts: PayoutsClient;
  payments: PaymentsClient;
  stop(): Promise<void>;
}

const DEV_SERVER_READY_TIMEOUT_MS = 60_000;

/** Starts `temporal server start-dev` with a SQLite file under the data folder and waits until it answers. */
async function startDevServer(config: Config, logger: Logger): Promise<ChildProcess> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const { port, uiPort } = config.temporal.embedded;
  const args = [
    'server', 'start-dev',
    '--db-filename', resolve(dataDir, 'temporal.sqlite'),
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--namespace', config.temporal.namespace,
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=NORMAL',
    '--dynamic-config-value', 'frontend.enableExecuteMultiOperation=true',
    '--log-level', 'warn',
    // The UI (a browser on this machine) decodes payloads through the codec server's own listener.
    '--ui-codec-endpoint', codecEndpointFor(config),
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${key.type === 'INT' ? 'Int' : 'Keyword'}`]),
  ];
  const log = openSync(resolve(dataDir, 'temporal-server.log'), 'a');
  const child = spawn(temporalCliPath(), args, { stdio: ['ignore', log, log] });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`The Temporal dev server exited (code ${code}); see ${dataDir}/temporal-server.log`))),
  );
  exited.catch(() => undefined);
  const deadline = Date.now() + DEV_SERVER_READY_TIMEOUT_MS;
  for (;;) {
    try {
      const probe = await Promise.race([Connection.connect({ address: `127.0.0.1:${port}`, connectTimeout: 1_000 }), exited]);
      await probe.close();
      break;
    } catch (err) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        throw err;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  logger.debug({ port, uiPort }, 'Temporal dev server ready');
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startStack({ config, logger, sandbox: sandboxOptions, runWorker = true }: StackOptions): Promise<RunningStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, 'error while stopping');
      }
    }
  };
  // Checked before anything starts: only the embedded sandbox on a loopback gateway may make itself a development key.
  const problems = gatewayProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  installTemporalRuntime(logger, { metricsPort: config.workerMetricsPort });
  // Runs last on stop: the pooled keep-alive sockets to Finan (or the sandbox) go once nothing uses them.
  cleanups.push(async () => destroyHttpAgents());
  try {
    if (!config.temporal.address) {
      const devServer = await startDevServer(config, logger);
      cleanups.push(() => stopChild(devServer));
    }
    const keyRing = config.security.encryptionKeys ?? loadOrCreateLocalKeyRing(resolve(config.dataDir));
    const dataConverter = dataConverterFor(keyRing);
    const connectionOptions = temporalConnectionOptions(config);
    const connection = await Connection.connect(connectionOptions);
    cleanups.push(() => connection.close());
    // Only the embedded dev server is ours to change; elsewhere `npx dongflow setup` registers, start-up checks.
    if (config.temporal.address) await checkSearchAttributes(connection, config.temporal.namespace);
    else await ensureSearchAttributes(connection, config.temporal.namespace);
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });

    let sandbox: RunningSandbox | undefined;
    if (!config.finan.baseUrl || !config.tingee.baseUrl || !config.sepay.baseUrl) {
      // The sandbox plays Finan with the credentials we are configured with (FINAN_CLIENT_ID / FINAN_SECRET_KEY or
      // its defaults): its payment webhooks go to our gateway, signed like Finan's with our first webhook secret.
      const gatewayHost = ['0.0.0.0', '::'].includes(config.gateway.host) ? '127.0.0.1' : config.gateway.host;
      sandbox = await startSandbox({
        ...sandboxOptions,
        finan: {
          webhookUrl: `http://${gatewayHost.includes(':') ? `[${gatewayHost}]` : gatewayHost}:${config.gateway.port}${FINAN_WEBHOOK_PATH}`,
          clientId: config.finan.clientId,
          secretKey: config.finan.secretKey,
          webhookSecret: config.finan.webhookSecrets[0],
          ...sandboxOptions?.finan,
        },
        // Tingee played with the credentials we sign with (TINGEE_CLIENT_ID / TINGEE_SECRET_KEY or its defaults).
        tingee: { clientId: config.tingee.clientId, secretKey: config.tingee.secretKey, ...sandboxOptions?.tingee },
        // SePay's sandbox knows our OAuth client and sends the browser back to our callback only.
        // Its grants live in the data folder: SePay outlives our processes, so a consent survives a restart.
        sepay: {
          clientId: config.sepay.clientId,
          clientSecret: config.sepay.clientSecret,
          redirectUri: config.sepay.redirectUri,
          stateFile: resolve(config.dataDir, 'sandbox-sepay.json'),
          ...sandboxOptions?.sepay,
        },
        port: config.sandbox.port,
        host: config.sandbox.host,
      });
      cleanups.push(() => sandbox!.close());
    }
    const finanBaseUrl = config.finan.baseUrl ?? sandbox!.finanBaseUrl;
    const sepayBaseUrl = config.sepay.baseUrl ?? sandbox!.sepayBaseUrl;
    const sepay = new SepayClient({
      baseUrl: sepayBaseUrl,
      clientId: config.sepay.clientId,
      clientSecret: config.sepay.clientSecret,
      redirectUri: config.sepay.redirectUri,
      timeoutMs: config.sepay.timeoutMs,
      maxRequestsPerSecond: config.sepay.maxRequestsPerSecond,
    });
    const finan = new FinanClient({
      baseUrl: finanBaseUrl,
      clientId: config.finan.clientId,
      secretKey: config.finan.secretKey,
      timeoutMs: config.finan.timeoutMs,
    });
    const tingeeBaseUrl = config.tingee.baseUrl ?? sandbox!.tingeeBaseUrl;
    const tingee = new TingeeClient({ baseUrl: tingeeBaseUrl, clientId: config.tingee.clientId, secretKey: config.tingee.secretKey, timeoutMs: config.tingee.timeoutMs });
    // Against real Finan, one signed read says now whether our credentials and IP are accepted.
    const finanAccess = config.finan.baseUrl ? await checkFinanAccess(finan, finanBaseUrl) : undefined;
    if (finanAccess) logger[finanAccess.ok ? 'info' : 'warn']({ problem: finanAccess.problem }, finanAccess.line);

    if (runWorker) {
      const nativeConnection = await NativeConnection.connect(connectionOptions);
      cleanups.push(() => nativeConnection.close());
      const workers = await createDongflowWorkers({
        connection: nativeConnection,
        namespace: config.temporal.namespace,
        finan,
        finanMaxRequestsPerSecond: config.finan.maxRequestsPerSecond,
        tingee,
        tingeeMaxRequestsPerSecond: config.tingee.maxRequestsPerSecond,
        sepay,
        sepayMaxRequestsPerSecond: config.sepay.maxRequestsPerSecond,
        dataConverter,
      });
      const running = workers.run();
      running.catch((err) => logger.error({ err }, 'worker stopped with an error'));
      cleanups.push(async () => {
        workers.shutdown();
        await running.catch(() => undefined);
      });
    }

    const gateway = await serveGateway({ config, logger, connection, client, dataConverter });
    cleanups.push(() => gateway.close());
    return {
      temporalAddress: temporalAddress(config),
      temporalUiUrl: config.temporal.address ? undefined : `http://127.0.0.1:${config.temporal.embedded.uiPort}`,
      gatewayUrl: gateway.gatewayUrl,
      sandboxUrl: sandbox?.url,
      devApiKey: gateway.devApiKey,
      codecEndpoint: codecEndpointFor(config),
      finanBaseUrl,
      tingeeBaseUrl,
      sepayBaseUrl,
      finanAccess,
      client,
      payouts: gateway.payouts,
      payments: gateway.payments,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
