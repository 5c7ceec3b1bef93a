/**
 * `npm run test:busy`: `npm test` while two busy-loop processes hold the CPU (one pinned per core with `taskset`
 * where it exists), as on a shared CI machine. A test that depends on the machine's speed goes red here.
 * The busy loops are killed when the tests end, whatever happens, and the exit code is npm test's.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';

const BUSY_LOOPS = 2;

// Spins in 100 ms slices and exits on its own once its parent is gone (a SIGKILLed runner leaves no spinner behind).
const SPIN = 'const parent = process.ppid; for (;;) { const end = Date.now() + 100; while (Date.now() < end); if (process.ppid !== parent) process.exit(0); }';

const hasTaskset = process.platform === 'linux' && spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;

function startBusyLoop(core: number): ChildProcess {
  const node = [process.execPath, '-e', SPIN];
  // taskset execs node in place, so the child's pid is the spinner's own.
  const [command, ...args] = hasTaskset ? ['taskset', '-c', String(core), ...node] : node;
  return spawn(command as string, args, { stdio: 'ignore' });
}

const cores = availableParallelism();
const busy = Array.from({ length: BUSY_LOOPS }, (_, i) => startBusyLoop(i % cores));
const stopBusyLoops = (): void => {
  for (const loop of busy) if (loop.exitCode === null && loop.signalCode === null) loop.kill('SIGKILL');
};
process.on('exit', stopBusyLoops);

process.stdout.write(
  `test:busy: ${BUSY_LOOPS} busy loops (pids ${busy.map((loop) => loop.pid).join(', ')}) ${hasTaskset ? `pinned to cores ${busy.map((_, i) => i % cores).join(', ')}` : 'unpinned (no taskset)'} on ${cores} cores\n`,
);

const started = Date.now();
const tests = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => tests.kill(signal));

tests.on('exit', (code, signal) => {
  stopBusyLoops();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`test:busy: npm test ${code === 0 ? 'passed' : `failed (${signal ?? `exit ${code}`})`} in ${seconds} s beside ${BUSY_LOOPS} busy loops\n`);
  process.exit(code ?? 1);
});
tests.on('error', (error) => {
  stopBusyLoops();
  process.stderr.write(`test:busy: could not run npm test: ${error.message}\n`);
  process.exit(1);
});
