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
import { DongflowError } from '../errors';
import type { PayoutsClient } from '../payouts';
import type { PaymentsClient } from '../payments';
import { paymentRoutes } from './payment-routes';
import { finanWebhookRoutes } from './webhook-routes';
import type { ApiKey } from './api-keys';
import { apiKeyAuth } from './api-keys';
import type { DongflowMetrics } from './metrics';
import { httpMetrics } from './metrics';

export interface GatewayDeps {
  payouts: PayoutsClient;
  /** Payment requests, invoices and the operators' inbox under `/v1/`; absent, those routes are not served. */
  payments?: PaymentsClient;
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

export function buildGateway(deps: GatewayDeps) {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes ?? 64 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  void app.register(httpMetrics, { metrics: deps.metrics });
  void app.register(apiKeyAuth, { keys: deps.apiKeys });
  if (deps.payments) {
    void app.register(paymentRoutes, { payments: deps.payments });
    if (deps.finanWebhookSecrets) void app.register(finanWebhookRoutes, { payments: deps.payments, secrets: deps.finanWebhookSecrets, clientId: deps.finanClientId });
  }

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

  app.post('/v1/payouts', async (request, reply) => {
    const started = await deps.payouts.startPayout(request.body as never);
    return reply.status(202).send(started);
  });

  app.get<{ Params: { referenceId: string } }>('/v1/payouts/:referenceId', async (request) => deps.payouts.getPayout(request.params.referenceId));

  app.post<{ Params: { referenceId: string } }>('/v1/payouts/:referenceId/otp', async (request) => {
    const body = (request.body ?? {}) as { code?: unknown };
    const submissionId = request.headers['idempotency-key'];
    return deps.payouts.submitOtp(request.params.referenceId, body.code as string, {
      submissionId: typeof submissionId === 'string' ? submissionId : undefined,
    });
  });

  app.post<{ Params: { referenceId: string } }>('/v1/payouts/:referenceId/cancel', async (request) => deps.payouts.cancelPayout(request.params.referenceId));

  return app;
}

async function temporalReachable(connection: Connection): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + TEMPORAL_HEALTH_TIMEOUT_MS, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}
