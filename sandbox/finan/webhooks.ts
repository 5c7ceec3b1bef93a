/**
 * Finan's payment webhooks, emulated: one signed POST per payment to the registered URL, retried per the page.
 *
 * Interpretations of the payments page:
 * - Signed like a request: `x-client-id`, `x-timestamp` (Unix seconds), `x-signature` = SHA-256 of
 *   `{SECRET}_POST_{path}_{body}_{timestamp}`, where path is the receiver URL's path and query (the page's handler
 *   signs its own path, "/webhook"). The page's receiver verifies with `secretKey`, the same key requests are signed
 *   with, so that is the default (SANDBOX_FINAN_WEBHOOK_SECRET overrides it); `x-client-id` is the account's client id.
 * - Every attempt is signed afresh with the current time: a retry 15 minutes later carrying the first timestamp
 *   would fail any receiver's replay window.
 * - Retries after 5, 10 and 15 minutes (totals 5, 15, 30), counted from the end of the failed attempt, each delay
 *   scaled by SANDBOX_TIME_SCALE. A failure is a non-2xx answer or a network error. The page asks for HTTP 200; any
 *   2xx is accepted, as most webhook senders do.
 * - "URL Not Set" and "Timeout" events are not retried (the page says so): no URL registered at an attempt ends the
 *   delivery `url_not_set`; a receiver slower than `webhookTimeoutMs` (real time) ends it `timeout`.
 * - Faults (`webhooks` in `/_sandbox/faults`), drawn per event: drop (never sent; the payment stays recorded and
 *   readable), duplicate (a second delivery of the same body right after the first, with its own retries), reorder
 *   (held until the next event has been sent, or at most 5 minutes, as long as a first retry), delayMs (before the first attempt).
 */
import http from 'node:http';
import https from 'node:https';
import type { FinanConfig } from '../config';
import { webhookUrlOf } from '../config';
import type { FaultStore } from '../faults';
import type { Scheduler } from '../scheduler';
import { finanSignature } from './signature';

/** Sandbox minutes between a failed attempt and the next: the page's retry table. */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [5 * 60_000, 10 * 60_000, 15 * 60_000];
/** A reordered event with no successor is released after this (sandbox time), no later than a first retry would be. */
export const REORDER_MAX_HOLD_MS = 5 * 60_000;

/** The page's webhook body. `reference_type` comes from its field table; null fields mark an unmatched payment. */
export interface PaymentWebhookPayload {
  id: string;
  reference_id: string | null;
  reference_type: string | null;
  payment_method: string;
  payment_request_id: string | null;
  amount: number;
  created_at: string;
}

export type DeliveryState =
  | 'scheduled'
  | 'held'
  | 'sending'
  | 'retrying'
  | 'delivered'
  | 'failed'
  | 'timeout'
  | 'url_not_set'
  | 'dropped';

export interface DeliveryAttempt {
  attempt: number;
  /** When the attempt started (ISO 8601, milliseconds). */
  at: string;
  url: string;
  /** The receiver's HTTP status, or null when none came (network error, timeout). */
  status: number | null;
  error: string | null;
}

export interface DeliveryView {
  id: string;
  paymentId: string;
  /** The second copy sent by the duplicate fault. */
  duplicate: boolean;
  state: DeliveryState;
  payload: PaymentWebhookPayload;
  attempts: DeliveryAttempt[];
  /** When the next retry is due (ISO 8601), while `retrying`. */
  nextAttemptAt: string | null;
}

interface Delivery extends DeliveryView {
  body: string;
}

type AttemptResult = { status: number } | { error: string; timeout: boolean };

export interface WebhookSenderDeps {
  config: FinanConfig;
  scheduler: Scheduler;
  faults: FaultStore;
}

export class WebhookSender {
  private url: string | null;
  private deliveries: Delivery[] = [];
  private held: { batch: Delivery[]; cancelRelease: () => void } | null = null;
  private sequence = 0;
  // Bumped by reset: an attempt in flight across a reset must not write into the new state.
  private generation = 0;

  constructor(private readonly deps: WebhookSenderDeps) {
    this.url = deps.config.webhookUrl;
  }

  registeredUrl(): string | null {
    return this.url;
  }

  /** Registers (or, with null, unregisters) the receiver; throws on a URL that is not absolute http(s). */
  register(url: string | null): string | null {
    this.url = webhookUrlOf('url', url);
    return this.url;
  }

  /** Announces a recorded payment, applying the configured webhook faults. */
  notify(payload: PaymentWebhookPayload): void {
    const faults = this.deps.faults.decideWebhook();
    const body = JSON.stringify(payload);
    const batch = [this.newDelivery(payload, body, false)];
    if (faults.drop) {
      (batch[0] as Delivery).state = 'dropped';
      return;
    }
    if (faults.duplicate) batch.push(this.newDelivery(payload, body, true));
    this.deps.scheduler.after(faults.delayMs, () => this.release(batch, faults.reorder));
  }

  list(): DeliveryView[] {
    return this.deliveries.map(({ body: _body, ...view }) => structuredClone(view));
  }

  /** Back to the configured URL with no deliveries (pending timers are cancelled by the scheduler). */
  reset(): void {
    this.generation++;
    this.deliveries = [];
    this.held?.cancelRelease();
    this.held = null;
    this.sequence = 0;
    this.url = this.deps.config.webhookUrl;
  }

  private newDelivery(payload: PaymentWebhookPayload, body: string, duplicate: boolean): Delivery {
    const delivery: Delivery = {
      id: `whd_${++this.sequence}`,
      paymentId: payload.id,
      duplicate,
      state: 'scheduled',
      payload,
      attempts: [],
      nextAttemptAt: null,
      body,
    };
    this.deliveries.push(delivery);
    return delivery;
  }

  private release(batch: Delivery[], reorder: boolean): void {
    if (!reorder) {
      void this.sendInOrder(batch);
      return;
    }
    const previous = this.held;
    if (previous === null) {
      for (const delivery of batch) delivery.state = 'held';
      const cancelRelease = this.deps.scheduler.after(REORDER_MAX_HOLD_MS, () => {
        if (this.held?.batch !== batch) return;
        this.held = null;
        void this.sendInOrder(batch);
      });
      this.held = { batch, cancelRelease };
      return;
    }
    // The held event goes out right after this one: the receiver sees them in the wrong order.
    previous.cancelRelease();
    this.held = null;
    void this.sendInOrder([...batch, ...previous.batch]);
  }

  /** First attempts one after the other, so the receiver sees them in exactly this order. */
  private async sendInOrder(batch: Delivery[]): Promise<void> {
    for (const delivery of batch) await this.attempt(delivery, 1);
  }

  private async attempt(delivery: Delivery, attempt: number): Promise<void> {
    const generation = this.generation;
    const url = this.url;
    delivery.nextAttemptAt = null;
    if (url === null) {
      delivery.state = 'url_not_set';
      return;
    }
    delivery.state = 'sending';
    const startedAt = new Date().toISOString();
    const result = await this.post(url, delivery.body);
    if (generation !== this.generation) return;

    delivery.attempts.push({
      attempt,
      at: startedAt,
      url,
      status: 'status' in result ? result.status : null,
      error: 'error' in result ? result.error : null,
    });
    if ('status' in result && result.status >= 200 && result.status < 300) {
      delivery.state = 'delivered';
      return;
    }
    if ('timeout' in result && result.timeout) {
      delivery.state = 'timeout';
      return;
    }
    const delay = WEBHOOK_RETRY_DELAYS_MS[attempt - 1];
    if (delay === undefined) {
      delivery.state = 'failed';
      return;
    }
    delivery.state = 'retrying';
    delivery.nextAttemptAt = new Date(Date.now() + this.deps.scheduler.scaled(delay)).toISOString();
    this.deps.scheduler.after(delay, () => void this.attempt(delivery, attempt + 1));
  }

  /** One signed POST; never throws. */
  private post(target: string, body: string): Promise<AttemptResult> {
    const url = new URL(target);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const { clientId, webhookSecret, webhookTimeoutMs } = this.deps.config;
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body, 'utf8')),
      'x-client-id': clientId,
      'x-timestamp': timestamp,
      'x-signature': finanSignature({
        secretKey: webhookSecret,
        method: 'POST',
        path: url.pathname + url.search,
        payload: body,
        timestamp,
      }),
    };
    const send = url.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (result: AttemptResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      // A fresh connection per attempt (no agent): nothing lingers after a reset, a close or a jest run.
      const request = send(url, { method: 'POST', headers, agent: false }, (response) => {
        response.resume();
        response.on('end', () => settle({ status: response.statusCode ?? 0 }));
        response.on('error', (error) => settle({ error: error.message, timeout: false }));
      });
      // The whole exchange, answer included, in real time: it models the receiver's speed, not Finan's clock.
      const timer = setTimeout(() => {
        settle({ error: `no answer within ${webhookTimeoutMs} ms`, timeout: true });
        request.destroy();
      }, webhookTimeoutMs);
      timer.unref();
      request.on('error', (error: NodeJS.ErrnoException) => settle({ error: error.code ?? error.message, timeout: false }));
      request.end(body);
    });
  }
}
