/** Tingee's public surface: the client, its error taxonomy, its schemas and the request signer. */
export { TingeeClient, CREATE_OR_UPDATE_ACCOUNT_PATH, GET_PAGING_ACCOUNT_PATH } from './client';
export type { AccountKey, TingeeCallOptions, TingeeClientOptions } from './client';
export * from './errors';
export * from './schemas';
export { tingeeAuthHeaders, tingeeSignature, tingeeTimestamp } from './sign';
export type { TingeeAuthHeaders, TingeeAuthInput, TingeeSignatureInput } from './sign';
