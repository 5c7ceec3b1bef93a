/**
 * The data converter every dongflow Temporal client and worker uses: default (JSON) payload conversion, then
 * AES-GCM encryption, and failures whose message and stack trace are encoded (so encrypted) too.
 * Pass the same one to `new Client({ dataConverter })` and `Worker.create({ dataConverter })`.
 *
 * A prebuilt bundle must be built with `bundleWorkflowCode({ failureConverterPath: FAILURE_CONVERTER_PATH, ... })` so
 * that failures raised by workflow code are encoded as well; codecs run in the worker's main thread, outside the
 * workflow sandbox, so the bundle works with any key ring.
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import type { KeyRing } from './keys';

/** The module exporting dongflow's `failureConverter` (`encodeCommonAttributes: true`). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

export function dataConverterFor(keyRing: KeyRing): DataConverter & { payloadCodecs: PayloadCodec[] } {
  return { payloadCodecs: [new AesGcmCodec(keyRing)], failureConverterPath: FAILURE_CONVERTER_PATH };
}
