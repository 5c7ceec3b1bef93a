import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  httpRequest,
  parseRetryAfterMs,
  TransportAbortedError,
  TransportNetworkError,
  TransportTimeoutError,
} from '../../providers/http';

type Route = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;

let route: Route = (_req, _body, res) => res.end();
let connections = 0;
const bodies: Buffer[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    bodies.push(body);
    route(req, body, res);
  });
});
server.on('connection', () => connections++);
let origin = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  bodies.length = 0;
});

describe('httpRequest', () => {
  it('sends the body byte-exact and returns status, lower-cased headers and text, even for an error status', async () => {
    route = (req, body, res) => {
      res.writeHead(500, { 'X-Request-Id': 'abc', 'Content-Type': 'text/plain' });
      res.end(`${req.headers['content-length']}|${body.toString('utf8')}`);
    };
    const body = '{"name":"NGUYỄN VĂN A","note":"a\\u0000b"}';

    const res = await httpRequest({ method: 'POST', url: `${origin}/x`, headers: { 'content-type': 'application/json' }, body, timeoutMs: 2000 });

    expect(res.status).toBe(500);
    expect(res.headers['x-request-id']).toBe('abc');
    expect(res.bodyText).toBe(`${Buffer.byteLength(body)}|${body}`);
    expect(bodies[0]?.equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('reuses one kept-alive connection for consecutive requests', async () => {
    route = (_req, _body, res) => res.end('ok');
    const before = connections;

    for (let i = 0; i < 3; i++) await httpRequest({ method: 'GET', url: `${origin}/k`, headers: {}, timeoutMs: 2000 });

    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('returns a redirect instead of replaying a signed request elsewhere', async () => {
    route = (_req, _body, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    };
    const res = await httpRequest({ method: 'POST', url: `${origin}/r`, headers: {}, body: '{}', timeoutMs: 2000 });
    expect(res.status).toBe(302);
    expect(bodies).toHaveLength(1);
  });

  it('times out when the server never answers', async () => {
    route = () => undefined;
    const err = await httpRequest({ method: 'GET', url: `${origin}/hang`, headers: {}, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportTimeoutError);
    expect(err).toMatchObject({ timeoutMs: 200, method: 'GET' });
  });

  it('times out when the body stops half-way (the budget covers the whole exchange)', async () => {
    route = (_req, _body, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    };
    await expect(httpRequest({ method: 'GET', url: `${origin}/stall`, headers: {}, timeoutMs: 200 })).rejects.toBeInstanceOf(TransportTimeoutError);
  });

  it('reports the caller cancelling as aborted, not as a timeout', async () => {
    const controller = new AbortController();
    // Cancelled once the server holds the request (and never answers): mid-exchange whatever the machine's speed.
    route = () => controller.abort();
    await expect(
      httpRequest({ method: 'GET', url: `${origin}/hang`, headers: {}, timeoutMs: 60_000, signal: controller.signal }),
    ).rejects.toBeInstanceOf(TransportAbortedError);
    expect(bodies).toHaveLength(1);
  });

  it('does not send at all when the caller has already cancelled', async () => {
    await expect(
      httpRequest({ method: 'POST', url: `${origin}/x`, headers: {}, body: '{}', timeoutMs: 5000, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(TransportAbortedError);
    expect(bodies).toHaveLength(0);
  });

  it('classifies a dropped connection as a network error keeping its code', async () => {
    route = (req) => req.socket.destroy();
    const err = await httpRequest({ method: 'GET', url: `${origin}/drop`, headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportNetworkError);
    expect((err as TransportNetworkError).code).toBe('ECONNRESET');
  });

  it('classifies a refused connection as a network error keeping its code', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const err = await httpRequest({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, timeoutMs: 2000 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(TransportNetworkError);
    expect((err as TransportNetworkError).code).toBe('ECONNREFUSED');
  });

  it('rejects a non-positive timeout as a programming error', async () => {
    await expect(httpRequest({ method: 'GET', url: `${origin}/`, headers: {}, timeoutMs: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2024-01-20T14:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    [' 12 ', 12000],
    ['Sat, 20 Jan 2024 14:00:30 GMT', 30_000],
    ['Sat, 20 Jan 2024 13:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%p → %p', (value, expected) => {
    expect(parseRetryAfterMs(value, now)).toBe(expected);
  });
});
