/**
 * Test controls of Finan customers, under `/_sandbox/finan`: what Finan's invoices would do to a customer (the sandbox
 * emulates no invoice API), and a look at what Finan stores.
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ControlError } from '../control-error';
import type { FinanState } from './state';

const idParams = z.object({ id: z.string() });

export interface CustomerControlsOptions {
  finan: FinanState;
}

export const finanCustomerControls: FastifyPluginAsync<CustomerControlsOptions> = async (app, { finan }) => {
  app.get('/customers', async () => ({ customers: finan.customers.inspect() }));

  // An unpaid invoice makes DELETE answer 409; DELETE of the mark settles it.
  for (const [method, unpaid] of [['POST', true], ['DELETE', false]] as const) {
    app.route({
      method,
      url: '/customers/:id/unpaid-invoice',
      handler: async (request) => {
        const marked = finan.customers.setUnpaidInvoice(idParams.parse(request.params).id, unpaid);
        if (marked === undefined) throw new ControlError(404, 'Customer not found');
        return marked;
      },
    });
  }
};
