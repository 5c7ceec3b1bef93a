import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { authenticatedClientId } from './auth';
import { FINAN_CREATED_CONTENT, FinanCode } from './envelope';
import { validatePaymentRequest } from './payment-validation';
import { jsonBodyOf } from './request';
import { sendFinanSuccess } from './reply';
import type { FinanState } from './state';

const idParams = z.object({ id: z.string() });

/** The page's two filters; any other query parameter is signed but ignored. A repeated one counts once (the first). */
const listQuery = z.object({
  reference_type: z.union([z.string(), z.array(z.string())]).optional(),
  reference_id: z.union([z.string(), z.array(z.string())]).optional(),
});
const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

/** Where card and MoMo payment pages live, on the host the client called. */
export const CHECKOUT_PATH = '/_sandbox/finan/checkout';

export interface PaymentRoutesOptions {
  finan: FinanState;
}

/** Finan's payment API (`/api/v1/payments`); no IP whitelist, which the page reserves for payouts. */
export const paymentRoutes: FastifyPluginAsync<PaymentRoutesOptions> = async (app, { finan }) => {
  app.post('/api/v1/payments', async (request, reply) => {
    const input = validatePaymentRequest(jsonBodyOf(request));
    const checkoutBase = `${request.protocol}://${request.host}${CHECKOUT_PATH}`;
    const created = finan.payments.create(authenticatedClientId(request), input, checkoutBase);
    return sendFinanSuccess(request, reply, FinanCode.Created, created, FINAN_CREATED_CONTENT);
  });

  app.get('/api/v1/payments', async (request, reply) => {
    const query = listQuery.parse(request.query);
    const filter = { reference_type: first(query.reference_type), reference_id: first(query.reference_id) };
    return sendFinanSuccess(request, reply, FinanCode.Ok, finan.payments.list(authenticatedClientId(request), filter));
  });

  app.get('/api/v1/payments/:id', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    return sendFinanSuccess(request, reply, FinanCode.Ok, finan.payments.get(authenticatedClientId(request), id));
  });
};
