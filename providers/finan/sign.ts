/**
 * Finan Open API request signing: plain SHA-256 (not HMAC) over
 * `{SECRET}_{METHOD}_{PATH}_{PAYLOAD}_{TIMESTAMP}`, lowercase hex.
 */
import { createHash } from 'node:crypto';
import type { HttpMethod } from '../http';

export interface FinanSignatureInput {
  secretKey: string;
  /** Upper case, as sent. */
  method: HttpMethod;
  /** The part after `/open`, query string included exactly as sent: `/api/v1/payments?reference_id=INV-001`. */
  path: string;
  /** The exact body sent ('' for GET and DELETE); raw bytes when verifying what was received. */
  payload: string | Uint8Array;
  /** Unix seconds, as sent in `x-timestamp`. */
  timestamp: string | number;
}

export function finanSignature({ secretKey, method, path, payload, timestamp }: FinanSignatureInput): string {
  // The payload is hashed as the bytes themselves: decoding a received body to text first could alter it.
  return createHash('sha256').update(`${secretKey}_${method}_${path}_`, 'utf8').update(payload).update(`_${timestamp}`, 'utf8').digest('hex');
}

// A type alias (not an interface) so it is assignable to `Record<string, string>` headers.
export type FinanAuthHeaders = {
  'x-client-id': string;
  'x-signature': string;
  'x-timestamp': string;
  'content-type': 'application/json';
};

export interface FinanAuthInput extends Omit<FinanSignatureInput, 'timestamp'> {
  clientId: string;
  /** Current Unix time in seconds; Finan rejects requests more than 30 s off its clock. */
  nowSeconds: number;
}

export function finanAuthHeaders({ clientId, nowSeconds, ...toSign }: FinanAuthInput): FinanAuthHeaders {
  if (!Number.isFinite(nowSeconds)) throw new RangeError('nowSeconds must be a finite number of Unix seconds');
  // Finan's timestamp is whole seconds: a fractional clock reading must not leak into the signed string.
  const timestamp = String(Math.floor(nowSeconds));
  return {
    'x-client-id': clientId,
    'x-signature': finanSignature({ ...toSign, timestamp }),
    'x-timestamp': timestamp,
    'content-type': 'application/json',
  };
}
