/** The operators' REST API: the inbox of payments no running flow could take, and a reconciliation now. */
import { z } from 'zod';
import type { ReconciliationClient } from '../../reconciliation';
import { ResolutionSchema } from '../../schemas/reconciliation';
import type { Route } from './route';

export function reconciliationRoutes(reconciliation: ReconciliationClient): Route[] {
  return [
    {
      method: 'GET',
      url: '/v1/unmatched-payments',
      tag: 'Operators',
      summary: "The operators' inbox of late and orphan payments",
      responses: { 200: { description: '`{ open[], resolved[], openAmount, unconfirmedAmount }`' } },
      errors: [503, 504],
      handler: async () => reconciliation.getUnmatchedPayments(),
    },
    {
      method: 'POST',
      url: '/v1/unmatched-payments/:paymentId/resolve',
      tag: 'Operators',
      summary: 'Close an unmatched payment, saying what was done',
      params: { paymentId: z.string().min(1) },
      body: ResolutionSchema,
      responses: { 200: { description: 'The resolved entry' } },
      errors: [400, 404, 409, 503, 504],
      handler: async (request) => reconciliation.resolveUnmatchedPayment(request.params.paymentId!, (request.body ?? {}) as never),
    },
    {
      method: 'POST',
      url: '/v1/reconciliations',
      tag: 'Operators',
      summary: "Run the reconciliation Schedule's run now and answer with its report",
      responses: { 200: { description: '`{ workflowId, since, highWaterMark, requestsChecked, flowsSignalled[], unmatchedRecorded[] }`' } },
      errors: [503],
      handler: async () => reconciliation.reconcileNow(),
    },
  ];
}
