/** The REST API of invoices: thin, every rule lives in the client library (`client/invoices.ts`). */
import type { InvoicesClient } from '../../invoices';
import { isPendingCreation } from '../../payment-requests';
import { ReferenceSchema } from '../../schemas/common';
import { InvoiceCollectionSchema } from '../../schemas/invoices';
import type { Route } from './route';

const params = { invoiceId: ReferenceSchema };

export function invoiceRoutes(invoices: InvoicesClient): Route[] {
  return [
    {
      method: 'POST',
      url: '/v1/invoices/:invoiceId/collect',
      tag: 'Invoices',
      summary: 'Collect an invoice through payment requests',
      params,
      body: InvoiceCollectionSchema,
      responses: {
        201: { description: "The invoice's first payment request, plus `{ invoiceId, workflowId, status, amount, dueAt }`" },
        202: { description: 'Started, Finan has not answered yet: `{ referenceId, workflowId, status: "creating" }`' },
      },
      errors: [400, 409, 422, 503],
      handler: async (request, reply) => {
        const collecting = await invoices.collectInvoice(request.params.invoiceId!, request.body as never);
        return reply.status(isPendingCreation(collecting) ? 202 : 201).send(collecting);
      },
    },
    {
      method: 'GET',
      url: '/v1/invoices/:invoiceId',
      tag: 'Invoices',
      summary: 'Read an invoice',
      params,
      responses: { 200: { description: '`{ status, amount, paidAmount, dueAt, current, requests[], payments[], ... }`' } },
      errors: [400, 404, 503, 504],
      handler: async (request) => invoices.getInvoice(request.params.invoiceId!),
    },
  ];
}
