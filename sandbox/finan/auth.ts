import type { FastifyRequest } from 'fastify';
import type { FinanConfig } from '../config';
import { FinanApiError } from './envelope';
import { rawBodyOf, signedPathOf } from './request';
import { isValidFinanSignature } from './signature';

const authenticatedClients = new WeakMap<FastifyRequest, string>();

function requiredHeader(request: FastifyRequest, name: string): string {
  const value = request.headers[name];
  if (typeof value !== 'string' || value === '') throw new FinanApiError(401, `Missing ${name} header`);
  return value;
}

/**
 * Checks Finan's request authentication: `x-client-id` known, `x-timestamp` (Unix seconds) within the window of the
 * sandbox clock, and `x-signature` over the method, the path after `/open` with its query, the raw body and the
 * timestamp. Throws a 401 otherwise.
 */
export function authenticateFinanRequest(request: FastifyRequest, config: FinanConfig, nowMs = Date.now()): void {
  const clientId = requiredHeader(request, 'x-client-id');
  const signature = requiredHeader(request, 'x-signature');
  const timestamp = requiredHeader(request, 'x-timestamp');
  if (clientId !== config.clientId) throw new FinanApiError(401, 'Invalid client id');
  if (!/^\d{1,12}$/.test(timestamp)) throw new FinanApiError(401, 'Invalid x-timestamp header');
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > config.timestampWindowSeconds) {
    throw new FinanApiError(401, `Request timestamp is more than ${config.timestampWindowSeconds} seconds off`);
  }
  const method = request.raw.method ?? request.method;
  const signed = {
    secretKey: config.secretKey,
    method,
    path: signedPathOf(request),
    // The page signs an empty payload for GET and DELETE, whatever bytes came along.
    payload: method === 'GET' || method === 'DELETE' ? '' : rawBodyOf(request),
    timestamp,
  };
  if (!isValidFinanSignature(signed, signature)) throw new FinanApiError(401, 'Invalid signature');
  authenticatedClients.set(request, clientId);
}

/** The client id a request was authenticated as (only callable behind the authentication hook). */
export function authenticatedClientId(request: FastifyRequest): string {
  const clientId = authenticatedClients.get(request);
  if (clientId === undefined) throw new Error('request was not authenticated');
  return clientId;
}
