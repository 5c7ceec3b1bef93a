import { verifyFinanWebhook } from '../../providers/finan/webhook';
import { resolveSandboxConfig } from '../../sandbox/config';
import { FaultStore } from '../../sandbox/faults';
import { WebhookSender } from '../../sandbox/finan/webhooks';
import type { PaymentWebhookPayload } from '../../sandbox/finan/webhooks';
import { Scheduler } from '../../sandbox/scheduler';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { PAGE_EXAMPLE_PAYMENT, paymentControls, paymentsClient } from './finan-payments-client';
import type { DeliveryView, PaymentRequestCreated } from './finan-payments-client';
import { eventually, sandboxControls, signFinan } from './finan-test-client';
import { WebhookReceiver } from './webhook-receiver';
import type { ReceivedWebhook } from './webhook-receiver';

// 5, 10 and 15 minutes × 0.001 = 300, 600 and 900 ms; a 30-minute link lives 1.8 s.
const TIME_SCALE = 0.001;
const MINUTE = 60_000;
/** The page's retry table: after 5, 10 and 15 minutes. */
const PAGE_RETRY_DELAYS_MS = [5 * MINUTE, 10 * MINUTE, 15 * MINUTE];
const WEBHOOK_SECRET = 'test-webhook-secret';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof paymentsClient>;
let controls: ReturnType<typeof paymentControls>;
const receiver = new WebhookReceiver();

beforeAll(async () => {
  await receiver.start();
  // The receiver timeout stays at its 10 s default: a busy machine must not turn a 200 into a "Timeout".
  sandbox = await startSandbox({ port: 0, timeScale: TIME_SCALE, finan: { webhookSecret: WEBHOOK_SECRET } });
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

/** The page's rule, computed here: `x-signature` = SHA-256 of `{secret}_POST_{path}_{body}_{x-timestamp}`. */
function signedAsThePageSays(webhook: ReceivedWebhook, path: string, secret = WEBHOOK_SECRET): boolean {
  const timestamp = String(webhook.headers['x-timestamp']);
  return webhook.headers['x-signature'] === signFinan(secret, 'POST', path, webhook.rawBody.toString('utf8'), timestamp);
}

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

const deliveriesWhere = (done: (deliveries: DeliveryView[]) => boolean) => eventually(() => controls.deliveries(), done);
const receivedCount = (n: number) => eventually(async () => receiver.received.length, (count) => count >= n);

/**
 * Sends one more payment whose first attempt waits `delayMs` on the sandbox's clock, and waits until it arrives. Timers
 * of equal delay run in the order they were set, so anything the sandbox scheduled earlier with a delay no longer
 * than this one has happened by then: a witness instead of a sleep.
 */
async function sendWitness(delayMs: number, expectedCount: number): Promise<ReceivedWebhook> {
  await sandboxControls(sandbox.url).setFaults({ webhooks: { delayMs } });
  const witness = (await controls.transfer('witness', 4242)).body;
  await eventually(async () => receiver.received.some((webhook) => webhook.rawBody.toString('utf8').includes(witness.id)), (arrived) => arrived);
  expect(receiver.received).toHaveLength(expectedCount);
  return receiver.received.at(-1) as ReceivedWebhook;
}

describe('the payment webhook', () => {
  it("posts the page's payload for a transfer, signed so that verifyFinanWebhook accepts it", async () => {
    const request = await paymentRequest();
    const payment = (await controls.transfer(remarkOf(request), 6000000)).body;

    await receivedCount(1);
    const webhook = receiver.received[0] as ReceivedWebhook;
    expect(webhook.path).toBe('/webhooks/finan');
    expect(webhook.headers['content-type']).toBe('application/json');
    expect(webhook.headers['x-client-id']).toBe('sandbox-client');
    expect(signedAsThePageSays(webhook, '/webhooks/finan')).toBe(true);
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
    await receivedCount(1);
    const webhook = receiver.received[0] as ReceivedWebhook;
    expect(signedAsThePageSays(webhook, '/hooks/finan?tenant=42')).toBe(true);
    expect(signedAsThePageSays(webhook, '/hooks/finan')).toBe(false);
    expect(signedAsThePageSays(webhook, '/hooks/finan?tenant=42', 'sandbox-secret')).toBe(false);
    expect(verify(webhook, '/hooks/finan?tenant=42').event.amount).toBe(1000);
    expect(() => verify(webhook, '/hooks/finan')).toThrow('signature does not match');
    expect(() => verifyFinanWebhook({ rawBody: webhook.rawBody, headers: webhook.headers, path: '/hooks/finan?tenant=42', secrets: ['sandbox-secret'], nowSeconds: Date.now() / 1000, toleranceSeconds: 300 })).toThrow('signature does not match');
  });

  it('announces an orphan transfer with null request fields', async () => {
    await controls.transfer('tien nha thang 5', 3500000);
    await receivedCount(1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ payment_request_id: null, reference_id: null, reference_type: null, amount: 3500000 });
  });

  it('announces a card payment with its method', async () => {
    const request = await paymentRequest({ payment_method: 'card', amount: 99000, reference_id: 'ORDER-1' });
    await controls.checkout(request.payment_request_id);
    await receivedCount(1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ payment_method: 'card', reference_id: 'ORDER-1', amount: 99000 });
  });

  it('announces a payment arriving after the link expired', async () => {
    const request = await paymentRequest();
    await eventually(async () => (await controls.inspect(request.payment_request_id)).body.expired, (expired) => expired);
    const late = (await controls.transfer(remarkOf(request), 6000000)).body;
    expect(late.late).toBe(true);
    await receivedCount(1);
    expect(verify(receiver.received[0] as ReceivedWebhook).event).toMatchObject({ id: late.id, payment_request_id: request.payment_request_id });
  });

  it('with no URL registered, the delivery ends "url_not_set" and is not retried, even once a URL is set', async () => {
    await controls.setWebhook(null);
    await controls.transfer('x', 1000);
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'url_not_set');
    expect(delivery).toMatchObject({ attempts: [], nextAttemptAt: null });

    // A first retry would come 5 minutes (scaled) after: a witness sent with that delay arrives alone.
    await controls.setWebhook(receiver.url());
    await sendWitness(5 * MINUTE, 1);
    expect((await controls.deliveries())[0]).toMatchObject({ state: 'url_not_set', attempts: [] });
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

  it('a receiver answering 500 gets 4 attempts, at least 300, 600 and 900 ms apart, then the delivery fails', async () => {
    receiver.reset(() => 500);
    await controls.transfer('x', 1000);

    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'failed');
    expect(delivery?.attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 500],
    ]);
    // Never sooner than the page's intervals (timers do not fire early; a busy machine only makes them later).
    // The exact intervals are checked on the sandbox's own clock below.
    const scaled = PAGE_RETRY_DELAYS_MS.map((ms) => ms * TIME_SCALE);
    const measured = gaps(delivery);
    expect(measured).toHaveLength(3);
    measured.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((scaled[i] as number) - 2));
    // Each attempt is signed afresh and verifies on its own.
    expect(receiver.received).toHaveLength(4);
    for (const webhook of receiver.received) {
      expect(signedAsThePageSays(webhook, '/webhooks/finan')).toBe(true);
      expect(verify(webhook).event.amount).toBe(1000);
    }
  });

  it('a receiver recovering on the third attempt ends the delivery "delivered"', async () => {
    receiver.reset((n) => (n < 3 ? 503 : 200));
    await controls.transfer('x', 1000);
    const [retrying] = await deliveriesWhere((d) => d[0]?.state === 'retrying');
    // The next attempt is due 5 minutes (scaled) after the first, at the earliest.
    expect(Date.parse(retrying?.nextAttemptAt ?? '')).toBeGreaterThanOrEqual(Date.parse(retrying?.attempts[0]?.at ?? '') + 5 * MINUTE * TIME_SCALE);
    const [delivery] = await deliveriesWhere((d) => d[0]?.state === 'delivered');
    expect(delivery?.attempts.map((attempt) => attempt.status)).toEqual([503, 503, 200]);
  });

  it('a receiver that is down (connection refused) is retried too', async () => {
    const down = new WebhookReceiver();
    await down.start();
    const url = down.url();
    await down.stop();
    await controls.setWebhook(url);
    await controls.transfer('x', 1000);
    const [delivery] = await deliveriesWhere((d) => (d[0]?.attempts.length ?? 0) >= 2);
    expect(delivery?.attempts[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });
  });

  it('a receiver that times out is not retried (the page: "Timeout" events are not auto-retried)', async () => {
    // Its own sandbox with a 300 ms receiver timeout; the receiver never answers, so it times out however busy the machine.
    const impatient = await startSandbox({ port: 0, timeScale: TIME_SCALE, finan: { webhookSecret: WEBHOOK_SECRET, webhookTimeoutMs: 300 } });
    try {
      const impatientControls = paymentControls(impatient.url);
      await impatientControls.setWebhook(receiver.url());
      receiver.reset(() => 'hang');
      await impatientControls.transfer('x', 1000);
      const [delivery] = await eventually(() => impatientControls.deliveries(), (d) => d[0]?.state === 'timeout');
      expect(delivery).toMatchObject({ nextAttemptAt: null, attempts: [expect.objectContaining({ attempt: 1, status: null, error: 'no answer within 300 ms' })] });
      expect(receiver.received).toHaveLength(1);
    } finally {
      await impatient.close();
    }
  });
});

describe("the retry schedule on the sandbox's own clock", () => {
  /** A scheduler that runs nothing by itself: the test sees every delay asked for and decides when it has passed. */
  class ManualScheduler extends Scheduler {
    readonly queued: Array<{ ms: number; task: () => void }> = [];
    constructor() {
      super(1);
    }
    override after(ms: number, task: () => void): () => void {
      const entry = { ms, task };
      this.queued.push(entry);
      return () => {
        const index = this.queued.indexOf(entry);
        if (index !== -1) this.queued.splice(index, 1);
      };
    }
    /** Lets the first pending delay pass and returns it. */
    elapse(): number {
      const entry = this.queued.shift();
      if (entry === undefined) throw new Error('nothing is scheduled');
      entry.task();
      return entry.ms;
    }
  }

  const payload: PaymentWebhookPayload = {
    id: 'PAY-001',
    reference_id: 'DH970422',
    reference_type: null,
    payment_method: 'bank_transfer',
    payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
    amount: 6000000,
    created_at: '2024-01-20T14:30:00Z',
  };

  function sender(faults = new FaultStore(), webhookTimeoutMs = 10_000) {
    const clock = new ManualScheduler();
    const config = resolveSandboxConfig({ finan: { webhookUrl: receiver.url(), webhookSecret: WEBHOOK_SECRET, webhookTimeoutMs } }, {}).finan;
    return { clock, webhooks: new WebhookSender({ config, scheduler: clock, faults }) };
  }

  /** Waits until the attempt in flight has ended, i.e. the delivery has left `sending`. */
  const settled = (webhooks: WebhookSender) =>
    eventually(async () => webhooks.list()[0]?.state, (state) => state !== 'sending' && state !== 'scheduled');

  it('a failing receiver is retried after exactly 5, 10 and 15 minutes, then the delivery fails', async () => {
    receiver.reset(() => 500);
    const { clock, webhooks } = sender();
    webhooks.notify(payload);
    expect(clock.elapse()).toBe(0);

    const delays: number[] = [];
    for (let retry = 0; retry < 3; retry++) {
      expect(await settled(webhooks)).toBe('retrying');
      // Nothing more goes out until the delay has passed.
      expect(receiver.received).toHaveLength(retry + 1);
      delays.push(clock.elapse());
    }
    expect(await settled(webhooks)).toBe('failed');
    expect(delays).toEqual(PAGE_RETRY_DELAYS_MS);
    expect(clock.queued).toEqual([]);
    expect(receiver.received).toHaveLength(4);
  });

  it('a timed-out or URL-less delivery schedules no retry', async () => {
    receiver.reset(() => 'hang');
    const timingOut = sender(new FaultStore(), 200);
    timingOut.webhooks.notify(payload);
    timingOut.clock.elapse();
    expect(await settled(timingOut.webhooks)).toBe('timeout');
    expect(timingOut.clock.queued).toEqual([]);

    const urlLess = sender();
    urlLess.webhooks.register(null);
    urlLess.webhooks.notify(payload);
    urlLess.clock.elapse();
    expect(await settled(urlLess.webhooks)).toBe('url_not_set');
    expect(urlLess.clock.queued).toEqual([]);
  });

  it('delayMs holds the first attempt for exactly that long', async () => {
    const faults = new FaultStore();
    faults.configure({ webhooks: { delayMs: 42_000 } });
    const { clock, webhooks } = sender(faults);
    webhooks.notify(payload);
    expect(webhooks.list()[0]?.state).toBe('scheduled');
    expect(clock.elapse()).toBe(42_000);
    expect(await settled(webhooks)).toBe('delivered');
  });

  it('a reordered event with no successor is released after 5 minutes', async () => {
    const faults = new FaultStore();
    faults.configure({ webhooks: { reorder: true } });
    const { clock, webhooks } = sender(faults);
    webhooks.notify(payload);
    clock.elapse();
    expect(webhooks.list()[0]?.state).toBe('held');
    expect(clock.elapse()).toBe(5 * MINUTE);
    expect(await settled(webhooks)).toBe('delivered');
  });
});

describe('webhook faults', () => {
  it('drop: nothing is sent, but the payment is recorded and readable', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { dropRate: 1 } });
    const request = await paymentRequest();
    await controls.transfer(remarkOf(request), 6000000);
    // Sent at once, the dropped one would have arrived before a witness sent after it.
    await sendWitness(0, 1);
    expect((await controls.deliveries()).map((d) => [d.state, d.attempts.length])).toEqual([
      ['dropped', 0],
      ['delivered', 1],
    ]);
    expect((await finan.get(request.payment_request_id)).body.data).toMatchObject({ paid_amount: 6000000, status: 'paid' });
    expect((await finan.list()).body.data?.[0]?.payments).toHaveLength(1);
  });

  it('duplicate: the same payment arrives twice, both genuine, with the same id', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { duplicateRate: 1 } });
    await controls.transfer('x', 1000);
    await receivedCount(2);
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
      expect((await eventually(() => slowControls.deliveries(), (d) => d[0]?.state !== 'scheduled'))[0]?.state).toBe('held');
      const second = (await slowControls.transfer('x', 2000)).body;
      await receivedCount(2);
      expect(receiver.received.map((webhook) => verify(webhook).event.id)).toEqual([second.id, first.id]);
    } finally {
      await slow.close();
    }
  });

  it('reorder: a held payment with no successor is released after 5 minutes (scaled), not lost', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { reorder: true } });
    const started = Date.now();
    await controls.transfer('x', 1000);
    await receivedCount(1);
    // Not before 5 minutes × 0.001 (a lower bound the timer guarantees); the exact hold is checked on the manual clock.
    expect(Date.now() - started).toBeGreaterThanOrEqual(5 * MINUTE * TIME_SCALE - 2);
  });

  it('delayMs: the first attempt waits (scaled), then goes out', async () => {
    await sandboxControls(sandbox.url).setFaults({ webhooks: { delayMs: 10 * MINUTE } }); // 600 ms at this scale
    const started = Date.now();
    await controls.transfer('x', 1000);
    await receivedCount(1);
    // Not before the delay (a lower bound the timer guarantees); the exact delay is checked on the manual clock.
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 * MINUTE * TIME_SCALE - 2);
  });

  it('reset forgets deliveries and cancels pending retries', async () => {
    receiver.reset((n) => (n === 1 ? 500 : 200));
    await controls.transfer('x', 1000);
    await deliveriesWhere((d) => d[0]?.state === 'retrying');
    await sandboxControls(sandbox.url).reset();
    expect(await controls.deliveries()).toEqual([]);

    // The cancelled retry was due 5 minutes (scaled) after the first attempt: a witness set later with that delay arrives alone.
    await controls.setWebhook(receiver.url());
    await sendWitness(5 * MINUTE, 2);
  });
});
