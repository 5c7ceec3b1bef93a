/**
 * AES-256-GCM payload encryption for everything dongflow stores in Temporal (inputs, results, signals, updates,
 * queries, failures' details), with key rotation through a key ring.
 *
 * An encrypted payload is `{ metadata: { encoding: "binary/encrypted", "encryption-key-id": <id> }, data }` where
 * `data = iv (12 bytes) || ciphertext || tag (16 bytes)`, the plaintext is the original payload serialized as a
 * `temporal.api.common.v1.Payload` protobuf (so its own metadata is hidden and restored too), and the key id is the
 * GCM associated data (relabelling a payload with another key id makes it fail authentication).
 * The layout is that of Temporal's TypeScript encryption sample (WebCrypto appends the tag the same way).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const METADATA_ENCRYPTION_KEY_ID = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A payload that cannot be decrypted. The message names the key id when there is one, never key material. */
export class PayloadDecryptionError extends Error {
  constructor(message: string, readonly keyId?: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class AesGcmCodec implements PayloadCodec {
  private readonly currentId: Buffer;

  constructor(private readonly keyRing: KeyRing) {
    this.currentId = Buffer.from(keyRing.current.id, 'utf8');
  }

  /** Encrypts every payload with the newest key of the ring. */
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const plaintext = temporal.api.common.v1.Payload.encode(payload).finish();
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, this.keyRing.current.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(this.currentId);
      const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
          [METADATA_ENCRYPTION_KEY_ID]: Buffer.from(this.currentId),
        },
        data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
      };
    });
  }

  /**
   * Decrypts `binary/encrypted` payloads with the key their metadata names (any key of the ring). Other payloads pass
   * through unchanged: operators send plain JSON with the Temporal CLI and the workflows must accept it.
   */
  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.decrypt(payload) : payload));
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[METADATA_ENCRYPTION_KEY_ID];
    if (!keyIdBytes || keyIdBytes.length === 0) {
      throw new PayloadDecryptionError(`Cannot decrypt payload: its metadata has no ${METADATA_ENCRYPTION_KEY_ID}`);
    }
    const keyId = Buffer.from(keyIdBytes).toString('utf8');
    const key = this.keyRing.all.get(keyId);
    if (!key) {
      throw new PayloadDecryptionError(
        `Cannot decrypt payload: encryption key "${keyId}" is not in the key ring (known: ${[...this.keyRing.all.keys()].join(', ')}); ` +
          'add it to DONGFLOW_ENCRYPTION_KEYS',
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array(0);
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadDecryptionError(`Cannot decrypt payload encrypted with key "${keyId}": data is too short (${data.length} bytes)`, keyId);
    }
    return temporal.api.common.v1.Payload.decode(decryptBytes(key, Buffer.from(keyIdBytes), data, keyId));
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}

function decryptBytes(key: KeyObject, aad: Buffer, data: Uint8Array, keyId: string): Buffer {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const iv = bytes.subarray(0, IV_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw new PayloadDecryptionError(
      `Cannot decrypt payload with key "${keyId}": authentication failed (the payload was altered, or "${keyId}" names a different key here than where it was encrypted)`,
      keyId,
    );
  }
}
