/**
 * `npm run cluster`: the production shape on one machine (see scripts/cluster/cluster.ts), installing what it needs
 * into `.tools/cluster/` on the first run. Data in `.data/cluster` (DONGFLOW_CLUSTER_DIR), reused by the next run.
 * `npm run cluster -- --mtls`: the frontend requires client certificates. Ctrl-C stops everything.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, startCluster } from './cluster/cluster';
import { ensureClusterTools } from './cluster/tools';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mtls: { type: 'boolean', default: false } } });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const dataDir = resolve(process.env.DONGFLOW_CLUSTER_DIR ?? '.data/cluster');
  const tools = ensureClusterTools(say);
  let stopCluster: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`\n${signal} received, stopping the cluster...`);
    (stopCluster ?? (async () => undefined))().then(
      () => {
        say('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const cluster = await startCluster({
    tools,
    dataDir,
    ports: DEFAULT_PORTS,
    mtls: Boolean(values.mtls),
    say,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    onStop: (stop) => (stopCluster = stop),
  });

  const width = Math.max(...Object.keys(cluster.urls).map((k) => k.length)) + 2;
  const env = cluster.dongflowEnv;
  const tlsVars = ['TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_SERVER_NAME', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH'].filter((k) => env[k]);
  say(
    [
      '',
      'dongflow cluster is running',
      ...Object.entries(cluster.urls).map(([name, url]) => `  ${name.padEnd(width)}${url}`),
      `  ${'API key'.padEnd(width)}${cluster.apiKey}  (also in ${dataDir}/api-key)`,
      `  ${'Processes'.padEnd(width)}${[...cluster.processes.values()].map((p) => `${p.name} (${p.pid})`).join(', ')}`,
      `  ${'Logs'.padEnd(width)}${dataDir}/logs/`,
      '  Connect another dongflow process or `npx dongflow` with:',
      ...tlsVars.map((k) => `    ${k}=${env[k]}`),
      `    DONGFLOW_ENCRYPTION_KEYS=(in ${dataDir}/encryption-keys)`,
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  // A process of the cluster that dies on its own is reported, not hidden.
  for (const proc of cluster.processes.values()) {
    proc.child?.once('exit', (code, signal) => {
      if (!stopping) say(`${proc.name} exited (${signal ?? code}); see ${dataDir}/logs/${proc.name}.log`);
    });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`dongflow cluster failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
