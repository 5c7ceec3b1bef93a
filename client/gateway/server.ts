/**
 * The HTTP gateway: the REST API backends call (PHP, Go, Java, ... over JSON), built on the typed client library,
 * and Finan's webhook receiver. It is the public listener, so it never serves the codec server (see codec-routes.ts).
 * Errors are always `{ "error": { "code", "message", "details" } }`.
 */
import { randomUUID } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import Fastify from 'fastify';
import type { FastifyError } from 'fastify';
import type { Logger } from '../../config/logger';
import { version } from '../../package.json';
import type { EinvoiceAccountsClient } from '../einvoice-accounts';
import { DongflowError } from '../errors';
import type { CustomersClient } from '../customers';
import type { PayoutsClient } from '../payouts';
import type { PaymentsClient } from '../payments';
import type { SepayConnectionClient } from '../sepay';
import type { ApiKey } from './api-keys';
import { apiKeyAuth } from './api-keys';
import type { DongflowMetrics } from './metrics';
import { httpMetrics } from './metrics';
import { openApiDoc, openApiDocument, serveOpenApi } from './openapi';
import { customerRoutes } from './routes/customers';
import { invoiceRoutes } from './routes/invoices';
import { paymentRequestRoutes } from './routes/payment-requests';
import { payoutRoutes } from './routes/payouts';
import { reconciliationRoutes } from './routes/reconciliation';
import { sepayRoutes } from './routes/sepay';
import type { Route, RouteDoc } from './routes/route';
import { tingeeRoutes } from './routes/tingee';
import { finanWebhookDoc, finanWebhookRoutes } from './routes/webhooks';

export interface GatewayDeps {
  payouts: PayoutsClient;
  /** Payment requests, invoices and the operators' inbox under `/v1/`; absent, those routes are not served. */
  payments?: PaymentsClient;
  /** Finan customers under `/v1/customers`; absent, those routes are not served. */
  customers?: CustomersClient;
  /** Tingee e-invoice accounts under `/v1/tingee/`; absent, those routes are not served. */
  einvoiceAccounts?: EinvoiceAccountsClient;
  /** The SePay connection under `/v1/sepay/`; absent, those routes are not served. */
  sepay?: SepayConnectionClient;
  /** Secrets verifying Finan's payment webhooks (`POST /webhooks/finan`), newest first; absent, no receiver. */
  finanWebhookSecrets?: readonly string[];
  /** Our Finan client id: a webhook whose `x-client-id` names another account is refused. */
  finanClientId?: string;
  /** Used by /healthz to report whether Temporal answers. */
  connection: Connection;
  logger: Logger;
  /** Backends' API keys (hashes and scopes) for `/v1/*`. */
  apiKeys: readonly ApiKey[];
  metrics: DongflowMetrics;
  bodyLimitBytes?: number;
}

const TEMPORAL_HEALTH_TIMEOUT_MS = 2_000;

export interface ServedRoute {
  method: string;
  url: string;
}

const SERVED_ROUTES = new WeakMap<object, ServedRoute[]>();

/** Every route a gateway serves (complete once it is ready), to check the OpenAPI document against. */
export function servedRoutes(app: object): readonly ServedRoute[] {
  return SERVED_ROUTES.get(app) ?? [];
}

export function buildGateway(deps: GatewayDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes ?? 64 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });

  const served: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) served.push({ method, url: route.url });
  });
  SERVED_ROUTES.set(app, served);

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  void app.register(httpMetrics, { metrics: deps.metrics });
  void app.register(apiKeyAuth, { keys: deps.apiKeys });

  const routes: Route[] = [
    ...payoutRoutes(deps.payouts),
    ...(deps.payments ? [...paymentRequestRoutes(deps.payments), ...invoiceRoutes(deps.payments), ...reconciliationRoutes(deps.payments)] : []),
    ...(deps.customers ? customerRoutes(deps.customers) : []),
    ...(deps.einvoiceAccounts ? tingeeRoutes(deps.einvoiceAccounts) : []),
    ...(deps.sepay ? sepayRoutes(deps.sepay) : []),
  ];
  for (const { handler, method, url } of routes) app.route({ method, url, handler });
  const webhooks = deps.payments && deps.finanWebhookSecrets ? { payments: deps.payments, secrets: deps.finanWebhookSecrets } : undefined;
  if (webhooks) void app.register(finanWebhookRoutes, { ...webhooks, clientId: deps.finanClientId });
  // Every route the gateway serves is in the document: the REST API above, and those served by plugins.
  const documented: RouteDoc[] = [...routes, ...(webhooks ? [finanWebhookDoc] : []), healthDoc, metricsDoc, openApiDoc];
  void app.register(async (instance) => serveOpenApi(instance, openApiDocument(documented, { version })));

  app.setErrorHandler((err: FastifyError | DongflowError | Error, request, reply) => {
    if (err instanceof DongflowError) {
      if (err.httpStatus >= 500) request.log.warn({ err: err.message }, 'request failed');
      return reply.status(err.httpStatus).send({ error: { code: err.code, message: err.message, details: err.details ?? null } });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = (err as FastifyError).code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : 'bad_request';
      return reply.status(status).send({ error: { code, message: err.message, details: null } });
    }
    request.log.error({ err }, 'unexpected error');
    return reply.status(500).send({ error: { code: 'internal', message: 'Internal error; see the gateway log for this request id', details: { requestId: request.id } } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url}`, details: null } }),
  );

  app.get('/healthz', async (_request, reply) => {
    const temporal = await temporalReachable(deps.connection);
    return reply.status(temporal ? 200 : 503).send({ status: temporal ? 'ok' : 'degraded', temporal: temporal ? 'reachable' : 'unreachable' });
  });

  return app;
}

const healthDoc: RouteDoc = {
  method: 'GET',
  url: '/healthz',
  tag: 'Operations',
  summary: 'Whether Temporal answers',
  responses: { 200: { description: '`{ status: "ok", temporal: "reachable" }`' }, 503: { description: '`{ status: "degraded", temporal: "unreachable" }`' } },
};

const metricsDoc: RouteDoc = {
  method: 'GET',
  url: '/metrics',
  tag: 'Operations',
  summary: 'Prometheus metrics (text format)',
  responses: { 200: { description: 'Prometheus text', schema: { type: 'string' } } },
};

async function temporalReachable(connection: Connection): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + TEMPORAL_HEALTH_TIMEOUT_MS, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}
