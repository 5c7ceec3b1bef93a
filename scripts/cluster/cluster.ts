/**
 * The production shape on one machine: PostgreSQL in a data folder of the project's own; the Temporal frontend (TLS,
 * mTLS when asked), two history processes sharing the shards, matching and the internal worker service as separate
 * processes meeting through membership on loopback; the Temporal UI server with dongflow's codec endpoint; dongflow's
 * sandbox, gateway and two worker processes. `npm run cluster` and `npm run test:cluster` both use it.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { generateApiKey, hashApiKey } from '../../client/gateway/api-keys';
import { FINAN_WEBHOOK_PATH } from '../../client/gateway/routes/webhooks';
import { API_KEY_SCOPES } from '../../config/api-keys';
import { loadConfig } from '../../config/env';
import { temporalConnectionOptions } from '../../config/temporal';
import { generateKey } from '../../codec/keys';
import type { ClusterTools } from './tools';

const projectRoot = resolve(__dirname, '../..');
export const TLS_SERVER_NAME = 'temporal.dongflow.internal';
const NAMESPACE = 'default';
const HISTORY_SHARDS = 4;

export interface ClusterPorts {
  postgres: number;
  frontend: number;
  frontendHttp: number;
  history: [number, number];
  matching: number;
  temporalWorker: number;
  /** Membership (ringpop) ports: frontend, history-1, history-2, matching, worker. Below 32768: stored as a smallint. */
  membership: [number, number, number, number, number];
  ui: number;
  gateway: number;
  sandbox: number;
  codec: number;
  workerMetrics: [number, number];
}

export const DEFAULT_PORTS: ClusterPorts = {
  postgres: 5544,
  frontend: 7233,
  frontendHttp: 7243,
  history: [7234, 7244],
  matching: 7235,
  temporalWorker: 7239,
  membership: [6933, 6934, 6944, 6935, 6939],
  ui: 8233,
  gateway: 3000,
  sandbox: 4010,
  codec: 8234,
  workerMetrics: [9464, 9465],
};

export interface ClusterOptions {
  tools: ClusterTools;
  /** Everything the cluster writes: database, certificates, configs, logs, keys. Kept across runs. */
  dataDir: string;
  ports: ClusterPorts;
  /** The frontend requires a client certificate; dongflow presents one. */
  mtls: boolean;
  say: (line: string) => void;
  logLevel?: string;
  /** Receives the stop function at once, so a Ctrl-C during start-up stops what has started. */
  onStop?: (stop: () => Promise<void>) => void;
  /** Extra environment for dongflow's processes (and the sandbox). */
  dongflowEnv?: Record<string, string>;
}

/** One process of the cluster: its log is `<dataDir>/logs/<name>.log`; it can be killed (`stop`) and started again (`start`). */
export class ClusterProcess {
  child: ChildProcess | undefined;
  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly logFile: string,
  ) {}

  start(): void {
    const log = openSync(this.logFile, 'a');
    // Its own process group: Ctrl-C reaches only this script, which stops everything in order.
    this.child = spawn(this.command, this.args, { cwd: projectRoot, env: this.env, stdio: ['ignore', log, log], detached: true });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Sends the signal and waits for the exit; SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

export interface RunningCluster {
  urls: Record<string, string>;
  /** The environment a dongflow process (or `npx dongflow`) needs to use this cluster. */
  dongflowEnv: Record<string, string>;
  /** The gateway's API key (every scope), kept in `<dataDir>/api-key`. */
  apiKey: string;
  gatewayUrl: string;
  sandboxUrl: string;
  processes: Map<string, ClusterProcess>;
  restartPostgres(): Promise<void>;
  /** Waits until both dongflow workers poll the workflow task queue. */
  waitForWorkers(count?: number): Promise<void>;
  stop(): Promise<void>;
}

class StartupFailure extends Error {}

/** True once something accepts TCP connections on 127.0.0.1:port. */
function tcpOpen(port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise();
    });
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs: number, onFail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      if (err instanceof StartupFailure) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = onFail?.() ?? '';
      throw new Error(`${what} not ready after ${Math.round(timeoutMs / 1000)} s: ${(lastError as Error)?.message ?? lastError}${detail ? `\n${detail}` : ''}`);
    }
    await sleep(500);
  }
}

async function httpOk(url: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

// --- PostgreSQL -------------------------------------------------------------------------------------------------

const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its commands run as the `postgres` user the Debian package made. */
function pgCommand(tools: ClusterTools, binary: string, args: string[]): { command: string; args: string[] } {
  const path = join(tools.postgresBin, binary);
  return asRoot ? { command: 'runuser', args: ['-u', 'postgres', '--', path, ...args] } : { command: path, args };
}

function pgRun(tools: ClusterTools, binary: string, args: string[]): void {
  const { command, args: full } = pgCommand(tools, binary, args);
  const result = spawnSync(command, full, { encoding: 'utf8', cwd: '/' });
  if (result.status !== 0) throw new Error(`${binary} ${args.join(' ')} failed:\n${result.stderr || result.stdout}`);
}

function postgresIsRunning(tools: ClusterTools, dir: string): boolean {
  const { command, args } = pgCommand(tools, 'pg_ctl', ['-D', dir, 'status']);
  return spawnSync(command, args, { cwd: '/' }).status === 0;
}

function startPostgres(tools: ClusterTools, dataDir: string, port: number): void {
  const dir = join(dataDir, 'postgres');
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=300`;
  const log = join(dataDir, 'logs', 'postgres.log');
  // pg_ctl opens its log as the user PostgreSQL runs as.
  closeSync(openSync(log, 'a'));
  if (asRoot) chownSync(log, userIds('postgres').uid, userIds('postgres').gid);
  pgRun(tools, 'pg_ctl', ['-D', dir, '-o', options, '-l', log, '-w', '-t', '60', 'start']);
}

function stopPostgres(tools: ClusterTools, dataDir: string): void {
  const dir = join(dataDir, 'postgres');
  if (postgresIsRunning(tools, dir)) pgRun(tools, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']);
}

function ensurePostgresData(tools: ClusterTools, dataDir: string, say: (l: string) => void): void {
  const dir = join(dataDir, 'postgres');
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  say(`Creating the PostgreSQL data folder ${dir}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    chownSync(dir, uid, gid);
  }
  pgRun(tools, 'initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-instructions']);
}

function userIds(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`there is no "${name}" user: install Debian's postgresql package`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** Creates the two databases on the first run and upgrades their schemas to this server version's on every run. */
function setUpSchemas(tools: ClusterTools, port: number): void {
  const env = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: '127.0.0.1', SQL_PORT: String(port), SQL_USER: 'postgres', SQL_PASSWORD: '' };
  for (const [database, folder] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    for (const args of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', join(tools.schemaDir, folder, 'versioned')]]) {
      const result = spawnSync(tools.sqlTool, ['--db', database, ...args], { env, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`temporal-sql-tool --db ${database} ${args.join(' ')} failed:\n${(result.stderr || result.stdout).slice(-3000)}`);
    }
  }
}

// --- TLS --------------------------------------------------------------------------------------------------------

export interface ClusterTls {
  ca: string;
  serverCert: string;
  serverKey: string;
  /** dongflow's client certificate (mTLS). */
  clientCert: string;
  clientKey: string;
  /** The Temporal services' own client certificate for their calls to the frontend. */
  internalCert: string;
  internalKey: string;
}

/** A CA and three certificates made with openssl once, kept in `<dataDir>/tls`. */
function ensureCertificates(dataDir: string, say: (l: string) => void): ClusterTls {
  const dir = join(dataDir, 'tls');
  const tls: ClusterTls = {
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'frontend.pem'),
    serverKey: join(dir, 'frontend.key'),
    clientCert: join(dir, 'dongflow-client.pem'),
    clientKey: join(dir, 'dongflow-client.key'),
    internalCert: join(dir, 'temporal-internal.pem'),
    internalKey: join(dir, 'temporal-internal.key'),
  };
  if (Object.values(tls).every((f) => existsSync(f))) return tls;
  say(`Making a CA and certificates with openssl in ${dir}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const openssl = (args: string[]) => {
    const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
  };
  const caKey = join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '3650', '-subj', '/CN=dongflow cluster CA',
    '-keyout', caKey, '-out', tls.ca, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const issue = (cert: string, key: string, cn: string, extensions: string) => {
    const csr = `${cert}.csr`;
    const ext = `${cert}.ext`;
    writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`);
    openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', key, '-out', csr]);
    openssl(['x509', '-req', '-in', csr, '-CA', tls.ca, '-CAkey', caKey, '-CAcreateserial', '-days', '825', '-out', cert, '-extfile', ext]);
  };
  issue(tls.serverCert, tls.serverKey, TLS_SERVER_NAME, `subjectAltName=DNS:${TLS_SERVER_NAME},DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth`);
  issue(tls.clientCert, tls.clientKey, 'dongflow', 'extendedKeyUsage=clientAuth');
  issue(tls.internalCert, tls.internalKey, 'temporal-internal', 'extendedKeyUsage=clientAuth');
  return tls;
}

// --- Temporal configuration -------------------------------------------------------------------------------------

type TemporalService = 'frontend' | 'history' | 'matching' | 'worker';
interface TemporalProcessSpec {
  name: string;
  service: TemporalService;
  /** Which history process (0 or 1) this config's history section describes. */
  historyIndex: 0 | 1;
}

const TEMPORAL_PROCESSES: TemporalProcessSpec[] = [
  { name: 'temporal-history-1', service: 'history', historyIndex: 0 },
  { name: 'temporal-history-2', service: 'history', historyIndex: 1 },
  { name: 'temporal-matching', service: 'matching', historyIndex: 0 },
  { name: 'temporal-frontend', service: 'frontend', historyIndex: 0 },
  { name: 'temporal-worker', service: 'worker', historyIndex: 0 },
];

/** One config file per process (JSON is YAML): they differ only in the history process's ports. */
function temporalConfig(spec: TemporalProcessSpec, ports: ClusterPorts, tls: ClusterTls, mtls: boolean, dynamicConfigPath: string): unknown {
  const datastore = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `127.0.0.1:${ports.postgres}`,
      connectProtocol: 'tcp',
      user: 'postgres',
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const [mFrontend, mHistory1, mHistory2, mMatching, mWorker] = ports.membership;
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: { 'postgres-default': datastore('temporal', 20), 'postgres-visibility': datastore('temporal_visibility', 5) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      tls: {
        frontend: {
          server: { certFile: tls.serverCert, keyFile: tls.serverKey, requireClientAuth: mtls, clientCaFiles: [tls.ca] },
          client: { serverName: TLS_SERVER_NAME, rootCaFiles: [tls.ca] },
        },
        // Every service's own calls to the frontend (the system workers' included) verify it like dongflow does.
        systemWorker: { certFile: tls.internalCert, keyFile: tls.internalKey, client: { serverName: TLS_SERVER_NAME, rootCaFiles: [tls.ca] } },
      },
    },
    services: {
      frontend: { rpc: { grpcPort: ports.frontend, membershipPort: mFrontend, bindOnLocalHost: true, httpPort: ports.frontendHttp } },
      history: { rpc: { grpcPort: ports.history[spec.historyIndex], membershipPort: spec.historyIndex === 0 ? mHistory1 : mHistory2, bindOnLocalHost: true } },
      matching: { rpc: { grpcPort: ports.matching, membershipPort: mMatching, bindOnLocalHost: true } },
      worker: { rpc: { grpcPort: ports.temporalWorker, membershipPort: mWorker, bindOnLocalHost: true } },
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `127.0.0.1:${ports.frontend}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigPath, pollInterval: '10s' },
  };
}

const DYNAMIC_CONFIG = {
  'limit.maxIDLength': [{ value: 255 }],
  // Search attributes added by `npx dongflow setup` are seen at once, not after the cache's refresh.
  'system.forceSearchAttributesCacheRefreshOnRead': [{ value: true }],
};

// --- dongflow ---------------------------------------------------------------------------------------------------

/** Keys made once per data folder: the payload encryption ring and the gateway's API key (only its hash is configured). */
function ensureDongflowSecrets(dataDir: string): { encryptionKeys: string; apiKey: string; apiKeySha256: string } {
  const keysFile = join(dataDir, 'encryption-keys');
  const apiKeyFile = join(dataDir, 'api-key');
  if (!existsSync(keysFile)) writeFileSync(keysFile, `${generateKey('cluster-1')}\n`, { mode: 0o600 });
  if (!existsSync(apiKeyFile)) writeFileSync(apiKeyFile, `${generateApiKey().key}\n`, { mode: 0o600 });
  const apiKey = readFileSync(apiKeyFile, 'utf8').trim();
  return { encryptionKeys: readFileSync(keysFile, 'utf8').trim(), apiKey, apiKeySha256: hashApiKey(apiKey) };
}

export function dongflowEnvFor(opts: { dataDir: string; ports: ClusterPorts; tls: ClusterTls; mtls: boolean; logLevel: string }): { env: Record<string, string>; apiKey: string } {
  const { dataDir, ports, tls, mtls } = opts;
  const secrets = ensureDongflowSecrets(dataDir);
  return {
    apiKey: secrets.apiKey,
    env: {
      TEMPORAL_ADDRESS: `127.0.0.1:${ports.frontend}`,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TLS_CA_PATH: tls.ca,
      TEMPORAL_TLS_SERVER_NAME: TLS_SERVER_NAME,
      ...(mtls ? { TEMPORAL_TLS_CERT_PATH: tls.clientCert, TEMPORAL_TLS_KEY_PATH: tls.clientKey } : {}),
      DONGFLOW_ENCRYPTION_KEYS: secrets.encryptionKeys,
      DONGFLOW_API_KEYS: JSON.stringify([{ name: 'cluster-operator', sha256: secrets.apiKeySha256, scopes: API_KEY_SCOPES }]),
      DONGFLOW_DATA_DIR: join(dataDir, 'dongflow'),
      GATEWAY_PORT: String(ports.gateway),
      SANDBOX_PORT: String(ports.sandbox),
      DONGFLOW_CODEC_PORT: String(ports.codec),
      // The codec server lets the UI server's origin call it.
      TEMPORAL_UI_PORT: String(ports.ui),
      SANDBOX_FINAN_WEBHOOK_URL: `http://127.0.0.1:${ports.gateway}${FINAN_WEBHOOK_PATH}`,
      LOG_LEVEL: opts.logLevel,
    },
  };
}

// --- the whole cluster ------------------------------------------------------------------------------------------

/** Kills processes a previous run left behind (its script was killed), recognised by their recorded command line. */
function killLeftovers(pidsFile: string): void {
  if (!existsSync(pidsFile)) return;
  const recorded = JSON.parse(readFileSync(pidsFile, 'utf8')) as { pid: number; cmdline: string }[];
  for (const { pid, cmdline } of recorded) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8') === cmdline) process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { tools, ports, mtls, say } = options;
  const dataDir = resolve(options.dataDir);
  const logLevel = options.logLevel ?? 'info';
  const logs = join(dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const pidsFile = join(dataDir, 'pids.json');
  killLeftovers(pidsFile);
  const processes = new Map<string, ClusterProcess>();
  const recordPids = () =>
    writeFileSync(
      pidsFile,
      JSON.stringify(
        [...processes.values()].flatMap((p) => {
          try {
            return p.pid ? [{ pid: p.pid, cmdline: readFileSync(`/proc/${p.pid}/cmdline`, 'utf8') }] : [];
          } catch {
            return [];
          }
        }),
      ),
    );
  /** Fails at once, with its log, when a process of the cluster has exited during start-up. */
  const alive = async (name: string) => {
    const proc = processes.get(name);
    if (proc && !proc.running) throw new StartupFailure(`${name} exited during start-up (${proc.child?.signalCode ?? proc.child?.exitCode}):\n${proc.logTail()}`);
  };
  const allAlive = async () => {
    for (const name of processes.keys()) await alive(name);
  };
  const launch = (proc: ClusterProcess) => {
    processes.set(proc.name, proc);
    proc.start();
    recordPids();
  };

  let stopped = false;
  const stop: () => Promise<void> = async () => {
    if (stopped) return;
    stopped = true;
    // dongflow first (workers drain), then the UI, then Temporal's frontend before the services behind it, then the database.
    const order = ['dongflow-worker-1', 'dongflow-worker-2', 'dongflow-gateway', 'dongflow-sandbox', 'temporal-ui', 'temporal-frontend', 'temporal-worker', 'temporal-matching', 'temporal-history-1', 'temporal-history-2'];
    for (const group of [order.slice(0, 4), order.slice(4, 6), order.slice(6)]) {
      await Promise.all(group.map((name) => processes.get(name)?.stop() ?? Promise.resolve()));
    }
    try {
      stopPostgres(tools, dataDir);
    } catch (err) {
      say(`PostgreSQL did not stop cleanly: ${(err as Error).message}`);
    }
  };

  options.onStop?.(stop);
  try {
    // PostgreSQL: a data folder of our own, the Debian package's binaries, never the system service.
    ensurePostgresData(tools, dataDir, say);
    if (postgresIsRunning(tools, join(dataDir, 'postgres'))) stopPostgres(tools, dataDir);
    say(`Starting PostgreSQL on 127.0.0.1:${ports.postgres}`);
    startPostgres(tools, dataDir, ports.postgres);
    setUpSchemas(tools, ports.postgres);

    const tls = ensureCertificates(dataDir, say);
    const configDir = join(dataDir, 'temporal');
    mkdirSync(configDir, { recursive: true });
    const dynamicConfigPath = join(configDir, 'dynamicconfig.yaml');
    writeFileSync(dynamicConfigPath, JSON.stringify(DYNAMIC_CONFIG, null, 2));
    say('Starting Temporal: two history processes, matching, frontend (TLS), worker service');
    for (const spec of TEMPORAL_PROCESSES) {
      const configFile = join(configDir, `${spec.name}.yaml`);
      writeFileSync(configFile, JSON.stringify(temporalConfig(spec, ports, tls, mtls, dynamicConfigPath), null, 2));
      launch(
        new ClusterProcess(spec.name, tools.temporalServer, ['--config-file', configFile, '--allow-no-auth', 'start', '--service', spec.service], process.env, join(logs, `${spec.name}.log`)),
      );
      // The first process writes the cluster's metadata into a fresh database; the others start once it listens.
      if (spec === TEMPORAL_PROCESSES[0]) {
        await waitFor(spec.name, () => alive(spec.name).then(() => tcpOpen(ports.history[0])), 120_000, () => processes.get(spec.name)!.logTail());
      }
    }

    const { env: dongflowEnv, apiKey } = dongflowEnvFor({ dataDir, ports, tls, mtls, logLevel });
    Object.assign(dongflowEnv, options.dongflowEnv);
    mkdirSync(join(dataDir, 'dongflow'), { recursive: true });

    // The frontend answers over TLS with dongflow's own connection settings once it has joined the cluster.
    const connectionOptions = temporalConnectionOptions(loadConfig(dongflowEnv));
    const connection = await waitFor(
      'the Temporal frontend',
      async () => {
        await allAlive();
        const c = await Connection.connect({ ...connectionOptions, connectTimeout: 3_000 });
        try {
          await c.workflowService.getSystemInfo({});
          return c;
        } catch (err) {
          await c.close();
          throw err;
        }
      },
      120_000,
      () => processes.get('temporal-frontend')!.logTail(),
    );
    try {
      await waitFor(
        `namespace "${NAMESPACE}"`,
        async () => {
          await allAlive();
          try {
            await connection.workflowService.registerNamespace({ namespace: NAMESPACE, workflowExecutionRetentionPeriod: msToTs('3 days') });
          } catch (err) {
            if ((err as { code?: number }).code !== 6 /* ALREADY_EXISTS */) throw err;
          }
          await connection.workflowService.describeNamespace({ namespace: NAMESPACE });
        },
        120_000,
      );
    } finally {
      await connection.close();
    }

    // The one set-up command an operator runs on any cluster.
    say('npx dongflow setup');
    await waitFor(
      'npx dongflow setup',
      async () => {
        await allAlive();
        const result = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'dongflow-cli.js'), 'setup'], { cwd: projectRoot, env: { ...process.env, ...dongflowEnv }, encoding: 'utf8' });
        if (result.status !== 0) throw new Error((result.stderr || result.stdout).trim());
        say(`  ${result.stdout.trim()}`);
      },
      120_000,
    );

    // The UI server reaches the TLS frontend like dongflow does, and decodes payloads through dongflow's codec server.
    const uiDir = join(dataDir, 'ui', 'config');
    mkdirSync(uiDir, { recursive: true });
    const uiConfig = {
      temporalGrpcAddress: `127.0.0.1:${ports.frontend}`,
      host: '127.0.0.1',
      port: ports.ui,
      enableUi: true,
      defaultNamespace: NAMESPACE,
      disableNewsFetch: true,
      notifyOnNewVersion: false,
      distribution: 'server',
      cors: { allowOrigins: [`http://127.0.0.1:${ports.ui}`, `http://localhost:${ports.ui}`], cookieInsecure: true },
      tls: { caFile: tls.ca, serverName: TLS_SERVER_NAME, enableHostVerification: true, ...(mtls ? { certFile: tls.clientCert, keyFile: tls.clientKey } : {}) },
      codec: { endpoint: `http://127.0.0.1:${ports.codec}/codec` },
      auth: { enabled: false },
    };
    writeFileSync(join(uiDir, 'base.yaml'), JSON.stringify(uiConfig, null, 2));
    writeFileSync(join(uiDir, 'cluster.yaml'), '{}\n');
    launch(new ClusterProcess('temporal-ui', tools.uiServer, ['--root', join(dataDir, 'ui'), '--config', 'config', '--env', 'cluster', 'start'], process.env, join(logs, 'temporal-ui.log')));

    // `node --import tsx`: one process per component, so a SIGKILL hits the component itself.
    const dongflow = (name: string, entry: string, extra: Record<string, string> = {}) =>
      launch(new ClusterProcess(name, process.execPath, ['--import', 'tsx', entry], { ...process.env, ...dongflowEnv, ...extra }, join(logs, `${name}.log`)));
    dongflow('dongflow-sandbox', 'sandbox/main.ts');
    const sandboxUrl = `http://127.0.0.1:${ports.sandbox}`;
    await waitFor('the sandbox', () => allAlive().then(() => httpOk(`${sandboxUrl}/_sandbox/ledger`)), 60_000, () => processes.get('dongflow-sandbox')!.logTail());
    dongflow('dongflow-worker-1', 'workers/main.ts', { DONGFLOW_WORKER_METRICS_PORT: String(ports.workerMetrics[0]) });
    dongflow('dongflow-worker-2', 'workers/main.ts', { DONGFLOW_WORKER_METRICS_PORT: String(ports.workerMetrics[1]) });
    dongflow('dongflow-gateway', 'client/gateway/main.ts');
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    await waitFor('the gateway', () => allAlive().then(() => httpOk(`${gatewayUrl}/healthz`)), 90_000, () => processes.get('dongflow-gateway')!.logTail());
    await waitFor('the Temporal UI server', () => allAlive().then(() => httpOk(`http://127.0.0.1:${ports.ui}/api/v1/namespaces/${NAMESPACE}`)), 60_000, () => processes.get('temporal-ui')!.logTail());

    const waitForWorkers = async (count = 2) => {
      const c = await Connection.connect(connectionOptions);
      try {
        await waitFor(
          `${count} dongflow workers`,
          async () => {
            const { pollers } = await c.workflowService.describeTaskQueue({ namespace: NAMESPACE, taskQueue: { name: 'dongflow' }, taskQueueType: 1 });
            const alive = [1, 2].filter((i) => processes.get(`dongflow-worker-${i}`)?.running).length;
            if (alive < count || (pollers ?? []).length < count) throw new Error(`${alive} worker processes running, ${(pollers ?? []).length} polling`);
          },
          120_000,
          () => `${processes.get('dongflow-worker-1')!.logTail(10)}\n${processes.get('dongflow-worker-2')!.logTail(10)}`,
        );
      } finally {
        await c.close();
      }
    };
    await waitForWorkers(2);

    return {
      urls: {
        'Gateway (REST API)': gatewayUrl,
        'Temporal UI': `http://127.0.0.1:${ports.ui}`,
        'Temporal frontend': `127.0.0.1:${ports.frontend} (TLS, server name ${TLS_SERVER_NAME}${mtls ? ', client certificate required' : ''})`,
        'Codec server': `http://127.0.0.1:${ports.codec}/codec`,
        'Provider sandbox': sandboxUrl,
        PostgreSQL: `127.0.0.1:${ports.postgres} (data ${join(dataDir, 'postgres')})`,
        'Worker metrics': ports.workerMetrics.map((p) => `http://127.0.0.1:${p}/metrics`).join(', '),
      },
      dongflowEnv,
      apiKey,
      gatewayUrl,
      sandboxUrl,
      processes,
      restartPostgres: async () => {
        const dir = join(dataDir, 'postgres');
        pgRun(tools, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']);
        startPostgres(tools, dataDir, ports.postgres);
      },
      waitForWorkers,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
