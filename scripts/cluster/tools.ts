/**
 * What the cluster needs, from the registries only, pinned and kept in the git-ignored `.tools/cluster/` so the next
 * run reuses it: the Temporal server and its schema tool and PostgreSQL schemas (Go module proxy), the Temporal UI
 * server (Go module proxy), and PostgreSQL (Debian's package, used from its binaries: never the system service).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const TEMPORAL_SERVER_VERSION = '1.32.2';
export const UI_SERVER_VERSION = '2.58.1';
/** The UI server's own go.mod asks for go.temporal.io/api v1.64.0, which the module proxy no longer serves. */
const UI_SERVER_API_VERSION = '1.64.1';
/** Temporal 1.32 needs Go ≥ 1.26.10; the go command fetches this toolchain from the module proxy. */
const GO_TOOLCHAIN = 'go1.27.3';

const projectRoot = resolve(__dirname, '../..');
/** DONGFLOW_CLUSTER_TOOLS_DIR: elsewhere (e.g. to time a build from nothing without losing the cached one). */
export const clusterToolsDir = process.env.DONGFLOW_CLUSTER_TOOLS_DIR ? resolve(process.env.DONGFLOW_CLUSTER_TOOLS_DIR) : join(projectRoot, '.tools', 'cluster');

export interface ClusterTools {
  temporalServer: string;
  sqlTool: string;
  /** `schema/postgresql/v12` of the server module: `temporal/versioned`, `visibility/versioned`. */
  schemaDir: string;
  uiServer: string;
  /** Folder of initdb, pg_ctl, postgres. */
  postgresBin: string;
}

type Say = (line: string) => void;

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOTOOLCHAIN: GO_TOOLCHAIN };
}

function requireGo(): void {
  if (spawnSync('go', ['version']).status !== 0) {
    throw new Error('Go is needed once to build the Temporal server from the Go module proxy: install Go (https://go.dev/dl) and run again');
  }
}

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const result = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${(result.stderr || result.stdout || '').slice(-4000)}`);
  }
  return result.stdout;
}

/** Temporal server and schema tool, built once into a temporary GOBIN then moved into place (an interrupted build leaves nothing). */
function ensureTemporalServer(say: Say): Pick<ClusterTools, 'temporalServer' | 'sqlTool' | 'schemaDir'> {
  const dir = join(clusterToolsDir, `temporal-${TEMPORAL_SERVER_VERSION}`);
  const tools = { temporalServer: join(dir, 'temporal-server'), sqlTool: join(dir, 'temporal-sql-tool'), schemaDir: join(dir, 'schema') };
  if (existsSync(tools.temporalServer) && existsSync(tools.sqlTool) && existsSync(join(tools.schemaDir, 'temporal', 'versioned'))) return tools;
  requireGo();
  say(`Building the Temporal server ${TEMPORAL_SERVER_VERSION} from the Go module proxy (once; several minutes)...`);
  mkdirSync(clusterToolsDir, { recursive: true });
  const staging = mkdtempSync(join(clusterToolsDir, '.building-temporal-'));
  try {
    const module = `go.temporal.io/server`;
    run('go', ['install', `${module}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${module}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`], {
      cwd: staging,
      env: { ...goEnv(), GOBIN: join(staging, 'bin') },
    });
    const modDir = run('go', ['list', '-m', '-f', '{{.Dir}}', `${module}@v${TEMPORAL_SERVER_VERSION}`], { cwd: staging, env: goEnv() }).trim();
    renameSync(join(staging, 'bin', 'server'), join(staging, 'temporal-server'));
    renameSync(join(staging, 'bin', 'sql'), join(staging, 'temporal-sql-tool'));
    cpSync(join(modDir, 'schema', 'postgresql', 'v12'), join(staging, 'schema'), { recursive: true });
    run('chmod', ['-R', 'u+w', join(staging, 'schema')]);
    rmSync(join(staging, 'bin'), { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return tools;
}

/** The UI server, built in a throw-away module that lifts its one unavailable dependency to the next patch release. */
function ensureUiServer(say: Say): string {
  const dir = join(clusterToolsDir, `ui-server-${UI_SERVER_VERSION}`);
  const binary = join(dir, 'ui-server');
  if (existsSync(binary)) return binary;
  requireGo();
  say(`Building the Temporal UI server ${UI_SERVER_VERSION} from the Go module proxy (once)...`);
  mkdirSync(clusterToolsDir, { recursive: true });
  const staging = mkdtempSync(join(clusterToolsDir, '.building-ui-'));
  try {
    writeFileSync(join(staging, 'go.mod'), 'module dongflow.local/uiserver\n\ngo 1.26\n');
    run('go', ['get', `github.com/temporalio/ui-server/v2/cmd/server@v${UI_SERVER_VERSION}`, `go.temporal.io/api@v${UI_SERVER_API_VERSION}`], { cwd: staging, env: goEnv() });
    run('go', ['build', '-o', join(staging, 'out', 'ui-server'), 'github.com/temporalio/ui-server/v2/cmd/server'], { cwd: staging, env: goEnv() });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(staging, 'out'), dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** Debian's PostgreSQL, installed with apt-get (sudo when not root) when its binaries are not on the machine. */
function ensurePostgres(say: Say): string {
  const found = findPostgresBin();
  if (found) return found;
  say("Installing PostgreSQL (Debian's postgresql package)...");
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args: string[]) => run(sudo[0] ?? 'apt-get', [...(sudo.length ? ['apt-get'] : []), ...args], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', 'postgresql']);
  const installed = findPostgresBin();
  if (!installed) throw new Error('PostgreSQL was installed but no /usr/lib/postgresql/<version>/bin/initdb was found');
  return installed;
}

/** Everything the cluster runs, installed where missing. Builds take minutes the first time only. */
export function ensureClusterTools(say: Say = () => undefined): ClusterTools {
  const postgresBin = ensurePostgres(say);
  const temporal = ensureTemporalServer(say);
  const uiServer = ensureUiServer(say);
  execFileSync(temporal.temporalServer, ['--version'], { stdio: 'ignore' });
  return { ...temporal, uiServer, postgresBin };
}
