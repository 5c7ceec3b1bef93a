import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { markCommitThenDrop } from '../drop';
import type { SandboxState } from '../state';
import { authenticateFinanRequest } from './auth';
import { customerRoutes } from './customer-routes';
import { FinanApiError } from './envelope';
import { paymentRoutes } from './payment-routes';
import { payoutRoutes } from './payout-routes';
import { sendFinanError } from './reply';
import { routePathOf } from './request';

export interface FinanApiOptions {
  state: SandboxState;
}

/** An injected failure answered like Finan's edge would: its envelope, the status, Retry-After for 429. */
function injectedError(status: number): FinanApiError {
  const headers: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {};
  return new FinanApiError(status, STATUS_CODES[status] ?? 'Injected fault', headers);
}

function asFinanError(error: FastifyError | FinanApiError, request: FastifyRequest): FinanApiError {
  if (error instanceof FinanApiError) return error;
  const status = error.statusCode;
  // Fastify's own 4xx (body too large, bad content length...) are the client's fault: say so in Finan's envelope.
  if (status !== undefined && status >= 400 && status < 500) return new FinanApiError(status, error.message);
  request.log.error({ err: error }, 'sandbox failure');
  return new FinanApiError(500, 'Internal server error');
}

/** Finan Open API emulator, mounted at `/finan/open`: payouts, payments and customers. */
export const finanApi: FastifyPluginAsync<FinanApiOptions> = async (app, { state }) => {
  // Keep every body as raw bytes: the signature covers them exactly, and JSON is parsed only once it is verified.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Faults first: they stand for the network and Finan's edge, which act before Finan authenticates anything.
  app.addHook('preHandler', async (request) => {
    const decision = state.faults.decide(request.method, routePathOf(request));
    if (decision.latencyMs > 0) await state.scheduler.sleep(decision.latencyMs);
    // An injected error is answered without touching state.
    if (decision.errorStatus !== null) throw injectedError(decision.errorStatus);
    if (decision.commitThenDrop) markCommitThenDrop(request);
  });
  app.addHook('preHandler', async (request) => authenticateFinanRequest(request, state.finan.config));

  app.setErrorHandler<FastifyError | FinanApiError>((error, request, reply) =>
    sendFinanError(request, reply, asFinanError(error, request)),
  );
  app.setNotFoundHandler((request, reply) => sendFinanError(request, reply, new FinanApiError(404, 'Route not found')));

  await app.register(payoutRoutes, { finan: state.finan });
  await app.register(paymentRoutes, { finan: state.finan });
  await app.register(customerRoutes, { finan: state.finan });
};
