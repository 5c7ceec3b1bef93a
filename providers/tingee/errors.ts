/**
 * The one Tingee error taxonomy. Each class fixes `retryable`, so the activity layer maps errors to Temporal failures
 * by class alone. Errors carry HTTP status, Tingee's code and the request id, never the secret key, headers or bodies
 * (a create-or-update body holds the account's password).
 */
import { STATUS_CODES } from 'node:http';
import type { ProviderErrorDetails, ProviderErrorJSON } from '../errors';
import { ProviderError } from '../errors';

/** Tingee's authentication codes (the page's table), each with the message an operator can act on. */
export const TINGEE_AUTH_CODES = {
  /** Wrong timestamp format: a bug or a misconfigured client, never fixed by a retry. */
  timestampFormat: '90',
  /** Request expired (outside Tingee's window): retried with a fresh timestamp. */
  requestExpired: '91',
  /** Wrong signature: TINGEE_SECRET_KEY (or TINGEE_CLIENT_ID) does not match Tingee's. */
  signature: '97',
} as const;

export type TingeeErrorDetails = ProviderErrorDetails<string>;

export type TingeeErrorJSON = ProviderErrorJSON<string>;

export abstract class TingeeError extends ProviderError<string> {
  override name = 'TingeeError';
}

export interface TingeeAnswerDetails extends TingeeErrorDetails {
  httpStatus: number;
}

/** `Tingee 200 (code 1001, request_id abc): Tài khoản đã tồn tại` */
function answerMessage(d: TingeeAnswerDetails, fallback?: string): string {
  const ids = [d.providerCode === undefined ? '' : `code ${d.providerCode}`, d.requestId ? `request_id ${d.requestId}` : ''].filter(Boolean);
  const text = fallback ?? d.providerMessage ?? STATUS_CODES[d.httpStatus] ?? 'Unexpected status';
  return `Tingee ${d.httpStatus}${ids.length > 0 ? ` (${ids.join(', ')})` : ''}: ${text}`;
}

/** Code 90: Tingee cannot read our `x-request-timestamp`. A configuration (or code) error: never retried. */
export class TingeeTimestampFormatError extends TingeeError {
  override name = 'TingeeTimestampFormatError';
  readonly retryable = false;
  constructor(details: TingeeAnswerDetails) {
    super(answerMessage(details, 'Tingee refused the request timestamp format (code 90): x-request-timestamp must be yyyyMMddHHmmssSSS in UTC+7'), details);
  }
}

/** Code 91: the request arrived outside Tingee's time window. Retried: the next attempt is signed with a fresh timestamp. */
export class TingeeRequestExpiredError extends TingeeError {
  override name = 'TingeeRequestExpiredError';
  readonly retryable = true;
  constructor(details: TingeeAnswerDetails) {
    super(answerMessage(details, "Tingee says the request expired (code 91): check this host's clock (NTP) if it repeats"), details);
  }
}

/** Code 97: Tingee does not accept our signature. A configuration error: never retried. */
export class TingeeSignatureError extends TingeeError {
  override name = 'TingeeSignatureError';
  readonly retryable = false;
  constructor(details: TingeeAnswerDetails) {
    super(answerMessage(details, 'Tingee refused the signature (code 97): check TINGEE_CLIENT_ID and TINGEE_SECRET_KEY'), details);
  }
}

/** Any other code Tingee answers: its decision about this request (a duplicate, an unknown id, a field it refuses). */
export class TingeeRefusedError extends TingeeError {
  override name = 'TingeeRefusedError';
  readonly retryable = false;
  constructor(details: TingeeAnswerDetails) {
    super(answerMessage(details), details);
  }
}

export class TingeeRateLimitedError extends TingeeError {
  override name = 'TingeeRateLimitedError';
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;
  constructor(details: TingeeAnswerDetails & { retryAfterMs?: number }) {
    super(answerMessage(details), details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** 5xx, and any non-2xx answer without Tingee's envelope (a proxy's page): a transient fault. */
export class TingeeServerError extends TingeeError {
  override name = 'TingeeServerError';
  readonly retryable = true;
  constructor(details: TingeeAnswerDetails) {
    super(answerMessage(details), details);
  }
}

/** A 2xx whose body is neither of Tingee's envelopes, or whose data is not the documented shape. */
export class TingeeInvalidResponseError extends TingeeError {
  override name = 'TingeeInvalidResponseError';
  readonly retryable = true;
  constructor(details: TingeeAnswerDetails & { reason: string }) {
    super(answerMessage(details, `invalid response: ${details.reason}`), details);
  }
}

export class TingeeNetworkError extends TingeeError {
  override name = 'TingeeNetworkError';
  readonly retryable = true;
  constructor(
    operation: string,
    readonly code: string | undefined,
    cause?: unknown,
  ) {
    super(`Tingee ${operation}: network error${code ? ` (${code})` : ''}`, { cause });
  }
}

export class TingeeTimeoutError extends TingeeError {
  override name = 'TingeeTimeoutError';
  readonly retryable = true;
  constructor(
    operation: string,
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    super(`Tingee ${operation}: no response within ${timeoutMs} ms`, { cause });
  }
}

/** The caller cancelled (e.g. the Temporal activity was cancelled): not a failure to retry. */
export class TingeeAbortedError extends TingeeError {
  override name = 'TingeeAbortedError';
  readonly retryable = false;
  constructor(operation: string, cause?: unknown) {
    super(`Tingee ${operation}: cancelled by the caller`, { cause });
  }
}

/** Refused locally, before anything was signed or sent. Names the field and the rule, never the value. */
export class TingeeRequestValidationError extends TingeeError {
  override name = 'TingeeRequestValidationError';
  readonly retryable = false;
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`Invalid Tingee request: ${field} ${rule}`);
  }
}

/** The class for an error Tingee answered in its envelope. */
export function tingeeErrorForCode(details: TingeeAnswerDetails): TingeeError {
  switch (details.providerCode) {
    case TINGEE_AUTH_CODES.timestampFormat:
      return new TingeeTimestampFormatError(details);
    case TINGEE_AUTH_CODES.requestExpired:
      return new TingeeRequestExpiredError(details);
    case TINGEE_AUTH_CODES.signature:
      return new TingeeSignatureError(details);
    default:
      return new TingeeRefusedError(details);
  }
}
