/** Finan's public surface: the client, its error taxonomy, its schemas and the request signer. */
export { FinanClient } from './client';
export type { FinanCall, FinanCallOptions, FinanClientOptions, FinanResponse } from './client';
export * from './errors';
export * from './schemas';
export { finanAuthHeaders, finanSignature } from './sign';
export type { FinanAuthHeaders, FinanAuthInput, FinanSignatureInput } from './sign';
