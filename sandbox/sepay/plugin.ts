/**
 * SePay emulator, mounted at `/sepay` (SePay's own base is `https://my.sepay.vn`): the OAuth2 consent page (which
 * auto-consents as the test user), the token endpoint, and the company API of `provider-docs/sepay-company.txt`
 * with its roles, scope, validation answers and the 3-requests-per-second limit.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { dropIfMarked, markCommitThenDrop } from '../drop';
import type { FaultStore } from '../faults';
import type { Scheduler } from '../scheduler';
import type { SepayState } from './state';
import { KNOWN_SCOPES } from './state';
import { validateConfigurations } from './validation';

export const SEPAY_PREFIX = '/sepay';

export interface SepayApiOptions {
  sepay: SepayState;
  faults: FaultStore;
  scheduler: Scheduler;
}

/** The error answers of the page's error table, in its words. */
const MESSAGES = {
  401: 'Access token không hợp lệ hoặc đã hết hạn',
  403: 'Không đủ quyền truy cập (không phải Admin hoặc SuperAdmin)',
  missingScope: 'Không đủ quyền truy cập (Access Token không có quyền company)',
  400: 'Dữ liệu gửi lên không hợp lệ (không đáp ứng các ràng buộc)',
  429: 'Too Many Requests',
} as const;

class SepayApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const routePathOf = (request: FastifyRequest): string => (request.raw.url ?? '').slice(SEPAY_PREFIX.length).split('?')[0] ?? '';

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: unknown, headers: Record<string, string> = {}): FastifyReply {
  if (dropIfMarked(request, reply)) return reply;
  return reply.code(status).headers(headers).send(body);
}

export const sepayApi: FastifyPluginAsync<SepayApiOptions> = async (app, { sepay, faults, scheduler }) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // The consent page is a browser's: no limit, no faults. Every API call (token endpoint included) is limited.
  app.addHook('preHandler', async (request) => {
    if (routePathOf(request) === '/oauth/authorize') return;
    const decision = faults.decide(request.method, routePathOf(request));
    if (decision.latencyMs > 0) await scheduler.sleep(decision.latencyMs);
    if (decision.errorStatus !== null) {
      throw new SepayApiError(decision.errorStatus, `Injected ${decision.errorStatus}`, decision.errorStatus === 429 ? { 'retry-after': '1' } : {});
    }
    const admitted = sepay.admit(request.ip);
    const limitHeaders = { 'x-ratelimit-limit': String(sepay.config.requestsPerSecond), 'x-ratelimit-remaining': String(admitted.remaining) };
    if (admitted.retryAfterSeconds > 0) throw new SepayApiError(429, MESSAGES[429], { ...limitHeaders, 'retry-after': String(admitted.retryAfterSeconds) });
    if (decision.commitThenDrop) markCommitThenDrop(request);
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof OAuthError) return send(request, reply, error.status, { error: error.error, error_description: error.description });
    if (error instanceof SepayApiError) return send(request, reply, error.status, { status: 'error', message: error.message }, error.headers);
    const status = error.statusCode !== undefined && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'sandbox failure');
    return send(request, reply, status, { status: 'error', message: status === 500 ? 'Internal Server Error' : error.message });
  });
  app.setNotFoundHandler((request, reply) => send(request, reply, 404, { status: 'error', message: 'Not Found' }));

  // RFC 6749 §4.1.1: the consent page. The test user consents at once; the browser goes back with code and state.
  app.get('/oauth/authorize', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    if (q.client_id !== sepay.config.clientId) throw new OAuthError(400, 'invalid_client', 'Unknown client_id');
    const redirect = q.redirect_uri ?? '';
    // §4.1.2.1: never redirect to a URI that is not the client's.
    if (!/^https?:\/\//.test(redirect) || (sepay.config.redirectUri !== null && redirect !== sepay.config.redirectUri)) {
      throw new OAuthError(400, 'invalid_request', 'redirect_uri does not match the client’s registered redirect URI');
    }
    const back = new URL(redirect);
    if (q.state !== undefined) back.searchParams.set('state', q.state);
    const scopes = (q.scope ?? '').split(' ').filter(Boolean);
    if (q.response_type !== 'code') back.searchParams.set('error', 'unsupported_response_type');
    else if (scopes.length === 0 || scopes.some((s) => !KNOWN_SCOPES.includes(s))) back.searchParams.set('error', 'invalid_scope');
    else back.searchParams.set('code', sepay.issueCode(redirect, scopes));
    return reply.redirect(back.toString(), 302);
  });

  // RFC 6749 §4.1.3 and §6: form-encoded, client credentials in the body; refresh tokens rotate.
  app.post('/oauth/token', async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
    if (form.get('client_id') !== sepay.config.clientId || form.get('client_secret') !== sepay.config.clientSecret) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed');
    }
    const grantType = form.get('grant_type');
    let tokens: ReturnType<SepayState['issueTokens']>;
    if (grantType === 'authorization_code') {
      const grant = sepay.takeCode(form.get('code') ?? '');
      if (!grant) throw new OAuthError(400, 'invalid_grant', 'The authorization code is invalid, expired or already used');
      if (grant.redirectUri !== form.get('redirect_uri')) throw new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the authorization request');
      tokens = sepay.issueTokens(grant.scopes);
    } else if (grantType === 'refresh_token') {
      const outcome = sepay.refresh(form.get('refresh_token') ?? '');
      if (outcome === 'reused') throw new OAuthError(400, 'invalid_grant', 'The refresh token has already been used');
      if (outcome === 'invalid') throw new OAuthError(400, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
      tokens = outcome;
    } else {
      throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
    }
    return send(request, reply, 200, { token_type: 'Bearer', ...tokens }, { 'cache-control': 'no-store' });
  });

  /** Bearer token, `company` scope, Admin or SuperAdmin: the page's three requirements, in that order. */
  const authorize = (request: FastifyRequest): void => {
    const match = /^Bearer (\S+)$/.exec(String(request.headers.authorization ?? ''));
    const grant = match ? sepay.accessGrant(match[1]!) : undefined;
    if (!grant) throw new SepayApiError(401, MESSAGES[401]);
    if (!grant.scopes.includes('company')) throw new SepayApiError(403, MESSAGES.missingScope);
    if (sepay.role !== 'Admin' && sepay.role !== 'SuperAdmin') throw new SepayApiError(403, MESSAGES[403]);
  };

  app.get('/api/v1/company', async (request, reply) => {
    authorize(request);
    const { configurations, ...company } = sepay.company;
    return send(request, reply, 200, { status: 'success', data: { ...company, role: sepay.role, configurations } });
  });

  app.patch('/api/v1/company/configurations', async (request, reply) => {
    authorize(request);
    let body: unknown;
    try {
      body = JSON.parse(typeof request.body === 'string' ? request.body : '');
    } catch {
      throw new SepayApiError(400, MESSAGES[400]);
    }
    const outcome = validateConfigurations(body);
    if (outcome.kind === 'bad_request') throw new SepayApiError(400, MESSAGES[400]);
    if (outcome.kind === 'refused') return send(request, reply, 200, { status: 'success', data: { status: false, message: outcome.message } });
    if (outcome.formats) sepay.setPaymentCodeFormats(outcome.formats);
    return send(request, reply, 200, { status: 'success', data: { status: true, data: sepay.company.configurations } });
  });
};
