import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { KeyRingError, LOCAL_KEY_FILE, generateKey, loadOrCreateLocalKeyRing, parseKeyRing } from '../../codec/keys';
import { K1, K2 } from './keyring-fixtures';

function problemsOf(value: string): string[] {
  try {
    parseKeyRing(value);
  } catch (err) {
    expect(err).toBeInstanceOf(KeyRingError);
    return (err as KeyRingError).problems;
  }
  throw new Error('expected the key ring to be refused');
}

describe('key ring parsing (DONGFLOW_ENCRYPTION_KEYS)', () => {
  it('takes the first entry as the current key and keeps every key for decryption', () => {
    const ring = parseKeyRing(`k2:${K2}, k1:${K1}`);
    expect(ring.current.id).toBe('k2');
    expect([...ring.all.keys()]).toEqual(['k2', 'k1']);
    expect(ring.all.get('k1')!.export().equals(Buffer.from(K1, 'base64'))).toBe(true);
    expect(ring.current.key.symmetricKeySize).toBe(32);
  });

  it('accepts URL-safe base64 and missing padding, and ignores a trailing comma', () => {
    const urlSafe = Buffer.alloc(32, 0xfb).toString('base64url');
    const ring = parseKeyRing(`u:${urlSafe},`);
    expect(ring.all.get('u')!.export().equals(Buffer.alloc(32, 0xfb))).toBe(true);
  });

  it('names a key that is not base64', () => {
    expect(problemsOf(`k1:not*base64!`)).toEqual(['entry 1 ("k1"): the key is not valid base64']);
  });

  it('names a key of the wrong length, with the length it has', () => {
    const short = Buffer.alloc(16, 1).toString('base64');
    expect(problemsOf(`k2:${K2},k1:${short}`)).toEqual([expect.stringMatching(/^entry 2 \("k1"\): the key must decode to exactly 32 bytes \(got 16\)/)]);
  });

  it('names a duplicate id', () => {
    expect(problemsOf(`k1:${K1},k1:${K2}`)).toEqual(['entry 2 ("k1"): duplicate key id; each id must name one key']);
  });

  it('reports every bad entry at once, one message each', () => {
    const problems = problemsOf(`ok:${K1},bad id:${K2},${K2},dup:${K1},dup:${K2},short:AAAA`);
    expect(problems).toEqual([
      expect.stringMatching(/^entry 2: the key id must be/),
      expect.stringMatching(/^entry 3: expected id:base64key/),
      expect.stringMatching(/^entry 5 \("dup"\): duplicate key id/),
      expect.stringMatching(/^entry 6 \("short"\): the key must decode to exactly 32 bytes \(got 3\)/),
    ]);
  });

  it('refuses an empty value', () => {
    expect(problemsOf('')).toEqual([expect.stringMatching(/^no keys/)]);
    expect(problemsOf(' , ')).toEqual([expect.stringMatching(/^no keys/)]);
  });

  it('never prints key material in its errors, even for entries it cannot parse', () => {
    const wrongLength = Buffer.alloc(31, 7).toString('base64');
    let message = '';
    try {
      parseKeyRing(`${K1},k2:${wrongLength},${K2}:k3,${K1.slice(0, 20)}:${K2}`);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid DONGFLOW_ENCRYPTION_KEYS:/);
    for (const secret of [K1, K2, wrongLength, K1.slice(0, 20), K2.slice(0, 12)]) expect(message).not.toContain(secret);
  });

  it('holds keys as KeyObjects that print and serialize without their bytes', () => {
    const ring = parseKeyRing(`k1:${K1}`);
    const shown = `${inspect(ring, { depth: 10 })} ${JSON.stringify({ ...ring, all: [...ring.all] })}`;
    expect(shown).not.toContain(K1);
    expect(shown).not.toContain(Buffer.from(K1, 'base64').toString('hex'));
  });
});

describe('generateKey', () => {
  it('returns an entry the parser accepts, with a fresh random key each time', () => {
    const a = generateKey('k3');
    const b = generateKey('k3');
    expect(a).toMatch(/^k3:[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(parseKeyRing(`${generateKey()},${a}`).all.size).toBe(2);
  });

  it('refuses an id the parser would refuse', () => {
    expect(() => generateKey('has space')).toThrow(/key id/);
  });
});

describe('local key ring (embedded default)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'dongflow-keys-')), 'nested', 'data');
  });
  afterEach(() => rmSync(join(dataDir, '..', '..'), { recursive: true, force: true }));

  it('creates <dataDir>/encryption-keys once, mode 0600, and reuses it', () => {
    const first = loadOrCreateLocalKeyRing(dataDir, new Date('2025-03-07T10:00:00Z'));
    const path = join(dataDir, LOCAL_KEY_FILE);
    expect(first.current.id).toBe('local-20250307');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const contents = readFileSync(path, 'utf8');
    expect(contents).toMatch(/^local-20250307:[A-Za-z0-9+/]{43}=\n$/);

    const second = loadOrCreateLocalKeyRing(dataDir, new Date('2026-01-01T00:00:00Z'));
    expect(second.current.id).toBe('local-20250307');
    expect(second.current.key.equals(first.current.key)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(contents);
  });

  it('reads a rotated file (newest first, one entry per line or comma-separated)', () => {
    loadOrCreateLocalKeyRing(dataDir);
    const path = join(dataDir, LOCAL_KEY_FILE);
    writeFileSync(path, `k2:${K2}\nk1:${K1}\n`, { mode: 0o600 });
    const ring = loadOrCreateLocalKeyRing(dataDir);
    expect(ring.current.id).toBe('k2');
    expect([...ring.all.keys()]).toEqual(['k2', 'k1']);
  });

  it('tightens a key file that became readable by others', () => {
    loadOrCreateLocalKeyRing(dataDir);
    const path = join(dataDir, LOCAL_KEY_FILE);
    chmodSync(path, 0o644);
    loadOrCreateLocalKeyRing(dataDir);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('names the file when its contents are bad', () => {
    loadOrCreateLocalKeyRing(dataDir);
    const path = join(dataDir, LOCAL_KEY_FILE);
    writeFileSync(path, 'k1:AAAA\n');
    expect(() => loadOrCreateLocalKeyRing(dataDir)).toThrow(`Invalid ${path}`);
  });
});
