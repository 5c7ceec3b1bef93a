/**
 * Verification of Finan's payment webhook, for our receiver. Per the payments page, Finan signs a webhook like a
 * request: SHA-256 of `{SECRET}_POST_{receiver's own path}_{raw body}_{x-timestamp}`. On top of the page (which
 * compares with `==` and has no time check), we follow the webhook baseline: raw bytes, constant-time compare,
 * several active secrets (rotation), and a timestamp window against replays.
 */
import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { FinanWebhookHeaderError, FinanWebhookPayloadError, FinanWebhookSignatureError, FinanWebhookStaleError } from './errors';
import { FinanPaymentWebhook } from './payment-schemas';
import { finanSignature } from './sign';

export interface FinanWebhookInput {
  /** The body exactly as received, before any JSON parsing. */
  rawBody: Buffer | string;
  /** Request headers; names are matched case-insensitively. */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /**
   * The receiver's own path, as Finan addressed it: the request target with its query string, if the registered
   * URL has one (`/webhooks/finan`). Interpretation: the page signs "/webhook", its handler's path, the same way
   * request signing covers the path after `/open`.
   */
  path: string;
  /** Active secrets, newest first; during a rotation both the new and the old one verify. */
  secrets: readonly string[];
  nowSeconds: number;
  /** How far `x-timestamp` may be from now, either way (Stripe uses 300 s). */
  toleranceSeconds: number;
  /**
   * When given, an `x-client-id` header, if present, must equal it (the page's handler reads it without checking
   * it; the page does not promise the header on webhooks, so its absence is not a refusal: the signature still is).
   */
  clientId?: string;
}

export interface VerifiedFinanWebhook {
  event: FinanPaymentWebhook;
  /** `x-timestamp`, Unix seconds. */
  timestamp: number;
  /** Which of `secrets` verified it: a receiver still seeing index 1 after a rotation knows the old one is in use. */
  secretIndex: number;
}

/** Checks headers, signature, then the time window, then the payload; throws a `FinanWebhookError` subclass. */
export function verifyFinanWebhook(input: FinanWebhookInput): VerifiedFinanWebhook {
  const { rawBody, headers, path, secrets, nowSeconds, toleranceSeconds, clientId } = input;
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== 'string' || secret === '')) {
    throw new TypeError('verifyFinanWebhook needs at least one non-empty secret');
  }
  if (!Number.isFinite(nowSeconds)) throw new RangeError('nowSeconds must be finite Unix seconds');
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new RangeError('toleranceSeconds must be a non-negative number');
  if (typeof path !== 'string' || !path.startsWith('/')) throw new TypeError('path must be the receiver path, starting with /');

  const signature = singleHeader(headers, 'x-signature');
  const timestampText = singleHeader(headers, 'x-timestamp');
  if (!/^\d{1,12}$/.test(timestampText)) throw new FinanWebhookHeaderError('x-timestamp', 'is not Unix seconds');
  if (clientId !== undefined && hasHeader(headers, 'x-client-id') && !equalText(singleHeader(headers, 'x-client-id'), clientId)) {
    throw new FinanWebhookHeaderError('x-client-id', 'is not our client id');
  }

  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  // Every secret is tried, so the time taken does not tell which one (or whether an early one) matched.
  let secretIndex = -1;
  secrets.forEach((secret, index) => {
    const expected = finanSignature({ secretKey: secret, method: 'POST', path, payload: body, timestamp: timestampText });
    if (equalText(signature.toLowerCase(), expected) && secretIndex === -1) secretIndex = index;
  });
  if (secretIndex === -1) throw new FinanWebhookSignatureError();

  // After the signature: "stale" then always means a genuine webhook replayed or delayed, never a forgery.
  const timestamp = Number(timestampText);
  if (Math.abs(Math.floor(nowSeconds) - timestamp) > toleranceSeconds) throw new FinanWebhookStaleError(timestamp, nowSeconds, toleranceSeconds);

  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new FinanWebhookPayloadError('body is not JSON');
  }
  const parsed = FinanPaymentWebhook.safeParse(json);
  if (!parsed.success) throw new FinanWebhookPayloadError(describe(parsed.error.issues));
  return { event: parsed.data, timestamp, secretIndex };
}

function singleHeader(headers: FinanWebhookInput['headers'], name: string): string {
  const values = Object.entries(headers)
    .filter(([key]) => key.toLowerCase() === name)
    .flatMap(([, value]) => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]));
  if (values.length === 0 || values[0] === '') throw new FinanWebhookHeaderError(name, 'is missing');
  if (values.length > 1) throw new FinanWebhookHeaderError(name, 'is repeated');
  return values[0] as string;
}

function hasHeader(headers: FinanWebhookInput['headers'], name: string): boolean {
  return Object.entries(headers).some(([key, value]) => key.toLowerCase() === name && value !== undefined);
}

/** Constant-time for equal lengths; a length difference (public: signatures are 64 hex digits) returns at once. */
function equalText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Field paths and rules only: a payload carries payment data that stays out of messages and logs. */
function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
