import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ControlError, parse } from './control-error';
import { faultConfigSchema } from './faults';
import { finanCustomerControls } from './finan/customer-controls';
import { finanPaymentControls } from './finan/payment-controls';
import { finanSettingsPatchSchema } from './finan/settings';
import { sepayControls } from './sepay/controls';
import type { SandboxState } from './state';
import { tingeeControls } from './tingee/controls';

export interface ControlRoutesOptions {
  state: SandboxState;
}

const payoutParams = z.object({ id: z.string() });

/** Test controls under `/_sandbox`: unsigned, plain JSON, never part of any provider's API. */
export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (app, { state }) => {
  // An empty body means "no fields", so `curl -X POST .../reset -H 'content-type: application/json'` works.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ControlError(400, 'request body must be valid JSON'), undefined);
    }
  });

  app.setErrorHandler<FastifyError | ControlError>((error, request, reply) => {
    const status = error instanceof ControlError ? error.status : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, 'sandbox control failure');
    return reply.code(status).send({ error: status >= 500 ? 'Internal server error' : error.message });
  });

  app.get('/finan/payouts/:id/otp', async (request) => {
    const otp = state.finan.payouts.otpOf(payoutParams.parse(request.params).id);
    if (otp === undefined) throw new ControlError(404, 'Payout not found');
    return { otp };
  });

  app.get('/finan/settings', async () => state.finan.settings.current());
  app.post('/finan/settings', async (request) =>
    state.finan.settings.update(parse(finanSettingsPatchSchema, request.body)),
  );
  app.get('/finan/accounts', async () => ({ accounts: state.finan.accounts.list() }));

  await app.register(finanPaymentControls, { prefix: '/finan', finan: state.finan });
  await app.register(finanCustomerControls, { prefix: '/finan', finan: state.finan });

  await app.register(tingeeControls, { prefix: '/tingee', tingee: state.tingee });

  await app.register(sepayControls, { prefix: '/sepay', sepay: state.sepay });

  app.get('/ledger', async () => ({ transfers: state.ledger.transfers() }));

  app.get('/faults', async () => state.faults.snapshot());
  app.post('/faults', async (request) => state.faults.configure(parse(faultConfigSchema, request.body)));
  app.delete('/faults', async () => state.faults.clear());

  app.post('/reset', async () => {
    state.reset();
    return { reset: true };
  });
};
