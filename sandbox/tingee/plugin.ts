import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dropIfMarked, markCommitThenDrop } from '../drop';
import type { SandboxState } from '../state';
import { authenticateTingeeRequest } from './auth';
import { errorBody, successBody, TingeeApiError, TingeeCode } from './envelope';
import { accountWriteOf, pageQueryOf } from './validation';

/** Where the Tingee emulator is mounted; Tingee's own base is `https://uat-open-api.tingee.vn`. */
export const TINGEE_PREFIX = '/tingee';

export interface TingeeApiOptions {
  state: SandboxState;
}

const rawBodyOf = (request: FastifyRequest): Buffer => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

/** The path after `/tingee`, without its query: what fault rules match. */
function routePathOf(request: FastifyRequest): string {
  const target = (request.raw.url ?? '').split('?')[0] ?? '';
  return target.startsWith(TINGEE_PREFIX) ? target.slice(TINGEE_PREFIX.length) : target;
}

function parsedBodyOf(request: FastifyRequest): unknown {
  try {
    return JSON.parse(rawBodyOf(request).toString('utf8'));
  } catch {
    throw new TingeeApiError(TingeeCode.Validation, 'request body must be valid JSON');
  }
}

/** Tingee emulator, mounted at `/tingee`: the e-invoice account API of `provider-docs/tingee-einvoice-account.txt`. */
export const tingeeApi: FastifyPluginAsync<TingeeApiOptions> = async (app, { state }) => {
  const tingee = state.tingee;
  // The signature covers the body's bytes exactly: keep them raw, parse JSON only once they are verified.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  const send = (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>): FastifyReply => {
    // Every answer goes through here, so "commit then drop" covers successes and errors alike.
    if (dropIfMarked(request, reply)) return reply;
    return reply.code(200).send(body);
  };

  // Faults first: they stand for the network and Tingee's edge, which act before Tingee authenticates anything.
  app.addHook('preHandler', async (request, reply) => {
    const decision = state.faults.decide(request.method, routePathOf(request));
    if (decision.latencyMs > 0) await state.scheduler.sleep(decision.latencyMs);
    // An edge's error page, not Tingee's envelope; nothing is touched.
    if (decision.errorStatus !== null) {
      return reply.code(decision.errorStatus).headers(decision.errorStatus === 429 ? { 'retry-after': '1' } : {}).send({ message: STATUS_CODES[decision.errorStatus] ?? 'Injected fault' });
    }
    if (decision.commitThenDrop) markCommitThenDrop(request);
    authenticateTingeeRequest(request, rawBodyOf(request), tingee.config, tingee.now());
    return undefined;
  });

  app.setErrorHandler<FastifyError | TingeeApiError>((error, request, reply) => {
    if (error instanceof TingeeApiError) return send(request, reply, errorBody(tingee.envelope, error));
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send({ message: error.message });
    request.log.error({ err: error }, 'sandbox failure');
    return reply.code(500).send({ message: 'Internal server error' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: 'Route not found' }));

  app.post('/v1/e-invoice/create-or-update-account', async (request, reply) => {
    const outcome = tingee.accounts.createOrUpdate(accountWriteOf(parsedBodyOf(request)));
    if (!outcome.ok) throw new TingeeApiError(outcome.reason === 'duplicate' ? TingeeCode.Duplicate : TingeeCode.NotFound);
    return send(request, reply, successBody(tingee.envelope, outcome.account));
  });

  app.post('/v1/e-invoice/get-paging-account', async (request, reply) => {
    const { filter, skipCount, maxResultCount } = pageQueryOf(parsedBodyOf(request));
    return send(request, reply, successBody(tingee.envelope, tingee.accounts.page(filter, skipCount, maxResultCount)));
  });
};
