import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Tingee's `x-signature`, written from the provider page independently of `providers/`: lowercase hex
 * HMAC-SHA512 keyed with the secret key over `${x-request-timestamp}:${body}`, the body as the bytes received.
 */
export function tingeeSignatureOf(secretKey: string, timestamp: string, body: Buffer): string {
  return createHmac('sha512', secretKey).update(`${timestamp}:`, 'utf8').update(body).digest('hex');
}

/** Constant-time comparison of a received `x-signature` with the expected one (upper-case hex accepted). */
export function isValidTingeeSignature(secretKey: string, timestamp: string, body: Buffer, received: string): boolean {
  const expected = Buffer.from(tingeeSignatureOf(secretKey, timestamp, body), 'utf8');
  const given = Buffer.from(received.toLowerCase(), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
