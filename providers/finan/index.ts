/** Finan's public surface: the client, its error taxonomy, its schemas, the request signer and the webhook verifier. */
export { FinanClient } from './client';
export type { FinanCall, FinanCallOptions, FinanClientOptions, FinanResponse, PaymentRequestFilter } from './client';
export * from './errors';
export * from './schemas';
export * from './payment-schemas';
export * from './customer-schemas';
export { finanAuthHeaders, finanSignature } from './sign';
export type { FinanAuthHeaders, FinanAuthInput, FinanSignatureInput } from './sign';
export { verifyFinanWebhook } from './webhook';
export type { FinanWebhookInput, VerifiedFinanWebhook } from './webhook';
