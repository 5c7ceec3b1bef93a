/**
 * Invoices for TypeScript backends and the gateway: collect one (answered with its first payment request once
 * Finan made it) and read it. A thin starter and reader over the invoice flow.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowIdReusePolicy } from '@temporalio/client';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { InvoicePaymentInput, InvoiceState } from '../workflows/invoice/messages';
import { invoiceCreatedUpdate, invoiceStatusQuery, invoiceWorkflowId } from '../workflows/invoice/messages';
import type { invoicePaymentWorkflow } from '../workflows/invoice/workflow';
import type { CreatedPaymentRequestView, PaymentRequestsClientOptions, PendingCreation } from './payment-requests';
import { createdView, creationCalls } from './payment-requests';
import { ReferenceSchema, parseOrThrow } from './schemas/common';
import type { InvoiceCollectionBody } from './schemas/invoices';
import { InvoiceCollectionSchema, dueInstant } from './schemas/invoices';
import { guardedCalls } from './temporal';

export type InvoicesClientOptions = PaymentRequestsClientOptions;

/** The answer of `POST /v1/invoices/{invoiceId}/collect` (201): the invoice's first payment request. */
export interface InvoiceCollectionView extends CreatedPaymentRequestView {
  invoiceId: string;
  workflowId: string;
  status: InvoiceState['status'];
  amount: number;
  dueAt: string;
}

export function createInvoicesClient(client: Client, options: InvoicesClientOptions = {}) {
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const guarded = guardedCalls(client, options);
  const { creating, awaitCreation, pending } = creationCalls(client, options);
  return {
    /** Starts collecting an invoice; answers with its first payment request once Finan made it. */
    async collectInvoice(invoiceId: string, body: InvoiceCollectionBody): Promise<InvoiceCollectionView | PendingCreation> {
      const id = parseOrThrow(ReferenceSchema, invoiceId, 'invoiceId');
      const valid = parseOrThrow(InvoiceCollectionSchema, body);
      const input: InvoicePaymentInput = {
        invoiceId: id,
        accountId: valid.accountId,
        amount: valid.amount,
        dueAt: new Date(dueInstant(valid.dueDate)).toISOString(),
        paymentMethod: valid.paymentMethod,
        description: valid.description,
        linkTtlMs: valid.linkTtlSeconds !== undefined ? valid.linkTtlSeconds * 1000 : options.paymentTtlMs,
      };
      const start = new WithStartWorkflowOperation<typeof invoicePaymentWorkflow>('invoicePaymentWorkflow', {
        workflowId: invoiceWorkflowId(id),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: searchAttributes.kind, value: 'invoice' },
          { key: searchAttributes.reference, value: id },
          { key: searchAttributes.amount, value: valid.amount },
          { key: searchAttributes.status, value: 'creating' },
        ],
        staticSummary: `Invoice ${valid.amount.toLocaleString('en-US')} VND due ${input.dueAt}`,
      });
      return creating('invoice', id, async () => {
        const state = await awaitCreation(client.workflow.executeUpdateWithStart(invoiceCreatedUpdate, { startWorkflowOperation: start }), invoiceWorkflowId(id));
        if (state === undefined) return pending(id, invoiceWorkflowId(id));
        const current = state.current ?? state.requests[state.requests.length - 1];
        return {
          ...createdView(id, {
            paymentRequestId: current?.paymentRequestId ?? null,
            paymentRequestCode: current?.paymentRequestCode ?? null,
            paymentUrl: current?.paymentUrl ?? null,
            bankTransfer: current?.bankTransfer ?? null,
            expiresAt: current?.expiresAt ?? null,
          }),
          invoiceId: id,
          workflowId: state.workflowId,
          status: state.status,
          amount: state.amount,
          dueAt: state.dueAt,
        };
      });
    },

    async getInvoice(invoiceId: string): Promise<InvoiceState> {
      const id = parseOrThrow(ReferenceSchema, invoiceId, 'invoiceId');
      return guarded('invoice', id, () => client.workflow.getHandle(invoiceWorkflowId(id)).query(invoiceStatusQuery));
    },

  };
}

export type InvoicesClient = ReturnType<typeof createInvoicesClient>;
