/**
 * The REST API of payment collection: payment requests, invoices, the operators' inbox of unmatched payments and
 * an on-demand reconciliation. Thin: every rule lives in the client library (`client/payments.ts`).
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { PaymentsClient } from '../payments';
import { isPendingCreation } from '../payments';

export interface PaymentRoutesOptions {
  payments: PaymentsClient;
}

export async function paymentRoutes<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>,
  { payments }: PaymentRoutesOptions,
): Promise<void> {
  // 201 with the VietQR; 202 when the flow is started but Finan's answer is not in yet (read it with the GET).
  app.post('/v1/payment-requests', async (request, reply) => {
    const created = await payments.createPaymentRequest(request.body as never);
    return reply.status(isPendingCreation(created) ? 202 : 201).send(created);
  });

  app.get<{ Params: { referenceId: string } }>('/v1/payment-requests/:referenceId', async (request) => payments.getPaymentRequest(request.params.referenceId));

  app.post<{ Params: { invoiceId: string } }>('/v1/invoices/:invoiceId/collect', async (request, reply) => {
    const collecting = await payments.collectInvoice(request.params.invoiceId, request.body as never);
    return reply.status(isPendingCreation(collecting) ? 202 : 201).send(collecting);
  });

  app.get<{ Params: { invoiceId: string } }>('/v1/invoices/:invoiceId', async (request) => payments.getInvoice(request.params.invoiceId));

  // Operators (an `admin` key for the writes): the inbox of payments no running flow could take.
  app.get('/v1/unmatched-payments', async () => payments.getUnmatchedPayments());

  app.post<{ Params: { paymentId: string } }>('/v1/unmatched-payments/:paymentId/resolve', async (request) =>
    payments.resolveUnmatchedPayment(request.params.paymentId, (request.body ?? {}) as never),
  );

  app.post('/v1/reconciliations', async () => payments.reconcileNow());
}
