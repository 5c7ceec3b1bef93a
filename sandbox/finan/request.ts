import type { FastifyRequest } from 'fastify';
import { FinanApiError } from './envelope';

/** Where the Finan emulator is mounted; Finan's own base is `https://api.finan.one/open`. */
export const FINAN_PREFIX = '/finan/open';

/** The request target after `/open`, query string included exactly as sent: what Finan signs. */
export function signedPathOf(request: FastifyRequest): string {
  const target = request.raw.url ?? '';
  return target.startsWith(FINAN_PREFIX) ? target.slice(FINAN_PREFIX.length) : target;
}

/** The path after `/open` without its query string: what fault rules match. */
export function routePathOf(request: FastifyRequest): string {
  const path = signedPathOf(request);
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

/** The body bytes exactly as received (the Finan scope's content-type parser keeps them unparsed). */
export function rawBodyOf(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}

/** Parses the raw body as JSON, after the signature over those bytes has been checked. */
export function jsonBodyOf(request: FastifyRequest, invalid = 'request body must be valid JSON'): unknown {
  try {
    return JSON.parse(rawBodyOf(request).toString('utf8'));
  } catch {
    throw new FinanApiError(400, invalid);
  }
}
