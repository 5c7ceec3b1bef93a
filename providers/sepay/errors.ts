/**
 * The one SePay error taxonomy. Each class fixes `retryable`; errors carry HTTP status, SePay's code (the OAuth
 * `error`, when there is one) and the request id, never a token, a code or the client secret.
 */
import { STATUS_CODES } from 'node:http';
import type { ProviderErrorDetails, ProviderErrorJSON } from '../errors';
import { ProviderError } from '../errors';

export type SepayErrorDetails = ProviderErrorDetails<string>;

export type SepayErrorJSON = ProviderErrorJSON<string>;

export abstract class SepayError extends ProviderError<string> {
  override name = 'SepayError';
}

interface HttpDetails extends SepayErrorDetails {
  httpStatus: number;
}

/** `SePay 403 (request id abc): Forbidden` */
function httpMessage(d: HttpDetails): string {
  const ids = [d.providerCode, d.requestId ? `request id ${d.requestId}` : ''].filter(Boolean);
  const text = d.providerMessage ?? STATUS_CODES[d.httpStatus] ?? 'Unexpected status';
  return `SePay ${d.httpStatus}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}: ${text}`;
}

/** Refused before sending: a request SePay's page says it would refuse. */
export class SepayRequestValidationError extends SepayError {
  override name = 'SepayRequestValidationError';
  readonly retryable = false;
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field} ${rule}`);
  }
}

export class SepayBadRequestError extends SepayError {
  override name = 'SepayBadRequestError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** 401 on the API: the access token is invalid or expired; refresh it and try once more. */
export class SepayUnauthorizedError extends SepayError {
  override name = 'SepayUnauthorizedError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** 403: the user is not Admin/SuperAdmin, or the token lacks the scope. Only a person can fix it. */
export class SepayForbiddenError extends SepayError {
  override name = 'SepayForbiddenError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** `HTTP 200` with `data.status: false`: SePay refused the change and applied nothing. */
export class SepayRejectedError extends SepayError {
  override name = 'SepayRejectedError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** The token endpoint refused the code or refresh token (`invalid_grant`): expired, used or revoked. Consent is needed again. */
export class SepayInvalidGrantError extends SepayError {
  override name = 'SepayInvalidGrantError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** The token endpoint refused our client id or secret (`invalid_client`): a configuration problem. */
export class SepayInvalidClientError extends SepayError {
  override name = 'SepayInvalidClientError';
  readonly retryable = false;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

export class SepayRateLimitedError extends SepayError {
  override name = 'SepayRateLimitedError';
  readonly retryable = true;
  constructor(
    details: HttpDetails,
    /** From `Retry-After`, when SePay sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(httpMessage(details), details);
  }

  override toJSON(): SepayErrorJSON & { retryAfterMs: number | undefined } {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/** 5xx and statuses the page does not promise. */
export class SepayServerError extends SepayError {
  override name = 'SepayServerError';
  readonly retryable = true;
  constructor(details: HttpDetails) {
    super(httpMessage(details), details);
  }
}

/** A 2xx whose body is not what the page documents (a proxy's page, a truncated answer). */
export class SepayInvalidResponseError extends SepayError {
  override name = 'SepayInvalidResponseError';
  readonly retryable = true;
  constructor(details: HttpDetails & { reason: string }) {
    super(`SePay ${details.httpStatus}${details.requestId ? ` (request id ${details.requestId})` : ''}: invalid response: ${details.reason}`, details);
  }
}

export class SepayNetworkError extends SepayError {
  override name = 'SepayNetworkError';
  readonly retryable = true;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
  }
}

export class SepayTimeoutError extends SepayError {
  override name = 'SepayTimeoutError';
  readonly retryable = true;
  constructor(message: string) {
    super(message);
  }
}

export class SepayAbortedError extends SepayError {
  override name = 'SepayAbortedError';
  readonly retryable = false;
  constructor(message: string) {
    super(message);
  }
}
