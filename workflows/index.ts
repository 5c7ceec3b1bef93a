/** Every workflow the worker registers; the bundle is built from this file. */
export { payoutWorkflow } from './payout';
export { paymentRequestWorkflow } from './payment-request';
export { invoicePaymentWorkflow } from './invoice-payment';
export { reconciliationWorkflow, unmatchedPaymentsWorkflow } from './reconciliation';
