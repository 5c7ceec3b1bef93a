import { createHash, timingSafeEqual } from 'node:crypto';

/** What Finan hashes; written from the provider page, independently of `providers/`. */
export interface FinanSigningInput {
  secretKey: string;
  /** Upper-case HTTP method, as sent. */
  method: string;
  /** The request target after `/open`, query string included exactly as sent. */
  path: string;
  /** The raw body bytes as received (empty for GET and DELETE). */
  payload: string | Buffer;
  /** `x-timestamp`, Unix seconds, exactly as sent. */
  timestamp: string;
}

/** Lowercase hex SHA-256 (plain hash, not HMAC) of `{SECRET}_{METHOD}_{PATH}_{PAYLOAD}_{TIMESTAMP}`. */
export function finanSignature({ secretKey, method, path, payload, timestamp }: FinanSigningInput): string {
  return (
    createHash('sha256')
      .update(`${secretKey}_${method}_${path}_`, 'utf8')
      // Hash the payload bytes themselves: re-serialising parsed JSON would hide a client's encoding mistakes.
      .update(payload)
      .update(`_${timestamp}`, 'utf8')
      .digest('hex')
  );
}

/** Constant-time comparison of a received `x-signature` with the expected one. */
export function isValidFinanSignature(input: FinanSigningInput, received: string): boolean {
  const expected = Buffer.from(finanSignature(input), 'utf8');
  const given = Buffer.from(received, 'utf8');
  // The expected length (64) is public; timingSafeEqual needs equal lengths.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
