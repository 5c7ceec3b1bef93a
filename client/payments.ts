/**
 * The payment-collection API in one object, as the gateway, the CLI and backends use it: payment requests,
 * invoices, webhooks handed to their flow, the reconciliation and the operators' inbox. Each part is its own client.
 */
import type { Client } from '@temporalio/client';
import { createInvoicesClient } from './invoices';
import type { PaymentRequestsClientOptions } from './payment-requests';
import { createPaymentRequestsClient } from './payment-requests';
import type { ReconciliationClientOptions } from './reconciliation';
import { createReconciliationClient } from './reconciliation';

export type PaymentsClientOptions = PaymentRequestsClientOptions & ReconciliationClientOptions;

export function createPaymentsClient(client: Client, options: PaymentsClientOptions = {}) {
  return {
    ...createPaymentRequestsClient(client, options),
    ...createInvoicesClient(client, options),
    ...createReconciliationClient(client, options),
  };
}

export type PaymentsClient = ReturnType<typeof createPaymentsClient>;
