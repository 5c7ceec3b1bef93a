/**
 * The one Finan error taxonomy. Each class fixes `retryable`, so the activity layer maps errors to Temporal
 * failures by class alone. Errors carry what an operator needs (HTTP status, Finan's code, request id) and never
 * the secret key, request headers or bodies.
 */
import { STATUS_CODES } from 'node:http';
import type { ProviderErrorDetails, ProviderErrorJSON } from '../errors';
import { ProviderError } from '../errors';

export type FinanErrorDetails = ProviderErrorDetails<number>;

export type FinanErrorJSON = ProviderErrorJSON<number>;

export abstract class FinanError extends ProviderError<number> {
  override name = 'FinanError';
}

/** An error answered by Finan with an HTTP status. */
export interface FinanHttpErrorDetails extends FinanErrorDetails {
  httpStatus: number;
}

/** `Finan 422 (code 104000, request_id abc): Invalid OTP code` */
function httpMessage(d: FinanHttpErrorDetails): string {
  const ids = [d.providerCode === undefined ? '' : `code ${d.providerCode}`, d.requestId ? `request_id ${d.requestId}` : ''].filter(Boolean);
  const text = d.providerMessage ?? STATUS_CODES[d.httpStatus] ?? 'Unexpected status';
  return `Finan ${d.httpStatus}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}: ${text}`;
}

/** 400: the request was malformed; sending it again cannot help. */
export class FinanBadRequestError extends FinanError {
  override name = 'FinanBadRequestError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

/** 401: bad client id, signature or timestamp: a configuration problem. */
export class FinanUnauthorizedError extends FinanError {
  override name = 'FinanUnauthorizedError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

/** 403: e.g. "IP address not whitelisted": a configuration problem, never retried. */
export class FinanForbiddenError extends FinanError {
  override name = 'FinanForbiddenError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

export class FinanNotFoundError extends FinanError {
  override name = 'FinanNotFoundError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

/** 422: Finan's decision (insufficient balance, invalid OTP, no tries left); retrying would repeat or worsen it. */
export class FinanUnprocessableError extends FinanError {
  override name = 'FinanUnprocessableError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

export class FinanRateLimitedError extends FinanError {
  override name = 'FinanRateLimitedError';
  readonly retryable = true;
  /** From `Retry-After` (seconds or HTTP date), when Finan sent one. */
  readonly retryAfterMs: number | undefined;
  constructor(details: FinanHttpErrorDetails & { retryAfterMs?: number }) {
    super(httpMessage(details), details);
    this.retryAfterMs = details.retryAfterMs;
  }

  override toJSON(): FinanErrorJSON & { retryAfterMs: number | undefined } {
    return { ...super.toJSON(), retryAfterMs: this.retryAfterMs };
  }
}

/**
 * 409 where the page documents it (customers: a `customer_code` already taken, a customer with an unpaid invoice):
 * Finan's decision about the resource's state; the same request gets the same answer.
 */
export class FinanConflictError extends FinanError {
  override name = 'FinanConflictError';
  readonly retryable = false;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

/** 5xx, and any status the docs do not promise (3xx, 405, 409 outside customers, ...): treated as a transient provider fault. */
export class FinanServerError extends FinanError {
  override name = 'FinanServerError';
  readonly retryable = true;
  constructor(details: FinanHttpErrorDetails) {
    super(httpMessage(details), details);
  }
}

/**
 * A 2xx whose body is not Finan's documented envelope (not JSON, or the wrong shape). Retryable: such bodies come
 * from proxies, gateways and WAF pages or truncated responses, not from Finan deciding anything, and every caller
 * is safe to retry (reads are idempotent; payout creation looks up `reference_id` before creating again).
 */
export class FinanInvalidResponseError extends FinanError {
  override name = 'FinanInvalidResponseError';
  readonly retryable = true;
  constructor(details: FinanHttpErrorDetails & { reason: string }) {
    const ids = details.requestId ? ` (request_id ${details.requestId})` : '';
    super(`Finan ${details.httpStatus}${ids}: invalid response: ${details.reason}`, details);
  }
}

/** The connection failed or dropped before a full response (ECONNRESET, ECONNREFUSED, socket hang up, ...). */
export class FinanNetworkError extends FinanError {
  override name = 'FinanNetworkError';
  readonly retryable = true;
  constructor(
    operation: string,
    /** The system error code, when there is one. */
    readonly code: string | undefined,
    cause?: unknown,
  ) {
    super(`Finan ${operation}: network error${code ? ` (${code})` : ''}`, { cause });
  }
}

export class FinanTimeoutError extends FinanError {
  override name = 'FinanTimeoutError';
  readonly retryable = true;
  constructor(
    operation: string,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(`Finan ${operation}: no response within ${timeoutMs} ms`, { cause });
  }
}

/** The caller cancelled (e.g. the Temporal activity was cancelled): not a failure to retry. */
export class FinanAbortedError extends FinanError {
  override name = 'FinanAbortedError';
  readonly retryable = false;
  constructor(operation: string, cause?: unknown) {
    super(`Finan ${operation}: cancelled by the caller`, { cause });
  }
}

/** Rejected locally, before anything was sent: no HTTP status, never retryable. */
export class FinanRequestValidationError extends FinanError {
  override name = 'FinanRequestValidationError';
  readonly retryable = false;
  constructor(
    /** The offending field, in Finan's words (`description`, `beneficiary_bank_id`, `code`). */
    readonly field: string,
    /** The rule it broke, as a phrase: "must be at most 30 characters". */
    readonly rule: string,
  ) {
    super(`Invalid Finan request: ${field} ${rule}`);
  }

  override toJSON(): FinanErrorJSON & { field: string; rule: string } {
    return { ...super.toJSON(), field: this.field, rule: this.rule };
  }
}

/**
 * The class for an HTTP error status, per the payout page's error table; `conflictDocumented` for the calls whose
 * page lists 409 (customers), where it is Finan's answer rather than a fault on the way.
 */
export function finanErrorForStatus(details: FinanHttpErrorDetails & { retryAfterMs?: number }, conflictDocumented = false): FinanError {
  if (details.httpStatus === 409 && conflictDocumented) return new FinanConflictError(details);
  switch (details.httpStatus) {
    case 400:
      return new FinanBadRequestError(details);
    case 401:
      return new FinanUnauthorizedError(details);
    case 403:
      return new FinanForbiddenError(details);
    case 404:
      return new FinanNotFoundError(details);
    case 422:
      return new FinanUnprocessableError(details);
    case 429:
      return new FinanRateLimitedError(details);
    default:
      return new FinanServerError(details);
  }
}

/** Why a webhook claiming to come from Finan was refused. */
export type FinanWebhookRejection = 'header' | 'stale' | 'signature' | 'payload';

/**
 * A webhook our receiver refused. Not a call to Finan (no HTTP status, nothing to retry on our side): the receiver
 * answers it and, for a genuine event, Finan retries or reconciliation finds the payment.
 */
export abstract class FinanWebhookError extends FinanError {
  override name = 'FinanWebhookError';
  readonly retryable = false;
  abstract readonly reason: FinanWebhookRejection;
  protected constructor(message: string) {
    super(`Finan webhook refused: ${message}`);
  }

  override toJSON(): FinanErrorJSON & { reason: FinanWebhookRejection } {
    return { ...super.toJSON(), reason: this.reason };
  }
}

/** `x-signature` or `x-timestamp` (or `x-client-id`, when one is expected) is missing, repeated or malformed. */
export class FinanWebhookHeaderError extends FinanWebhookError {
  override name = 'FinanWebhookHeaderError';
  readonly reason = 'header';
  constructor(
    readonly header: string,
    problem: string,
  ) {
    super(`${header} header ${problem}`);
  }
}

/** Correctly signed, but its `x-timestamp` is outside the tolerance window: a replay, or a clock far off. */
export class FinanWebhookStaleError extends FinanWebhookError {
  override name = 'FinanWebhookStaleError';
  readonly reason = 'stale';
  constructor(
    readonly timestamp: number,
    readonly nowSeconds: number,
    readonly toleranceSeconds: number,
  ) {
    super(`x-timestamp ${timestamp} is ${Math.abs(Math.floor(nowSeconds) - timestamp)} s from now (tolerance ${toleranceSeconds} s)`);
  }
}

/** The signature matches none of the active secrets (or the path or body differ from what was signed). */
export class FinanWebhookSignatureError extends FinanWebhookError {
  override name = 'FinanWebhookSignatureError';
  readonly reason = 'signature';
  constructor() {
    super('signature does not match');
  }
}

/** Genuine, but the body is not the payment payload the page shows (names the field, never its value). */
export class FinanWebhookPayloadError extends FinanWebhookError {
  override name = 'FinanWebhookPayloadError';
  readonly reason = 'payload';
  constructor(readonly problem: string) {
    super(`invalid payload: ${problem}`);
  }
}
