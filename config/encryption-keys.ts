/**
 * Encryption key rings for the payload codec.
 *
 * Format (env `DONGFLOW_ENCRYPTION_KEYS` and the local key file alike): comma-separated `id:base64key` entries,
 * **newest first**, e.g. `k2:BASE64,k1:BASE64`. The first key encrypts; every key decrypts, so rotating is
 * "prepend a new key, keep the old ones until no history needs them".
 *
 * Key bytes are held as `crypto.KeyObject`s, which print and serialize without their material, and no error here
 * ever quotes a key (or an entry that might be one).
 */
import { createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const KEY_BYTES = 32;
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;

export interface EncryptionKey {
  readonly id: string;
  /** AES-256 key material; a KeyObject so that logging or JSON-serializing it never reveals the bytes. */
  readonly key: KeyObject;
}

export interface KeyRing {
  /** The newest key: every new payload is encrypted with it. */
  readonly current: EncryptionKey;
  /** Every key by id, the current one included: payloads encrypted with any of them still decrypt. */
  readonly all: ReadonlyMap<string, KeyObject>;
}

/** A key ring that cannot be used; `problems` holds one line per bad entry, none of them containing key material. */
export class KeyRingError extends Error {
  constructor(readonly problems: string[], source = 'DONGFLOW_ENCRYPTION_KEYS') {
    super(`Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'KeyRingError';
  }
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Standard or URL-safe base64, padding optional; rejects what Node's lenient decoder would silently truncate. */
function isCanonicalBase64(text: string): boolean {
  if (!BASE64.test(text)) return false;
  const normalized = text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  return Buffer.from(normalized, 'base64').toString('base64').replace(/=+$/, '') === normalized;
}

/** Parses `id:base64key,...` (newest first). Throws `KeyRingError` listing every bad entry at once. */
export function parseKeyRing(value: string | undefined, source?: string): KeyRing {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== ''); // a trailing comma is harmless
  if (entries.length === 0) {
    throw new KeyRingError(['no keys: expected comma-separated id:base64key entries, newest first (e.g. k2:BASE64,k1:BASE64)'], source);
  }
  const problems: string[] = [];
  const keys: EncryptionKey[] = [];
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    const where = `entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      // Probably a bare key: say so without echoing it.
      problems.push(`${where}: expected id:base64key (no ':' found)`);
      return;
    }
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(id)) {
      // The id is not echoed either: a malformed entry may have key material in that position.
      problems.push(`${where}: the key id must be 1-32 characters of A-Z a-z 0-9 . _ - (got ${id.length} characters)`);
      return;
    }
    const named = `${where} ("${id}")`;
    if (seen.has(id)) {
      problems.push(`${named}: duplicate key id; each id must name one key`);
      return;
    }
    seen.add(id);
    if (!isCanonicalBase64(encoded)) {
      problems.push(`${named}: the key is not valid base64`);
      return;
    }
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== KEY_BYTES) {
      problems.push(`${named}: the key must decode to exactly ${KEY_BYTES} bytes (got ${bytes.length}); generate one with \`openssl rand -base64 32\``);
      return;
    }
    keys.push({ id, key: createSecretKey(bytes) });
    bytes.fill(0);
  });
  if (problems.length > 0) throw new KeyRingError(problems, source);
  return { current: keys[0]!, all: new Map(keys.map((k) => [k.id, k.key])) };
}

