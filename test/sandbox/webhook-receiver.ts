/** A merchant's webhook endpoint for tests: records every delivery byte for byte and answers as told. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  /** Request target, query included. */
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  /** Arrival time, ms since the epoch. */
  at: number;
}

/** The status to answer the nth delivery (1-based), or 'hang' to never answer. */
export type WebhookAnswer = (n: number, webhook: ReceivedWebhook) => number | 'hang';

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: WebhookAnswer = () => 200;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const webhook: ReceivedWebhook = { path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks), at: Date.now() };
      this.received.push(webhook);
      const status = this.answer(this.received.length, webhook);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'application/json' });
      // The page's suggested acknowledgement.
      res.end(JSON.stringify({ status: 'success', message: 'Payment processed successfully', timestamp: new Date().toISOString() }));
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(path = '/webhooks/finan'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  reset(answer: WebhookAnswer = () => 200): void {
    this.received.length = 0;
    this.answer = answer;
  }

  bodies(): unknown[] {
    return this.received.map((webhook) => JSON.parse(webhook.rawBody.toString('utf8')));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}
