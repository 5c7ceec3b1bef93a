/**
 * A standalone worker process (`npm run worker`), for running workers apart from the gateway in production:
 * connects to TEMPORAL_ADDRESS (or the embedded default), serves until SIGINT/SIGTERM, then drains and exits.
 */
import { resolve } from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { checkSearchAttributes, SearchAttributesMissingError } from '../client/setup';
import { dataConverterFor } from '../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../codec/keys';
import { ConfigError, loadConfig, sepayBaseUrlOf } from '../config/env';
import { createLogger } from '../config/logger';
import { temporalConnectionOptions } from '../config/temporal';
import { FinanClient } from '../providers/finan/client';
import { destroyHttpAgents } from '../providers/http';
import { TingeeClient } from '../providers/tingee/client';
import { SepayClient } from '../providers/sepay/client';
import { installTemporalRuntime } from './logging';
import { createDongflowWorkers } from './worker';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel, name: 'dongflow-worker' });
  // The SDK's runtime drains the workers on SIGINT/SIGTERM.
  installTemporalRuntime(logger, { metricsPort: config.workerMetricsPort });
  // loadConfig guarantees keys whenever TEMPORAL_ADDRESS is set; only the embedded default uses the local key file.
  const keyRing = config.security.encryptionKeys ?? loadOrCreateLocalKeyRing(resolve(config.dataDir));
  const finanBaseUrl = config.finan.baseUrl ?? `http://${config.sandbox.host}:${config.sandbox.port}/finan/open`;
  const tingeeBaseUrl = config.tingee.baseUrl ?? `http://${config.sandbox.host}:${config.sandbox.port}/tingee`;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  await checkSearchAttributes(connection, config.temporal.namespace);
  const workers = await createDongflowWorkers({
    connection,
    namespace: config.temporal.namespace,
    finan: new FinanClient({ baseUrl: finanBaseUrl, clientId: config.finan.clientId, secretKey: config.finan.secretKey, timeoutMs: config.finan.timeoutMs }),
    finanMaxRequestsPerSecond: config.finan.maxRequestsPerSecond,
    tingee: new TingeeClient({ baseUrl: tingeeBaseUrl, clientId: config.tingee.clientId, secretKey: config.tingee.secretKey, timeoutMs: config.tingee.timeoutMs }),
    tingeeMaxRequestsPerSecond: config.tingee.maxRequestsPerSecond,
    sepay: new SepayClient({ ...config.sepay, baseUrl: sepayBaseUrlOf(config), maxRequestsPerSecond: config.sepay.maxRequestsPerSecond }),
    sepayMaxRequestsPerSecond: config.sepay.maxRequestsPerSecond,
    dataConverter: dataConverterFor(keyRing),
  });
  logger.info({ temporal: temporalConnectionOptions(config).address, finan: finanBaseUrl, tingee: tingeeBaseUrl }, 'worker running');
  await workers.run();
  await connection.close();
  destroyHttpAgents();
  logger.info('worker stopped');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError || err instanceof SearchAttributesMissingError ? err.message : `worker failed: ${(err as Error).stack ?? String(err)}`}\n`);
  process.exit(1);
});
