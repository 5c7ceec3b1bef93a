import Fastify from 'fastify';
import { createLogger } from '../../config/logger';
import { createMetrics, httpMetrics } from '../../client/gateway/metrics';

// app.inject loads light-my-request, which requires the ESM-only cookie@2 that jest 29 cannot load untransformed;
// it is used only for request cookies, which these tests never send. (A jest.config fix would make this line unneeded.)

describe('gateway metrics', () => {
  // Like the gateway: Fastify over dongflow's pino logger; installed by a direct call this time.
  const app = Fastify({ loggerInstance: createLogger({ level: 'silent' }) });
  beforeAll(async () => {
    app.get('/v1/payouts/:referenceId', async (request) => ({ referenceId: (request.params as { referenceId: string }).referenceId }));
    app.post('/v1/payouts', async (_request, reply) => reply.status(202).send({}));
    await httpMetrics(app, { metrics: createMetrics() });
    await app.ready();
  });
  afterAll(() => app.close());

  const scrape = async () => {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res;
  };

  it('serves the Prometheus text format with default process metrics', async () => {
    const res = await scrape();
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE process_cpu_user_seconds_total counter');
    expect(res.body).toContain('# TYPE nodejs_heap_size_used_bytes gauge');
    expect(res.body).toContain('# TYPE dongflow_http_request_duration_seconds histogram');
  });

  it('counts requests by route pattern, not by raw URL', async () => {
    for (const ref of ['PO-1', 'PO-2', 'PO-3']) await app.inject({ method: 'GET', url: `/v1/payouts/${ref}?secret=1` });
    await app.inject({ method: 'POST', url: '/v1/payouts', payload: {} });
    const body = (await scrape()).body;
    expect(body).toContain('dongflow_http_requests_total{method="GET",route="/v1/payouts/:referenceId",status="200"} 3');
    expect(body).toContain('dongflow_http_requests_total{method="POST",route="/v1/payouts",status="202"} 1');
    expect(body).toContain('dongflow_http_request_duration_seconds_count{method="GET",route="/v1/payouts/:referenceId",status="200"} 3');
    expect(body).not.toContain('PO-1');
    expect(body).not.toContain('secret');
  });

  it('puts every unmatched URL under one label', async () => {
    for (const url of ['/wp-admin', '/.env', '/v1/unknown/1']) await app.inject({ method: 'GET', url });
    const body = (await scrape()).body;
    expect(body).toContain('dongflow_http_requests_total{method="GET",route="(unmatched)",status="404"} 3');
    expect(body).not.toContain('wp-admin');
  });

  it('counts its own scrapes', async () => {
    await scrape();
    expect((await scrape()).body).toMatch(/dongflow_http_requests_total\{method="GET",route="\/metrics",status="200"\} [1-9]/);
  });

  it('registered as a plugin, still counts routes declared outside it', async () => {
    const other = Fastify({ loggerInstance: createLogger({ level: 'silent' }) });
    other.get('/healthz', async () => ({ status: 'ok' }));
    await other.register(httpMetrics, { metrics: createMetrics({ defaultMetrics: false }), path: '/internal/metrics' });
    await other.inject({ method: 'GET', url: '/healthz' });
    const res = await other.inject({ method: 'GET', url: '/internal/metrics' });
    expect(res.body).toContain('dongflow_http_requests_total{method="GET",route="/healthz",status="200"} 1');
    await other.close();
  });

  it('keeps registries apart (one per gateway, safe to create twice)', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.httpRequestsTotal.inc({ method: 'GET', route: '/x', status: '200' });
    expect(await b.registry.metrics()).not.toContain('route="/x"');
    expect(await a.registry.metrics()).toContain('route="/x"');
  });
});
