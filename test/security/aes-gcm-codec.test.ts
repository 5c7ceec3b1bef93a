import { METADATA_ENCODING_KEY, defaultPayloadConverter } from '@temporalio/common';
import type { Payload } from '@temporalio/common';
import fc from 'fast-check';
import { AesGcmCodec, ENCRYPTED_ENCODING, METADATA_ENCRYPTION_KEY_ID, PayloadDecryptionError } from '../../codec/aes-gcm-codec';
import { dataConverterFor } from '../../codec/data-converter';
import { parseKeyRing } from '../../codec/keys';
import { K1, K2, ringK1, ringK2K1 } from './keyring-fixtures';

const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const json = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);

const arbitraryPayload: fc.Arbitrary<Payload> = fc.record({
  metadata: fc.dictionary(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
  ),
  data: fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
});

/** Compares payloads by content, whatever Uint8Array flavour each side uses. */
function normalized(p: Payload) {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('hex')])),
    data: Buffer.from(p.data ?? []).toString('hex'),
  };
}

describe('AES-GCM payload codec', () => {
  const codec = new AesGcmCodec(ringK1());

  it('decodes what it encoded, for any payloads', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbitraryPayload, { maxLength: 5 }), async (payloads) => {
        const decoded = await codec.decode(await codec.encode(payloads));
        expect(decoded.map(normalized)).toEqual(payloads.map(normalized));
      }),
    );
  });

  it('marks encrypted payloads binary/encrypted with the key id, and hides the original metadata', async () => {
    const [encoded] = await codec.encode([json({ code: '123456' })]);
    expect(Object.keys(encoded!.metadata!).sort()).toEqual([METADATA_ENCRYPTION_KEY_ID, METADATA_ENCODING_KEY].sort());
    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k1');
    expect(text(encoded!.data)).not.toContain('json/plain');
  });

  it('lays data out as iv (12) || ciphertext || tag (16)', async () => {
    const plain = json({ code: '123456' });
    const [encoded] = await codec.encode([plain]);
    const { temporal } = await import('@temporalio/proto');
    const plaintextLength = temporal.api.common.v1.Payload.encode(plain).finish().length;
    expect(encoded!.data!.length).toBe(12 + plaintextLength + 16);
  });

  it('gives different ciphertexts for equal inputs (random IV)', async () => {
    const plain = json({ code: '123456' });
    const [a, b] = await codec.encode([plain, plain]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
  });

  it('never lets a marker from the plaintext show in the ciphertext', async () => {
    const marker = 'SECRET-MARKER-0123456789';
    const [encoded] = await codec.encode([json({ password: marker, code: marker })]);
    const data = Buffer.from(encoded!.data!);
    expect(data.includes(marker)).toBe(false);
    expect(data.toString('base64')).not.toContain(Buffer.from(marker).toString('base64'));
  });

  it('refuses a payload with any byte altered (iv, ciphertext or tag)', async () => {
    const [encoded] = await codec.encode([json({ amount: 50_000 })]);
    const length = encoded!.data!.length;
    for (const index of [0, 11, 12, Math.floor(length / 2), length - 17, length - 1]) {
      const data = Buffer.from(encoded!.data!);
      data[index] = data[index]! ^ 0x01;
      await expect(codec.decode([{ ...encoded!, data }])).rejects.toThrow(/authentication failed/);
    }
  });

  it('refuses a truncated payload', async () => {
    const [encoded] = await codec.encode([json(1)]);
    await expect(codec.decode([{ ...encoded!, data: encoded!.data!.subarray(0, 20) }])).rejects.toThrow(/too short/);
  });

  it('binds the key id as associated data: relabelling a payload with another known key id fails', async () => {
    // Same key bytes under two ids: only the associated data differs.
    const twins = parseKeyRing(`a:${K1},b:${K1}`);
    const [encoded] = await new AesGcmCodec(twins).encode([json('x')]);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [METADATA_ENCRYPTION_KEY_ID]: Buffer.from('b') } };
    await expect(new AesGcmCodec(twins).decode([relabelled])).rejects.toThrow(/key "b": authentication failed/);
  });

  describe('key rotation', () => {
    it('decodes payloads encrypted under an older key still in the ring', async () => {
      const [old] = await new AesGcmCodec(ringK1()).encode([json({ referenceId: 'PO-1' })]);
      const [decoded] = await new AesGcmCodec(ringK2K1()).decode([old!]);
      expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ referenceId: 'PO-1' });
    });

    it('encrypts new payloads with the newest key', async () => {
      const [encoded] = await new AesGcmCodec(ringK2K1()).encode([json('new')]);
      expect(text(encoded!.metadata![METADATA_ENCRYPTION_KEY_ID])).toBe('k2');
      await expect(new AesGcmCodec(ringK1()).decode([encoded!])).rejects.toThrow(/"k2" is not in the key ring/);
    });
  });

  it('passes plain JSON payloads (an operator signal from the Temporal CLI) through unchanged', async () => {
    const cliSignal = json({ code: '012345' });
    const [decoded] = await codec.decode([cliSignal]);
    expect(decoded).toBe(cliSignal);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ code: '012345' });
  });

  it('passes through payloads without metadata, and decodes a mixed batch in order', async () => {
    const bare: Payload = { data: Buffer.from('x') };
    const [encrypted] = await codec.encode([json('secret')]);
    const decoded = await codec.decode([bare, encrypted!, json('plain')]);
    expect(decoded[0]).toBe(bare);
    expect(defaultPayloadConverter.fromPayload(decoded[1]!)).toBe('secret');
    expect(defaultPayloadConverter.fromPayload(decoded[2]!)).toBe('plain');
  });

  it('names an unknown key id in the error, and never any key material', async () => {
    const [encoded] = await new AesGcmCodec(parseKeyRing(`k-missing:${K2}`)).encode([json('x')]);
    const error: unknown = await codec.decode([encoded!]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PayloadDecryptionError);
    const message = (error as Error).message;
    expect(message).toContain('"k-missing"');
    expect((error as PayloadDecryptionError).keyId).toBe('k-missing');
    for (const key of [K1, K2]) {
      expect(message).not.toContain(key);
      expect(message).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
    expect(JSON.stringify(error)).not.toContain(K1);
  });

  it('explains an encrypted payload that lacks its key id', async () => {
    const [encoded] = await codec.encode([json('x')]);
    const { [METADATA_ENCRYPTION_KEY_ID]: _dropped, ...metadata } = encoded!.metadata!;
    await expect(codec.decode([{ ...encoded!, metadata }])).rejects.toThrow(/no encryption-key-id/);
  });

  it('encodes and decodes an empty batch', async () => {
    await expect(codec.encode([])).resolves.toEqual([]);
    await expect(codec.decode([])).resolves.toEqual([]);
  });

  it('is what dataConverterFor puts in payloadCodecs', () => {
    const converter = dataConverterFor(ringK1());
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs[0]).toBeInstanceOf(AesGcmCodec);
  });
});
