/** Every workflow the worker registers; the bundle is built from this file. */
export { payoutWorkflow } from './payout/workflow';
export { paymentRequestWorkflow } from './payment-request/workflow';
export { invoicePaymentWorkflow } from './invoice/workflow';
export { reconciliationWorkflow, unmatchedPaymentsWorkflow } from './reconciliation/workflow';
export { customerListWorkflow, customerWorkflow } from './customer/workflow';
export { einvoiceAccountWorkflow } from './einvoice-account/workflow';
export { sepayCredentialsWorkflow } from './sepay/workflow';
