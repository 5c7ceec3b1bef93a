import { verifyFinanWebhook } from '../../providers/finan/webhook';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { PAGE_EXAMPLE_PAYMENT, paymentControls, paymentsClient } from './finan-payments-client';
import type { DeliveryView, PaymentRequestCreated } from './finan-payments-client';
import { eventually, sandboxControls, sleep } from './finan-test-client';
import { WebhookReceiver } from './webhook-receiver';
import type { ReceivedWebhook } from './webhook-receiver';

// 5, 10 and 15 minutes × 0.001 = 300, 600 and 900 ms; a 30-minute link lives 1.8 s.
const TIME_SCALE = 0.001;
const WEBHOOK_SECRET = 'test-webhook-secret';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof paymentsClient>;
let controls: ReturnType<typeof paymentControls>;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
  sandbox = await startSandbox({ port: 0, timeScale: TIME_SCALE, finan: { webhookSecret: WEBHOOK_SECRET, webhookTimeoutMs: 300 } });
  finan = paymentsClient(sandbox.finanBaseUrl);
  controls = paymentControls(sandbox.url);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.stop();
});
beforeEach(async () => {
  await sandboxControls(sandbox.url).reset();
  receiver.reset();
  await controls.setWebhook(receiver.url());
});

async function paymentRequest(body: unknown = PAGE_EXAMPLE_PAYMENT): Promise<PaymentRequestCreated> {
  return (await finan.create(body)).body.data as PaymentRequestCreated;
}

const remarkOf = (request: PaymentRequestCreated): string => request.bank_transfer_detail?.remark ?? '';

/** What our gateway does with a delivery. */
function verify(webhook: ReceivedWebhook, path = '/webhooks/finan') {
  return verifyFinanWebhook({
    rawBody: webhook.rawBody,
    headers: webhook.headers,
    path,
    secrets: [WEBHOOK_SECRET],
    nowSeconds: Date.now() / 1000,
    toleranceSeconds: 300,
    clientId: 'sandbox-client',
  });
}

const deliveriesWhere = (done: (deliveries: DeliveryView[]) => boolean, timeoutMs = 2000) => eventually(() => controls.deliveries(), done, timeoutMs);

describe('the payment webhook', () => {
  it("posts the page's payload for a transfer, signed so that verifyFinanWebhook accepts it", async () => {
    const request = await paymentRequest();
    const payment = (await controls.transfer(remarkOf(request), 6000000)).body;

    await eventually(async () => receiver.received.length, (n) => n === 1);
    const webhook = receiver.received[0] as ReceivedWebhook;
    expect(webhook.path).toBe('/webhooks/finan');
    expect(webhook.headers['content-type']).toBe('application/json');
    expect(verify(webhook).event).toEqual({
      id: payment.id,
      reference_id: PAGE_EXAMPLE_PAYMENT.reference_id,
      reference_type: 'invoice',
      payment_method: 'bank_transfer',
      payment_request_id: request.payment_request_id,
      amount: 6000000,
      created_at: payment.created_at,
    });
    // The page's example key order, with reference_type from its field table.
    expect(Object.keys(JSON.parse(webhook.rawBody.toString('utf8')))).toEqual([
      'id',
      'reference_id',
      'reference_type',
      'payment_method',
      'payment_request_id',
      'amount',
      'created_at',
    ]);
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'delivered');
    expect(delivery).toMatchObject({ paymentId: payment.id, duplicate: false, attempts: [{ attempt: 1, status: 200, error: null, url: receiver.url() }] });
  });

  it('signs the path and query of the registered URL, and not with the API secret', async () => {
    await controls.setWebhook(receiver.url('/hooks/finan?tenant=42'));
    await controls.transfer('anything', 1000);
    await eventually(async () => receiver.received.length, (n) => n === 1);
    const webhook = receiver.received[0] as ReceivedWebhook;
    expect(verify(webhook, '/hooks/finan?tenant=42').event.amount).toBe(1000);
    expect(() => verify(webhook, '/hooks/finan')).toThrow('signature does not match');
    expect(() => verifyFinanWebhook({ rawBody: webhook.rawBody, headers: webhook.headers, path: '/hooks/finan?tenant=42', secrets: ['sandbox-secret'], nowSeconds: Date.now() / 1000, toleranceSeconds: 300 })).toThrow('signature does not match');
  });

  it('announces an orphan transfer with null request fields', async () => {
    await controls.transfer('tien nha thang 5', 3500000);
    await eventually(async () => receiver.received.length, (n) => n === 1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ payment_request_id: null, reference_id: null, reference_type: null, amount: 3500000 });
  });

  it('announces a card payment with its method', async () => {
    const request = await paymentRequest({ payment_method: 'card', amount: 99000, reference_id: 'ORDER-1' });
    await controls.checkout(request.payment_request_id);
    await eventually(async () => receiver.received.length, (n) => n === 1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ payment_method: 'card', reference_id: 'ORDER-1', amount: 99000 });
  });

  it('announces a payment arriving after the link expired', async () => {
    const request = await paymentRequest();
    await sleep(1900);
    const late = (await controls.transfer(remarkOf(request), 6000000)).body;
    expect(late.late).toBe(true);
    await eventually(async () => receiver.received.length, (n) => n === 1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ id: late.id, payment_request_id: request.payment_request_id });
  });

  it('with no URL registered, the delivery ends "url_not_set" and is not retried', async () => {
    await controls.setWebhook(null);
    await controls.transfer('x', 1000);
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'url_not_set');
    expect(delivery?.attempts).toEqual([]);
    await sleep(400);
    expect((await controls.deliveries())[0]?.state).toBe('url_not_set');
  });

  it('refuses to register a URL that is not absolute http(s)', async () => {
    const refused = await controls.setWebhook('/webhooks/finan');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/absolute http\(s\) URL/);
  });
});

describe('retries after 5, 10 and 15 minutes (× SANDBOX_TIME_SCALE)', () => {
  const gaps = (delivery: DeliveryView | undefined): number[] => {
    const times = (delivery?.attempts ?? []).map((attempt) => Date.parse(attempt.at));
    return times.slice(1).map((time, i) => time - (times[i] as number));
  };

  it('a receiver answering 500 gets 4 attempts, 300, 600 and 900 ms apart, then the delivery fails', async () => {
    receiver.reset(() => 500);
    await controls.transfer('x', 1000);

    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'failed', 4000);
    expect(delivery?.attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);
    const [first, second, third] = gaps(delivery);
    expect(first).toBeGreaterThanOrEqual(295);
    expect(first).toBeLessThan(590);
    expect(second).toBeGreaterThanOrEqual(595);
    expect(second).toBeLessThan(890);
    expect(third).toBeGreaterThanOrEqual(895);
    expect(third).toBeLessThan(1190);
    // Each attempt is signed afresh and verifies on its own.
    expect(receiver.received).toHaveLength(4);
    for (const webhook of receiver.received) expect(verify(webhook).event.amount).toBe(1000);
  });

  it('a receiver recovering on the third attempt ends the delivery "delivered"', async () => {
    receiver.reset((n) => (n < 3 ? 503 : 200));
    await controls.transfer('x', 1000);
    const retrying = await deliveriesWhere((d) => d[0]?.state === 'retrying');
    expect(Date.parse(retrying[0]?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now());
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'delivered', 3000);
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
  });

  it('a receiver that is down (connection refused) is retried too', async () => {
    const down = new WebhookReceiver();
    await down.start();
    const url = down.url();
    await down.stop();
    await controls.setWebhook(url);
    await controls.transfer('x', 1000);
    const [delivery] = await deliveriesWhere((d) => (d[0]?.attempts.length ?? 0) >= 2, 2000);
    expect(delivery?.attempts[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });
  });

  it('a receiver that times out is not retried (the page: "Timeout" events are not auto-retried)', async () => {
    receiver.reset(() => 'hang');
    await controls.transfer('x', 1000);
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'timeout');
    expect(delivery?.attempts).toEqual([expect.objectContaining({ attempt: 1, status: null, error: 'no answer within 300 ms' })]);
    await sleep(500);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('webhook faults', () => {
  it('drop: nothing is sent, but the payment is recorded and readable', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { dropRate: 1 } });
    const request = await paymentRequest();
    await controls.transfer(remarkOf(request), 6000000);
    await sleep(100);
    expect(receiver.received).toEqual([]);
    expect((await controls.deliveries()).map((d) => [d.state, d.attempts.length])).toEqual([['dropped', 0]]);
    expect((await finan.get(request.payment_request_id)).body.data).toMatchObject({ paid_amount: 6000000, status: 'paid' });
    expect((await finan.list()).body.data?.[0]?.payments).toHaveLength(1);
  });

  it('duplicate: the same payment arrives twice, both genuine, with the same id', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { duplicateRate: 1 } });
    await controls.transfer('x', 1000);
    await eventually(async () => receiver.received.length, (n) => n === 2);
    const [first, second] = receiver.received.map((webhook) => verify(webhook).event);
    expect(second).toEqual(first);
    expect((await controls.deliveries()).map((d) => d.duplicate)).toEqual([false, true]);
  });

  it('reorder: the first payment is held and arrives after the second', async () => {
    // Its own sandbox on a slower clock (a 6 s hold), so a busy machine cannot release the hold before the second transfer.
    const slow = await startSandbox({ port: 0, timeScale: 0.02, finan: { webhookSecret: WEBHOOK_SECRET, webhookTimeoutMs: 300 } });
    try {
      const slowControls = paymentControls(slow.url);
      await slowControls.setWebhook(receiver.url());
      await sandboxControls(slow.url).setFaults({ webhooks: { reorder: true } });
      const first = (await slowControls.transfer('x', 1000)).body;
      // The hold starts on the sandbox's next tick, just after the transfer is answered.
      expect((await eventually(() => slowControls.deliveries(), (d) => d[0]?.state !== 'scheduled', 2_000))[0]?.state).toBe('held');
      const second = (await slowControls.transfer('x', 2000)).body;
      await eventually(async () => receiver.received.length, (n) => n === 2);
      expect(receiver.received.map((webhook) => verify(webhook).event.id)).toEqual([second.id, first.id]);
    } finally {
      await slow.close();
    }
  });

  it('reorder: a held payment with no successor is released after 5 minutes (scaled), not lost', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { reorder: true } });
    await controls.transfer('x', 1000);
    const started = Date.now();
    await eventually(async () => receiver.received.length, (n) => n === 1, 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('delayMs: the first attempt waits (scaled)', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { delayMs: 1_000_000 } }); // 1 s at this scale: room for a busy machine
    await controls.transfer('x', 1000);
    await sleep(100);
    expect((await controls.deliveries())[0]?.state).toBe('scheduled');
    expect(receiver.received).toEqual([]);
    await eventually(async () => receiver.received.length, (n) => n === 1);
  });

  it('reset forgets deliveries and cancels pending retries', async () => {
    receiver.reset(() => 500);
    await controls.transfer('x', 1000);
    await deliveriesWhere((d) => d[0]?.state === 'retrying');
    await sandboxControls(sandbox.url).reset();
    expect(await controls.deliveries()).toEqual([]);
    await sleep(400);
    expect(receiver.received).toHaveLength(1);
  });
});
