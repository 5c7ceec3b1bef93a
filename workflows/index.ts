/** Every workflow the worker registers; the bundle is built from this file. */
export { payoutWorkflow } from './payout';
