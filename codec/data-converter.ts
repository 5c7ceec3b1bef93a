/**
 * The data converter every dongflow Temporal client and worker uses: default (JSON) payload conversion, then
 * AES-GCM encryption. Pass the same one to `new Client({ dataConverter })` and `Worker.create({ dataConverter })`.
 *
 * `bundleWorkflowCode` needs nothing: codecs run in the worker's main thread, outside the workflow sandbox, so a
 * prebuilt bundle (`Worker.create({ workflowBundle, dataConverter })`) works with any key ring.
 */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec';
import type { KeyRing } from './keys';

export function dataConverterFor(keyRing: KeyRing): DataConverter & { payloadCodecs: PayloadCodec[] } {
  return { payloadCodecs: [new AesGcmCodec(keyRing)] };
}
