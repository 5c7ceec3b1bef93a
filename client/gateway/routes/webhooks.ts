/**
 * `POST /webhooks/finan`, Finan's payment webhook. The signature is checked over the raw body (constant time,
 * timestamp window, every active secret) and `x-client-id`, when sent, must be ours; anything missing, stale, forged
 * or meant for another account gets 401 and changes nothing. A
 * genuine event is handed to its flow (or the operators' inbox) and acknowledged with 200 only once Temporal has
 * recorded it; if Temporal cannot take it, 503 makes Finan retry (5, 10, 15 minutes) and the reconciliation is the
 * net under that.
 */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { FinanWebhookError, FinanWebhookHeaderError } from '../../../providers/finan/errors';
import { verifyFinanWebhook } from '../../../providers/finan/webhook';
import { DongflowError } from '../../errors';
import type { ReconciliationClient } from '../../reconciliation';
import type { RouteDoc } from './route';

export const FINAN_WEBHOOK_PATH = '/webhooks/finan';

/** Documented apart: the route reads its raw body (the signature covers the bytes as sent). */
export const finanWebhookDoc: RouteDoc = {
  method: 'POST',
  url: FINAN_WEBHOOK_PATH,
  tag: 'Webhooks',
  summary: "Finan's payment webhook",
  description:
    "Signed by Finan (`x-signature` over the raw body, `x-timestamp` within 5 minutes, `x-client-id` when sent must be ours). 200 once Temporal has the event; Finan retries on 503.",
  responses: { 200: { description: '`{ status: "success", message, timestamp }`' } },
  errors: [400, 401, 503],
};

export interface FinanWebhookRoutesOptions {
  payments: Pick<ReconciliationClient, 'handFinanPayment'>;
  /** Active webhook secrets, newest first (two during a rotation). */
  secrets: readonly string[];
  /** Our Finan client id; when given, a webhook carrying another `x-client-id` is refused. */
  clientId?: string;
  /** How far `x-timestamp` may be from our clock. Default 300 s (Stripe's window). */
  toleranceSeconds?: number;
  /** Payment ids remembered as handed over, so a duplicate delivery is answered at once. Default 10,000. */
  recentCapacity?: number;
  nowSeconds?: () => number;
}

/** A bounded set of recently handed-over payment ids; the flows dedupe durably, this only spares Temporal a signal. */
export class RecentPaymentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}

const REJECTION_CODES = { header: 'missing_signature', signature: 'invalid_signature', stale: 'stale_webhook', payload: 'invalid_payload' } as const;

export async function finanWebhookRoutes<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>,
  opts: FinanWebhookRoutesOptions,
): Promise<void> {
  if (opts.secrets.length === 0) throw new TypeError('The Finan webhook receiver needs at least one secret');
  const toleranceSeconds = opts.toleranceSeconds ?? 300;
  const nowSeconds = opts.nowSeconds ?? (() => Date.now() / 1000);
  const recent = new RecentPaymentIds(opts.recentCapacity ?? 10_000);

  // The signature covers the bytes as sent: in this plugin's scope every body stays a raw Buffer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));

  app.post(FINAN_WEBHOOK_PATH, async (request, reply) => {
    let verified;
    try {
      verified = verifyFinanWebhook({
        rawBody: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        headers: request.headers,
        path: request.url,
        secrets: opts.secrets,
        clientId: opts.clientId,
        nowSeconds: nowSeconds(),
        toleranceSeconds,
      });
    } catch (err) {
      if (!(err instanceof FinanWebhookError)) throw err;
      request.log.warn({ reason: err.reason, message: err.message }, 'Finan webhook rejected');
      // A signed but unreadable body cannot be fixed by a retry: 400. Everything else is not Finan's: 401.
      const status = err.reason === 'payload' ? 400 : 401;
      const code = err instanceof FinanWebhookHeaderError && err.header === 'x-client-id' ? 'foreign_client_id' : REJECTION_CODES[err.reason];
      return reply.status(status).send({ error: { code, message: err.message, details: { reason: err.reason } } });
    }
    if (verified.secretIndex > 0) request.log.info({ secretIndex: verified.secretIndex }, 'Finan webhook verified with an older secret');

    const { event } = verified;
    if (recent.has(event.id)) {
      request.log.info({ paymentId: event.id }, 'Duplicate Finan webhook acknowledged');
      return reply.status(200).send(acknowledgement());
    }
    try {
      const handOff = await opts.payments.handFinanPayment({
        paymentId: event.id,
        amount: event.amount,
        method: event.payment_method,
        createdAt: event.created_at,
        paymentRequestId: event.payment_request_id,
        referenceId: event.reference_id,
        referenceType: event.reference_type,
      });
      recent.add(event.id);
      request.log.info({ paymentId: event.id, outcome: handOff.outcome, workflowId: handOff.workflowId }, 'Finan webhook handed over');
      return reply.status(200).send(acknowledgement());
    } catch (err) {
      request.log.warn({ paymentId: event.id, err: err instanceof Error ? err.message : String(err) }, 'Finan webhook not handed over; Finan will retry');
      const code = err instanceof DongflowError ? err.code : 'handoff_failed';
      return reply.status(503).send({ error: { code, message: 'The payment could not be recorded durably yet; retry later', details: null } });
    }
  });
}

/** The acknowledgement the payments page shows. */
function acknowledgement() {
  return { status: 'success', message: 'Payment processed successfully', timestamp: new Date().toISOString() };
}
