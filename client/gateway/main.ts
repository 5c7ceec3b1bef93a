/**
 * `npm run gateway`: the gateway alone (REST API, Finan webhooks, metrics, OpenAPI, and the codec server on its own
 * listener), for running it apart from the workers. It connects to TEMPORAL_ADDRESS, or to the embedded dev server
 * an `npm start` on this machine runs; it starts no Temporal, sandbox or worker. SIGINT/SIGTERM stop it.
 */
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../../codec/keys';
import { ConfigError, gatewayProblems, loadConfig } from '../../config/env';
import { createLogger } from '../../config/logger';
import { temporalConnectionOptions } from '../../config/temporal';
import { checkSearchAttributes, SearchAttributesMissingError } from '../setup';
import { API_REFERENCE_PATH, OPENAPI_PATH } from './openapi';
import { codecEndpointFor, serveGateway } from './serve';

async function main(): Promise<void> {
  const config = loadConfig();
  const problems = gatewayProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  const logger = createLogger({ level: config.logLevel, name: 'dongflow-gateway' });
  const dataConverter = dataConverterFor(config.security.encryptionKeys ?? loadOrCreateLocalKeyRing(resolve(config.dataDir)));
  const connectionOptions = temporalConnectionOptions(config);
  const connection = await Connection.connect({ ...connectionOptions, connectTimeout: 10_000 });
  await checkSearchAttributes(connection, config.temporal.namespace);
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
  const gateway = await serveGateway({ config, logger, connection, client, dataConverter });
  process.stdout.write(
    [
      'dongflow gateway is running',
      `  Gateway (REST API)   ${gateway.gatewayUrl}  (OpenAPI ${gateway.gatewayUrl}${OPENAPI_PATH}, reference ${gateway.gatewayUrl}${API_REFERENCE_PATH})`,
      `  Temporal             ${connectionOptions.address} (namespace ${config.temporal.namespace})`,
      `  Codec server         ${codecEndpointFor(config)}`,
      gateway.devApiKey ? `  Development API key  ${gateway.devApiKey}` : '  API keys             from DONGFLOW_API_KEYS',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway stopping');
    gateway
      .close()
      .then(() => connection.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`Error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  const known = err instanceof ConfigError || err instanceof SearchAttributesMissingError;
  process.stderr.write(`${known ? err.message : `gateway failed to start: ${(err as Error).message ?? String(err)}`}\n`);
  process.exit(known ? 2 : 1);
});
