/**
 * Prometheus metrics of the gateway: default process metrics plus request counts and latencies per route, served at
 * `GET /metrics` in the Prometheus text format. Routes are labelled by their pattern (`/v1/payouts/:referenceId`),
 * never the raw URL, and every unmatched URL shares one label, so a scan cannot blow up the series count.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface DongflowMetrics {
  /** Register further dongflow metrics here; it is what `GET /metrics` serves. */
  registry: Registry;
  httpRequestsTotal: Counter<'method' | 'route' | 'status'>;
  httpRequestDurationSeconds: Histogram<'method' | 'route' | 'status'>;
}

export const UNMATCHED_ROUTE = '(unmatched)';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): DongflowMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    httpRequestsTotal: new Counter({
      name: 'dongflow_http_requests_total',
      help: 'HTTP requests answered by the gateway, by method, route pattern and status code',
      labelNames,
      registers: [registry],
    }),
    httpRequestDurationSeconds: new Histogram({
      name: 'dongflow_http_request_duration_seconds',
      help: 'Time from request received to response sent, by method, route pattern and status code',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export interface HttpMetricsOptions {
  metrics: DongflowMetrics;
  /** Default `/metrics`. */
  path?: string;
}

/**
 * Records every response of the instance and serves the registry. Works called directly (`await httpMetrics(app, opts)`)
 * or registered (`app.register(httpMetrics, opts)`: it is not encapsulated, so it sees routes declared elsewhere).
 */
export async function httpMetrics<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>,
  opts: HttpMetricsOptions,
): Promise<void> {
  const { registry, httpRequestsTotal, httpRequestDurationSeconds } = opts.metrics;

  app.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status: String(reply.statusCode) };
    httpRequestsTotal.inc(labels);
    httpRequestDurationSeconds.observe(labels, reply.elapsedTime / 1000);
  });

  app.get(opts.path ?? '/metrics', async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));
}
// Not encapsulated when registered: the hook must see routes declared outside this plugin.
Object.assign(httpMetrics, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'dongflow-http-metrics' });
