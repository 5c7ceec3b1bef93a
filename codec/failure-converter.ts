/**
 * Failures are encrypted like payloads: a provider error's message (which may name an account number) and its stack
 * trace go into the failure's `encodedAttributes` payload, which the codec encrypts; the cleartext `message` left in
 * history is the SDK's placeholder "Encoded failure". Loaded by path (`failureConverterPath`) so that the workflow
 * sandbox, the worker's main thread, clients and replay all use it; decoding works with or without it.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
