/**
 * Encryption key rings for the payload codec: new keys, and the embedded default's local key file. The format and
 * its parsing are configuration (`config/encryption-keys.ts`).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyRing } from '../config/encryption-keys';
import { KEY_BYTES, KEY_ID_PATTERN, parseKeyRing } from '../config/encryption-keys';

export type { EncryptionKey, KeyRing } from '../config/encryption-keys';
export { KEY_BYTES, KEY_ID_PATTERN, KeyRingError, parseKeyRing } from '../config/encryption-keys';

export const LOCAL_KEY_FILE = 'encryption-keys';

/** A new random key as a ready-to-use entry, `id:base64` (prepend it to DONGFLOW_ENCRYPTION_KEYS to rotate). */
export function generateKey(id = `k-${yyyymmdd(new Date())}-${randomBytes(2).toString('hex')}`): string {
  if (!KEY_ID_PATTERN.test(id)) throw new Error('the key id must be 1-32 characters of A-Z a-z 0-9 . _ -');
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/**
 * The key ring of the embedded default stack only (a developer laptop): `<dataDir>/encryption-keys`, created on first
 * use with one random key (`local-<yyyymmdd>`), mode 0600. Never use it for a remote cluster: every machine would
 * invent its own key and could not read the others' payloads.
 */
export function loadOrCreateLocalKeyRing(dataDir: string, now: Date = new Date()): KeyRing {
  const path = join(dataDir, LOCAL_KEY_FILE);
  let contents: string;
  try {
    contents = readFileSync(path, 'utf8');
    // Our own secret file: keep it private even if something loosened it.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    contents = createLocalKeyFile(dataDir, path, `local-${yyyymmdd(now)}`);
  }
  return parseKeyRing(contents.replace(/\s*\n\s*/g, ','), path);
}

/** Writes a complete file under a temporary name, then links it into place: a crash or a racing process never leaves a half-written key. */
function createLocalKeyFile(dataDir: string, path: string, id: string): string {
  mkdirSync(dataDir, { recursive: true });
  const contents = `${generateKey(id)}\n`;
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, contents);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
    return contents;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(path, 'utf8'); // another process created it first: use theirs
  } finally {
    unlinkSync(temporary);
  }
}

function yyyymmdd(date: Date): string {
  return date.toISOString().slice(0, 10).replace(/-/g, '');
}
