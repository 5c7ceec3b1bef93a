/** `npm start`: the whole stack on embedded defaults; Ctrl-C or SIGTERM stops everything. */
import { ConfigError, gatewayProblems, loadConfig } from '../config/env';
import { createLogger } from '../config/logger';
import { startStack } from './stack';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
    const problems = gatewayProblems(config);
    if (problems.length > 0) throw new ConfigError(problems);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel });
  const stack = await startStack({ config, logger });

  const lines = [
    '',
    'dongflow is running',
    `  Gateway (REST API)   ${stack.gatewayUrl}`,
    stack.temporalUiUrl ? `  Temporal Web UI      ${stack.temporalUiUrl}` : `  Temporal             ${stack.temporalAddress} (namespace ${config.temporal.namespace})`,
    stack.sandboxUrl ? `  Provider sandbox     ${stack.sandboxUrl}  (Finan: ${stack.finanBaseUrl}, Tingee: ${stack.tingeeBaseUrl}, SePay: ${stack.sepayBaseUrl})` : `  Finan                ${stack.finanBaseUrl}`,
    stack.devApiKey ? `  Development API key  ${stack.devApiKey}  (also in ${config.dataDir}/dev-api-key)` : '  API keys             from DONGFLOW_API_KEYS',
    `  Metrics              ${stack.gatewayUrl}/metrics (gateway), http://127.0.0.1:${config.workerMetricsPort}/metrics (worker SDK)`,
    `  Codec server         ${stack.codecEndpoint}  (${config.security.codecAuthToken ? 'bearer token required' : 'loopback only, no token'})`,
    `  Temporal CLI flags   ${temporalCliFlags(stack.temporalAddress, config.temporal.namespace, stack.codecEndpoint, Boolean(config.security.codecAuthToken))}`,
    ...(stack.finanAccess ? [`  Finan check          ${stack.finanAccess.ok ? 'OK' : 'PROBLEM'}: ${stack.finanAccess.line}`] : []),
    '  Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal} received, stopping...\n`);
    stack
      .stop()
      .then(() => {
        process.stdout.write('Stopped.\n');
        process.exit(0);
      })
      .catch((err) => {
        process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** What an operator appends to `temporal workflow show|query|signal` to read dongflow's payloads; never the token itself. */
function temporalCliFlags(address: string, namespace: string, codecEndpoint: string, withToken: boolean): string {
  const auth = withToken ? ' --codec-auth "Bearer $DONGFLOW_CODEC_AUTH_TOKEN"' : '';
  return `--address ${address} --namespace ${namespace} --codec-endpoint ${codecEndpoint}${auth}`;
}

main().catch((err: unknown) => {
  process.stderr.write(`dongflow failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
