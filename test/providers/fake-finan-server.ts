/**
 * A tiny local stand-in for Finan: records what arrives byte for byte and checks each request's signature with
 * its own computation of the documented rule (not the client's signer), answering 401 like Finan when it is wrong.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FinanError } from '../../providers/finan/errors';

export const CLIENT_ID = 'test-client';
export const SECRET_KEY = 'test-secret-key-DO-NOT-LEAK';
/** Mirrors the sandbox: Finan's API lives under `<prefix>/open`. */
export const BASE_PATH = '/finan/open';

export interface ReceivedRequest {
  method: string;
  /** After `/open`, query included, exactly as received. */
  path: string;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  signatureValid: boolean;
}

export type Reply =
  | { status: number; body?: string | object; headers?: Record<string, string> }
  | 'hang' // never answer
  | 'destroy' // drop the connection without a response
  | 'stall-body'; // send headers and part of the body, then nothing

export type Handler = (req: ReceivedRequest) => Reply;

export function envelope(data: unknown, code = 102000, requestId = 'req-ok'): object {
  return { message: { content: 'Thực thi API thành công' }, code, request_id: requestId, data };
}

export function errorEnvelope(error: string | undefined, requestId: string, content = 'Yêu cầu không hợp lệ'): object {
  return { message: error === undefined ? { content } : { content, error }, code: 104000, request_id: requestId };
}

function expectedSignature(method: string, path: string, body: string, timestamp: string): string {
  return createHash('sha256').update(`${SECRET_KEY}_${method}_${path}_${body}_${timestamp}`).digest('hex');
}

export class FakeFinan {
  readonly received: ReceivedRequest[] = [];
  connections = 0;
  handler: Handler = () => ({ status: 200, body: envelope([]) });
  private readonly server = http.createServer((req, res) => this.onRequest(req, res));
  private port = 0;

  async start(): Promise<this> {
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get baseUrl(): string {
    return `${this.origin}${BASE_PATH}`;
  }

  reset(handler: Handler): void {
    this.received.length = 0;
    this.handler = handler;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const url = req.url ?? '';
      const path = url.startsWith(BASE_PATH) ? url.slice(BASE_PATH.length) : url;
      const method = req.method ?? '';
      const timestamp = String(req.headers['x-timestamp'] ?? '');
      const signatureValid =
        req.headers['x-client-id'] === CLIENT_ID &&
        req.headers['x-signature'] === expectedSignature(method, path, rawBody.toString('utf8'), timestamp);
      const received: ReceivedRequest = { method, path, headers: req.headers, rawBody, signatureValid };
      this.received.push(received);

      const reply: Reply = signatureValid ? this.handler(received) : { status: 401, body: errorEnvelope('Invalid signature', 'req-sig') };
      if (reply === 'hang') return;
      if (reply === 'destroy') {
        req.socket.destroy();
        return;
      }
      if (reply === 'stall-body') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"message":');
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(text);
    });
  }
}

/** The one request the fake received in a test. */
export function only(received: ReceivedRequest[]): ReceivedRequest {
  expect(received).toHaveLength(1);
  return received[0] as ReceivedRequest;
}

/** The FinanError a call rejects with (fails the test if it resolves or rejects with something else). */
export async function failure(promise: Promise<unknown>): Promise<FinanError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FinanError);
  return err as FinanError;
}
