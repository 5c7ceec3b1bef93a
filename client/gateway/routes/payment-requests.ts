/** The REST API of payment requests: thin, every rule lives in the client library (`client/payment-requests.ts`). */
import type { PaymentRequestsClient } from '../../payment-requests';
import { isPendingCreation } from '../../payment-requests';
import { ReferenceSchema } from '../../schemas/common';
import { PaymentRequestSchema } from '../../schemas/payment-requests';
import type { Route } from './route';

export function paymentRequestRoutes(paymentRequests: PaymentRequestsClient): Route[] {
  return [
    {
      method: 'POST',
      url: '/v1/payment-requests',
      tag: 'Payment requests',
      summary: 'Create a payment request (VietQR)',
      body: PaymentRequestSchema,
      responses: {
        201: { description: 'Created at Finan: `{ referenceId, paymentRequestId, paymentRequestCode, paymentUrl, bankTransfer{ qrCode, bankName, accountName, accountNumber, remark }, expiresAt }`' },
        202: { description: 'Started, Finan has not answered yet: `{ referenceId, workflowId, status: "creating" }`; read it later' },
      },
      errors: [400, 409, 422, 503],
      // 201 with the VietQR; 202 when the flow is started but Finan's answer is not in yet (read it with the GET).
      handler: async (request, reply) => {
        const created = await paymentRequests.createPaymentRequest(request.body as never);
        return reply.status(isPendingCreation(created) ? 202 : 201).send(created);
      },
    },
    {
      method: 'GET',
      url: '/v1/payment-requests/:referenceId',
      tag: 'Payment requests',
      summary: 'Read a payment request',
      params: { referenceId: ReferenceSchema },
      responses: { 200: { description: 'The request plus `{ status, amount, paidAmount, payments[], unconfirmedPaymentIds, unconfirmedAmount, adoptedPaymentRequestIds, failure }`' } },
      errors: [400, 404, 503, 504],
      handler: async (request) => paymentRequests.getPaymentRequest(request.params.referenceId!),
    },
  ];
}
