/**
 * Test controls of Finan payments, under `/_sandbox/finan`: what a payer, a bank and a tester do from outside the
 * API (transfer money, pay by card, point the webhook somewhere, read what was delivered).
 */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { ControlError, parse } from '../control-error';
import { FinanApiError } from './envelope';
import type { FinanState } from './state';

const transferSchema = z.strictObject({
  /** The transfer content the payer typed: the remark (or payment request code) somewhere in it, or anything. */
  remark: z.string().max(210),
  amount: z.int().positive(),
});
const checkoutSchema = z.strictObject({ amount: z.int().positive().optional() });
const webhookSchema = z.strictObject({ url: z.string().nullable() });
const qrFaultSchema = z.strictObject({ fault: z.enum(['wrong_amount', 'bad_crc']).nullable() });
const idParams = z.object({ id: z.string() });

/** Finan's own refusals, re-answered in the controls' `{ error }` shape with the same status. */
function asControl<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof FinanApiError) throw new ControlError(error.status, error.message);
    throw error;
  }
}

export interface PaymentControlsOptions {
  finan: FinanState;
}

export const finanPaymentControls: FastifyPluginAsync<PaymentControlsOptions> = async (app, { finan }) => {
  // A customer's bank transfer to the account: recorded (matched, late or orphan), then webhooked.
  app.post('/transfers', async (request) => {
    const { remark, amount } = parse(transferSchema, request.body);
    return finan.payments.receiveTransfer(remark, amount);
  });

  app.get('/payments', async () => ({ payments: finan.payments.payments() }));

  app.get('/payment-requests/:id', async (request) => {
    const inspection = finan.payments.inspect(idParams.parse(request.params).id);
    if (inspection === undefined) throw new ControlError(404, 'Payment request not found');
    return inspection;
  });

  // The `payment_url` of card and MoMo requests: read it, or pay through it.
  app.get('/checkout/:id', async (request) => {
    const inspection = finan.payments.inspect(idParams.parse(request.params).id);
    if (inspection === undefined) throw new ControlError(404, 'Payment request not found');
    return inspection;
  });
  app.post('/checkout/:id', async (request) => {
    const { id } = idParams.parse(request.params);
    const { amount } = parse(checkoutSchema, request.body);
    return asControl(() => finan.payments.payOnline(id, amount));
  });

  // A Finan that answers a broken VietQR (for the client's QR check); `{ "fault": null }` mends it.
  app.post('/payment-qr-fault', async (request) => {
    const { fault } = parse(qrFaultSchema, request.body);
    finan.payments.setQrFault(fault);
    return { fault };
  });

  app.get('/webhook', async () => ({ url: finan.webhooks.registeredUrl() }));
  app.post('/webhook', async (request) => {
    const { url } = parse(webhookSchema, request.body);
    try {
      return { url: finan.webhooks.register(url) };
    } catch (error) {
      throw new ControlError(400, error instanceof Error ? error.message : String(error));
    }
  });

  app.get('/webhook-deliveries', async () => ({ deliveries: finan.webhooks.list() }));
};
