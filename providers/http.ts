/**
 * The one HTTP transport to every provider (Finan, SePay, Tingee), over node-fetch v2.
 * It sends exactly what it is given and classifies failures; it never retries: Temporal's activity retry does,
 * and each attempt is signed afresh by the provider client.
 */
import http from 'node:http';
import https from 'node:https';
import fetch from 'node-fetch';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  /** Sent byte-exact: signatures are computed over this very string. */
  body?: string;
  /** Budget for the whole exchange, response body included. */
  timeoutMs: number;
  /** The caller's cancellation, e.g. a Temporal activity's `cancellationSignal()`. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  bodyText: string;
}

/** Base of the transport failures: no HTTP response was received in full. */
export abstract class TransportError extends Error {
  constructor(
    message: string,
    readonly method: HttpMethod,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class TransportTimeoutError extends TransportError {
  override readonly name = 'TransportTimeoutError';
  constructor(
    method: HttpMethod,
    url: string,
    readonly timeoutMs: number,
  ) {
    super(`${method} ${url} timed out after ${timeoutMs} ms`, method, url);
  }
}

/** The caller cancelled (its AbortSignal fired); not a provider fault. */
export class TransportAbortedError extends TransportError {
  override readonly name = 'TransportAbortedError';
  constructor(method: HttpMethod, url: string) {
    super(`${method} ${url} was cancelled by the caller`, method, url);
  }
}

export class TransportNetworkError extends TransportError {
  override readonly name = 'TransportNetworkError';
  constructor(
    method: HttpMethod,
    url: string,
    /** The system error code when there is one: ECONNRESET, ECONNREFUSED, ENOTFOUND, ... */
    readonly code: string | undefined,
    cause: unknown,
  ) {
    super(`${method} ${url} failed${code ? ` (${code})` : ''}: ${reasonOf(cause)}`, method, url, { cause });
  }
}

// Keep-alive: a signed call costs one round trip instead of a TCP (and TLS) handshake each time.
// LIFO reuses the warmest socket and lets the others idle out.
const httpAgent = new http.Agent({ keepAlive: true, scheduling: 'lifo' });
const httpsAgent = new https.Agent({ keepAlive: true, scheduling: 'lifo' });

/** Closes pooled sockets, for a graceful shutdown. */
export function destroyHttpAgents(): void {
  httpAgent.destroy();
  httpsAgent.destroy();
}

export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  const { method, url, headers, body, timeoutMs, signal } = req;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeoutMs must be positive, got ${timeoutMs}`);
  if (signal?.aborted) throw new TransportAbortedError(method, url);

  // One controller for both causes; `abortedBy` remembers which fired first, so the error says the right thing.
  const controller = new AbortController();
  let abortedBy: 'timeout' | 'caller' | undefined;
  const timer = setTimeout(() => {
    abortedBy ??= 'timeout';
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = (): void => {
    abortedBy ??= 'caller';
    controller.abort();
  };
  signal?.addEventListener('abort', onCallerAbort, { once: true });

  try {
    const res = await fetch(url, {
      method,
      headers,
      body,
      signal: controller.signal,
      agent: (parsed) => (parsed.protocol === 'https:' ? httpsAgent : httpAgent),
      // A followed redirect would replay a signed request to a path it was not signed for: surface it instead.
      redirect: 'manual',
    });
    const bodyText = await res.text();
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      responseHeaders[name.toLowerCase()] = value;
    });
    return { status: res.status, headers: responseHeaders, bodyText };
  } catch (err) {
    if (abortedBy === 'timeout') throw new TransportTimeoutError(method, url, timeoutMs);
    if (abortedBy === 'caller') throw new TransportAbortedError(method, url);
    if (isFetchError(err)) throw new TransportNetworkError(method, url, err.code, err);
    throw err; // a programming error (bad URL, bad header value): not the network's fault, not retryable noise
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names a weekday and month; Date.parse alone would read "-5" as a year.
  const at = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

interface FetchErrorLike {
  name: 'FetchError';
  code?: string;
}

function isFetchError(err: unknown): err is FetchErrorLike {
  return err instanceof Error && err.name === 'FetchError';
}

/** node-fetch says "request to <url> failed, reason: <why>"; the URL is already in our message. */
function reasonOf(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  return /reason: (.*)$/s.exec(message)?.[1] ?? message;
}
