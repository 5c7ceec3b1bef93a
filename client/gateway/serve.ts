/**
 * The gateway process's own part, shared by `npm start` (the whole stack) and `npm run gateway` (the gateway
 * alone): the public listener (REST API, webhooks, metrics, OpenAPI) and the codec server on its own listener.
 */
import { resolve } from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../../config/env';
import { isLoopbackHost, sepayBaseUrlOf } from '../../config/env';
import { createEinvoiceAccountsClient } from '../einvoice-accounts';
import type { Logger } from '../../config/logger';
import type { CustomersClient } from '../customers';
import { createCustomersClient } from '../customers';
import type { PaymentsClient } from '../payments';
import { createPaymentsClient } from '../payments';
import type { PayoutsClient } from '../payouts';
import { createPayoutsClient } from '../payouts';
import { SepayClient } from '../../providers/sepay/client';
import type { SepayConnectionClient } from '../sepay';
import { createSepayConnectionClient } from '../sepay';
import { startCodecServer } from './codec-routes';
import { loadOrCreateDevApiKey } from './dev-api-key';
import { createMetrics } from './metrics';
import { buildGateway } from './server';

export interface ServedGateway {
  gatewayUrl: string;
  /** The development API key, when DONGFLOW_API_KEYS is not set (the embedded default only: see gatewayProblems). */
  devApiKey: string | undefined;
  payouts: PayoutsClient;
  payments: PaymentsClient;
  customers: CustomersClient;
  sepay: SepayConnectionClient;
  close(): Promise<void>;
}

/** Where a browser or the CLI on this machine reaches the codec server (`--ui-codec-endpoint`, `--codec-endpoint`). */
export function codecEndpointFor(config: Config): string {
  const { host, port } = config.codec;
  const reachable = ['0.0.0.0', '::'].includes(host) || isLoopbackHost(host) ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}/codec`;
}

export async function serveGateway(opts: { config: Config; logger: Logger; connection: Connection; client: Client; dataConverter: DataConverter }): Promise<ServedGateway> {
  const { config, logger, connection, client, dataConverter } = opts;
  const payouts = createPayoutsClient(client, {
    otpTimeoutMs: config.payout.otpTimeoutMs,
    pollHorizonMs: config.payout.pollHorizonMs,
    createWindowMs: config.payout.createWindowMs,
  });
  const payments = createPaymentsClient(client, { paymentTtlMs: config.payment.ttlMs });
  const customers = createCustomersClient(client);
  const schedule = await payments.ensureReconciliationSchedule({ everyMs: config.payment.reconcileEveryMs });
  logger.debug({ schedule, everyMs: config.payment.reconcileEveryMs }, 'Reconciliation schedule ready');
  // The gateway only builds SePay's consent URL; every SePay call is made by the worker.
  const sepayProvider = new SepayClient({ ...config.sepay, baseUrl: sepayBaseUrlOf(config) });
  const sepay = createSepayConnectionClient(client, {
    authorizeUrl: (state) => sepayProvider.authorizeUrl(state, config.sepay.scopes),
    credentials: { refreshAheadMs: config.sepay.refreshAheadMs },
  });
  const devCredentials = config.security.apiKeys ? undefined : loadOrCreateDevApiKey(resolve(config.dataDir));
  const uiPort = config.temporal.embedded.uiPort;
  const gateway = buildGateway({
    payouts,
    payments,
    customers,
    einvoiceAccounts: createEinvoiceAccountsClient(client),
    sepay,
    finanWebhookSecrets: config.finan.webhookSecrets,
    finanClientId: config.finan.clientId,
    connection,
    logger: logger.child({ component: 'gateway' }),
    apiKeys: config.security.apiKeys ?? devCredentials!.apiKeys,
    metrics: createMetrics(),
  });
  const gatewayUrl = await gateway.listen({ host: config.gateway.host, port: config.gateway.port });
  try {
    const codecServer = await startCodecServer({
      host: config.codec.host,
      port: config.codec.port,
      logger: logger.child({ component: 'codec' }),
      codec: dataConverter.payloadCodecs![0]!,
      allowedOrigins: [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`, ...config.security.codecAllowedOrigins],
      bearerToken: config.security.codecAuthToken,
    });
    return {
      gatewayUrl,
      devApiKey: devCredentials?.key,
      payouts,
      payments,
      customers,
      sepay,
      close: async () => {
        await codecServer.close();
        await gateway.close();
      },
    };
  } catch (err) {
    await gateway.close();
    throw err;
  }
}
