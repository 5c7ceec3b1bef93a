import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { authenticatedClientId } from './auth';
import { FinanCode } from './envelope';
import { validateCustomerRecord } from './customer-validation';
import { jsonBodyOf } from './request';
import { sendFinanSuccess } from './reply';
import type { FinanState } from './state';

const idParams = z.object({ id: z.string() });

export interface CustomerRoutesOptions {
  finan: FinanState;
}

/** Finan's customer API (`/api/v1/customers`): the page's five endpoints; no IP whitelist (the page names none). */
export const customerRoutes: FastifyPluginAsync<CustomerRoutesOptions> = async (app, { finan }) => {
  app.post('/api/v1/customers', async (request, reply) => {
    const record = validateCustomerRecord(jsonBodyOf(request), 'create');
    const { updated_at: _updated, ...created } = finan.customers.create(authenticatedClientId(request), record);
    return sendFinanSuccess(request, reply, FinanCode.Created, created);
  });

  // The page publishes no filter or pagination: any query string is signed but otherwise ignored.
  app.get('/api/v1/customers', async (request, reply) =>
    sendFinanSuccess(request, reply, FinanCode.Ok, finan.customers.list(authenticatedClientId(request))),
  );

  app.get('/api/v1/customers/:id', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    return sendFinanSuccess(request, reply, FinanCode.Ok, finan.customers.get(authenticatedClientId(request), id));
  });

  app.put('/api/v1/customers/:id', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const clientId = authenticatedClientId(request);
    finan.customers.find(clientId, id); // 404 before any validation: there is nothing to replace
    const record = validateCustomerRecord(jsonBodyOf(request), 'replace');
    const { created_at: _created, ...replaced } = finan.customers.replace(clientId, id, record);
    return sendFinanSuccess(request, reply, FinanCode.Ok, replaced);
  });

  app.delete('/api/v1/customers/:id', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    finan.customers.delete(authenticatedClientId(request), id);
    return sendFinanSuccess(request, reply, FinanCode.Created, 'success');
  });
};
