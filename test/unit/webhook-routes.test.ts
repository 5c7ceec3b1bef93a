/** The webhook receiver on its own (fastify inject), with the hand-off to Temporal replaced by a recorder. */
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { TemporalUnavailableError } from '../../client/errors';
import { finanWebhookRoutes } from '../../client/gateway/routes/webhooks';
import type { FinanPaymentEvent, PaymentHandOff } from '../../client/reconciliation';

const NOW = 1_705_761_005;
const body = JSON.stringify({
  id: 'PAY-001',
  reference_id: 'DH970422',
  payment_method: 'bank_transfer',
  payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
  amount: 6000000,
  created_at: '2024-01-20T14:30:00Z',
});
/** The page's generateSignature, written out here rather than taken from providers/finan/sign.ts. */
const pageSignature = (secret: string, path: string, payload: string, timestamp: string): string =>
  createHash('sha256').update(`${secret}_POST_${path}_${payload}_${timestamp}`).digest('hex');

const headers = (secret: string, payload = body, timestamp = NOW) => ({
  'content-type': 'application/json',
  'x-timestamp': String(timestamp),
  'x-signature': pageSignature(secret, '/webhooks/finan', payload, String(timestamp)),
});

function receiver(handFinanPayment: (event: FinanPaymentEvent) => Promise<PaymentHandOff>) {
  const app = Fastify();
  void app.register(finanWebhookRoutes, { payments: { handFinanPayment }, secrets: ['new-secret', 'old-secret'], nowSeconds: () => NOW });
  return app;
}

test('a signed webhook is handed over as our event and acknowledged as the page shows', async () => {
  const handed: FinanPaymentEvent[] = [];
  const app = receiver(async (event) => {
    handed.push(event);
    return { outcome: 'signalled', workflowId: 'payment-DH970422' };
  });
  const response = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret'), payload: body });
  expect(response.statusCode).toBe(200);
  expect(response.json()).toMatchObject({ status: 'success', message: 'Payment processed successfully' });
  expect(handed).toEqual([
    {
      paymentId: 'PAY-001',
      amount: 6000000,
      method: 'bank_transfer',
      createdAt: '2024-01-20T14:30:00Z',
      paymentRequestId: 'PR-550e8400-e29b-41d4-a716-446655440000',
      referenceId: 'DH970422',
      referenceType: null,
    },
  ]);
});

test('during a rotation the old secret still verifies, and a redelivery is acknowledged without a second hand-off', async () => {
  let handOffs = 0;
  const app = receiver(async () => {
    handOffs++;
    return { outcome: 'signalled', workflowId: 'payment-DH970422' };
  });
  expect((await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('old-secret'), payload: body })).statusCode).toBe(200);
  expect((await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret'), payload: body })).statusCode).toBe(200);
  expect(handOffs).toBe(1);
});

test("a webhook signed for another path (the page's own handler, /webhook) is refused: the signature covers our path", async () => {
  let handOffs = 0;
  const app = receiver(async () => {
    handOffs++;
    return { outcome: 'signalled', workflowId: 'x' };
  });
  const signedElsewhere = { ...headers('new-secret'), 'x-signature': pageSignature('new-secret', '/webhook', body, String(NOW)) };
  const response = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: signedElsewhere, payload: body });
  expect(response.statusCode).toBe(401);
  expect(response.json().error.code).toBe('invalid_signature');
  expect(handOffs).toBe(0);
});

test('a genuine webhook more than 300 s from our clock is refused as stale; 300 s is still fine', async () => {
  const app = receiver(async () => ({ outcome: 'signalled', workflowId: 'payment-DH970422' }));
  const stale = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret', body, NOW - 301), payload: body });
  expect(stale.statusCode).toBe(401);
  expect(stale.json().error.code).toBe('stale_webhook');
  const edge = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret', body, NOW + 300), payload: body });
  expect(edge.statusCode).toBe(200);
});

test('a body changed after signing is refused with 401 and never handed over', async () => {
  let handOffs = 0;
  const app = receiver(async () => {
    handOffs++;
    return { outcome: 'signalled', workflowId: 'x' };
  });
  const tampered = body.replace('6000000', '60000000');
  const response = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret'), payload: tampered });
  expect(response.statusCode).toBe(401);
  expect(response.json().error.code).toBe('invalid_signature');
  expect(handOffs).toBe(0);
});

test('a signed body that is not a payment gets 400', async () => {
  const app = receiver(async () => ({ outcome: 'signalled', workflowId: 'x' }));
  const notAPayment = JSON.stringify({ id: 'PAY-1' });
  const response = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret', notAPayment), payload: notAPayment });
  expect(response.statusCode).toBe(400);
  expect(response.json().error.code).toBe('invalid_payload');
});

test('when Temporal cannot take the event the answer is 503, so Finan retries, and the retry is handed over', async () => {
  let fail = true;
  const app = receiver(async () => {
    if (fail) throw new TemporalUnavailableError(new Error('14 UNAVAILABLE'));
    return { outcome: 'signalled', workflowId: 'payment-DH970422' };
  });
  const first = await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret'), payload: body });
  expect(first.statusCode).toBe(503);
  expect(first.json().error.code).toBe('temporal_unavailable');
  fail = false;
  expect((await app.inject({ method: 'POST', url: '/webhooks/finan', headers: headers('new-secret'), payload: body })).statusCode).toBe(200);
});
