/**
 * Tingee Open API request signing: `x-signature` = lowercase hex HMAC-SHA512(secret key, `${timestamp}:${body}`),
 * `x-request-timestamp` = `yyyyMMddHHmmssSSS` in UTC+7 whatever the host's time zone.
 */
import { createHmac } from 'node:crypto';

/** Vietnam's offset (UTC+7, no daylight saving): Tingee reads every timestamp in it. */
const UTC_PLUS_7_MS = 7 * 60 * 60 * 1000;

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * `yyyyMMddHHmmssSSS` of an instant, in UTC+7. Computed from the instant alone (shifted, then read with the UTC
 * getters), so the host's time zone can never leak in: the page's own samples format local time, wrong on a UTC server.
 */
export function tingeeTimestamp(instantMs: number): string {
  if (!Number.isFinite(instantMs)) throw new RangeError('instantMs must be a finite number of milliseconds since the epoch');
  const t = new Date(Math.floor(instantMs) + UTC_PLUS_7_MS);
  return (
    pad(t.getUTCFullYear(), 4) +
    pad(t.getUTCMonth() + 1, 2) +
    pad(t.getUTCDate(), 2) +
    pad(t.getUTCHours(), 2) +
    pad(t.getUTCMinutes(), 2) +
    pad(t.getUTCSeconds(), 2) +
    pad(t.getUTCMilliseconds(), 3)
  );
}

export interface TingeeSignatureInput {
  secretKey: string;
  /** `x-request-timestamp`, exactly as sent. */
  timestamp: string;
  /** The exact body sent, byte for byte (a bodyless call signs `{}`; every call dongflow makes has a body). */
  body: string;
}

export function tingeeSignature({ secretKey, timestamp, body }: TingeeSignatureInput): string {
  return createHmac('sha512', secretKey).update(`${timestamp}:`, 'utf8').update(body, 'utf8').digest('hex');
}

// A type alias (not an interface) so it is assignable to `Record<string, string>` headers.
export type TingeeAuthHeaders = {
  'x-client-id': string;
  'x-signature': string;
  'x-request-timestamp': string;
  'content-type': 'application/json';
};

export interface TingeeAuthInput {
  clientId: string;
  secretKey: string;
  body: string;
  /** The current instant, milliseconds since the epoch. */
  nowMs: number;
}

export function tingeeAuthHeaders({ clientId, secretKey, body, nowMs }: TingeeAuthInput): TingeeAuthHeaders {
  const timestamp = tingeeTimestamp(nowMs);
  return {
    'x-client-id': clientId,
    'x-signature': tingeeSignature({ secretKey, timestamp, body }),
    'x-request-timestamp': timestamp,
    'content-type': 'application/json',
  };
}
