/**
 * API-key authentication for the REST API (`/v1/*`).
 *
 * Keys are configured by hash only (env `DONGFLOW_API_KEYS`), so the configuration never holds a usable secret:
 * `[{ "name": "shop-backend", "sha256": "<hex sha256 of the key>", "scopes": ["payouts:write", "read"] }]`.
 * Callers send `Authorization: Bearer <key>`; the key is hashed and compared in constant time with every configured
 * hash. The key itself is never logged; the request is decorated with the key's `name` for audit logs.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ApiKey, ApiKeyScope } from '../../config/api-keys';
import { bearerToken, digestsEqual, sha256 } from './bearer';

export type { ApiKey, ApiKeyScope } from '../../config/api-keys';
export { API_KEY_SCOPES, ApiKeysConfigError, parseApiKeys } from '../../config/api-keys';

declare module 'fastify' {
  interface FastifyRequest {
    /** Name of the API key that authenticated this request; null on routes that need none. */
    apiKeyName: string | null;
  }
}

/** sha256 (hex) of an API key: the value to put in `DONGFLOW_API_KEYS`. */
export function hashApiKey(key: string): string {
  return sha256(key).toString('hex');
}

/** A new key to hand to a backend (`key`, shown once) and the hash to configure (`sha256`). */
export function generateApiKey(): { key: string; sha256: string } {
  const key = `dfk_${randomBytes(32).toString('base64url')}`;
  return { key, sha256: hashApiKey(key) };
}

/**
 * The scope a dongflow route needs, or null for routes outside `/v1/` (health, metrics, webhooks and the codec server
 * have their own checks). Reads go with `read`; writes by resource; an unlisted write under `/v1/` needs `admin`, so a
 * route added later is closed until someone decides its scope.
 */
export function scopeForRoute(method: string, path: string): ApiKeyScope | null {
  if (path !== '/v1' && !path.startsWith('/v1/')) return null;
  // SePay's redirect comes from the consenting person's browser, which holds no API key: the one-time state guards it.
  if (path === '/v1/sepay/callback') return null;
  // Starting a consent changes which SePay account the deployment acts for; finding a payment code only reads.
  if (path === '/v1/sepay/authorize') return 'settings:write';
  if (path === '/v1/sepay/payment-codes/find') return 'read';
  if (method === 'GET' || method === 'HEAD') return 'read';
  const resource = path.slice('/v1/'.length);
  if (/^payouts(\/|$)/.test(resource)) return 'payouts:write';
  if (/^(payment-requests|invoices)(\/|$)/.test(resource)) return 'payments:write';
  if (/^customers(\/|$)/.test(resource)) return 'customers:write';
  if (/^(sepay|tingee)(\/|$)/.test(resource)) return 'settings:write';
  return 'admin';
}

/**
 * The default `scopeFor`: decides on the *route pattern* the router matched (`/v1/payouts/:referenceId`), not the raw
 * URL, so percent-encoding or other spellings that reach a `/v1` handler cannot dodge the check.
 */
export function defaultScopeFor(request: FastifyRequest): ApiKeyScope | null {
  const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '/';
  return scopeForRoute(request.method, path);
}

export interface ApiKeyAuthOptions {
  keys: readonly ApiKey[];
  /**
   * Scope the request needs, or null when it needs no API key. Default: `defaultScopeFor`. Decide on
   * `request.routeOptions.url` (the matched pattern), not `request.url`: the router decodes `/%76%31/payouts` to `/v1/payouts`.
   */
  scopeFor?: (request: FastifyRequest) => ApiKeyScope | null;
}

/**
 * Adds an `onRequest` hook (before the body is read) to the whole instance. Works called directly
 * (`await apiKeyAuth(app, opts)`) or registered (`app.register(apiKeyAuth, opts)`: it is not encapsulated).
 */
export async function apiKeyAuth<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>,
  opts: ApiKeyAuthOptions,
): Promise<void> {
  const scopeFor = opts.scopeFor ?? defaultScopeFor;
  const keys = [...opts.keys];
  if (!app.hasRequestDecorator('apiKeyName')) app.decorateRequest('apiKeyName', null);

  app.addHook('onRequest', async (request, reply) => {
    const scope = scopeFor(request);
    if (scope === null) return;
    const presented = bearerToken(request.headers.authorization);
    if (presented === undefined) {
      return unauthenticated(reply, 'Missing API key: send Authorization: Bearer <api key>', undefined);
    }
    const key = findKey(keys, presented);
    if (!key) return unauthenticated(reply, 'Unknown API key', 'invalid_token');
    if (!key.scopes.has(scope)) {
      return reply
        .status(403)
        .header('WWW-Authenticate', `Bearer realm="dongflow", error="insufficient_scope", scope="${scope}"`)
        .send({
          error: {
            code: 'forbidden',
            message: `API key "${key.name}" lacks the scope ${scope} needed for ${request.method} ${request.routeOptions.url ?? request.url}`,
            details: { requiredScope: scope, keyName: key.name },
          },
        });
    }
    request.apiKeyName = key.name;
    request.log = request.log.child({ apiKeyName: key.name });
  });
}
// Not encapsulated when registered: the hook must guard routes declared outside this plugin.
Object.assign(apiKeyAuth, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'dongflow-api-key-auth' });

/** Compares against every configured hash, without stopping at a match, so timing says nothing about which key. */
function findKey(keys: readonly ApiKey[], presented: string): ApiKey | undefined {
  const digest = sha256(presented);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (digestsEqual(digest, key.sha256) && !found) found = key;
  }
  return found;
}

function unauthenticated(reply: FastifyReply, message: string, error: 'invalid_token' | undefined): FastifyReply {
  return reply
    .status(401)
    .header('WWW-Authenticate', error ? `Bearer realm="dongflow", error="${error}"` : 'Bearer realm="dongflow"')
    .send({ error: { code: 'unauthenticated', message, details: { scheme: 'Bearer' } } });
}
