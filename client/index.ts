/** The typed library for TypeScript backends: the same functions the gateway is built on. */
export { createPayoutsClient, translateTemporalError } from './payouts';
export type { PayoutsClient, PayoutsClientOptions, StartedPayout } from './payouts';
export type { PayoutRequest } from './schemas';
export * from './errors';
export { dataConverterFor } from '../codec/data-converter';
export { parseKeyRing } from '../codec/keys';
export type { OtpOutcome, PayoutState, PayoutStatus } from '../workflows/definitions';
