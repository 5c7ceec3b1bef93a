import type { FastifyRequest } from 'fastify';
import { resolveSandboxConfig } from '../../sandbox/config';
import { authenticateFinanRequest } from '../../sandbox/finan/auth';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { CLIENT_ID, finanClient, nowSeconds, PAGE_EXAMPLE_PAYOUT, sandboxControls, SECRET_KEY, signFinan } from './finan-test-client';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof finanClient>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, finan: { processingDelayMs: 50 } });
  finan = finanClient(sandbox.finanBaseUrl);
  controls = sandboxControls(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => controls.reset());

const create = { method: 'POST', path: '/api/v1/payouts', body: PAGE_EXAMPLE_PAYOUT } as const;
const payoutCount = async (): Promise<number> => (await finan.listPayouts()).body.data?.length ?? -1;

async function expectUnauthorized(response: Awaited<ReturnType<typeof finan.call>>, error: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.body).toEqual({
    message: { content: 'Yêu cầu không hợp lệ', error },
    code: 104000,
    request_id: expect.any(String),
  });
  expect(await payoutCount()).toBe(0);
}

describe('request authentication', () => {
  it('accepts a correctly signed request', async () => {
    expect((await finan.call(create)).status).toBe(200);
    expect(await payoutCount()).toBe(1);
  });

  it('refuses a bad signature', async () => {
    await expectUnauthorized(await finan.call({ ...create, secret: 'not-the-secret' }), 'Invalid signature');
    await expectUnauthorized(await finan.call({ ...create, signature: 'f'.repeat(64) }), 'Invalid signature');
  });

  it.each(['x-client-id', 'x-signature', 'x-timestamp'] as const)('refuses a request without %s', async (header) =>
    expectUnauthorized(await finan.call({ ...create, omit: [header] }), `Missing ${header} header`),
  );

  it('refuses an unknown client id', async () =>
    expectUnauthorized(await finan.call({ ...create, clientId: 'someone-else' }), 'Invalid client id'));

  it('refuses a timestamp a minute old or a minute ahead, accepts one 15 s old', async () => {
    // Far from the 30 s edge, so the time a busy machine takes to deliver the request cannot change the answer;
    // the edge itself is checked on a fixed clock below.
    const stale = 'Request timestamp is more than 30 seconds off';
    await expectUnauthorized(await finan.call({ ...create, timestamp: nowSeconds() - 60 }), stale);
    await expectUnauthorized(await finan.call({ ...create, timestamp: nowSeconds() + 60 }), stale);
    expect((await finan.call({ ...create, timestamp: nowSeconds() - 15 })).status).toBe(200);
  });

  it('refuses a timestamp in milliseconds', async () =>
    expectUnauthorized(await finan.call({ ...create, timestamp: Date.now() }), 'Invalid x-timestamp header'));

  it('verifies the raw body bytes, not a re-serialisation of the JSON', async () => {
    const pretty = JSON.stringify(PAGE_EXAMPLE_PAYOUT, null, 2);
    // Signed compact, sent pretty: the same JSON value, different bytes.
    await expectUnauthorized(
      await finan.call({ ...create, body: pretty, signedPayload: JSON.stringify(PAGE_EXAMPLE_PAYOUT) }),
      'Invalid signature',
    );
    // Signed exactly as sent: fine, whatever the formatting.
    expect((await finan.call({ ...create, body: pretty })).status).toBe(200);
  });

  it('signs non-ASCII bodies over their UTF-8 bytes', async () => {
    const body = { ...PAGE_EXAMPLE_PAYOUT, description: 'thanh toán đơn hàng' };
    expect((await finan.call({ ...create, body })).status).toBe(200);
  });

  it('includes the query string in the signed path', async () => {
    const path = '/api/v1/payouts?reference_id=PAYOUT-001&page=1';
    const signedWithQuery = await finan.call({ method: 'GET', path });
    expect(signedWithQuery.status).toBe(200);
    expect(signedWithQuery.body.code).toBe(102000);
    const signedWithoutQuery = await finan.call({ method: 'GET', path, signedPath: '/api/v1/payouts' });
    expect(signedWithoutQuery.status).toBe(401);
    expect(signedWithoutQuery.body.message.error).toBe('Invalid signature');
  });

  it('signs GET with an empty payload', async () => {
    const response = await finan.call({ method: 'GET', path: '/api/v1/payouts', signedPayload: '{}' });
    expect(response.status).toBe(401);
  });

  it('answers unknown routes in the Finan envelope', async () => {
    const response = await finan.call({ method: 'GET', path: '/api/v1/payoutz' });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe(104000);
  });
});

describe('IP whitelist', () => {
  it('is off by default', async () => {
    expect((await controls.send('GET', '/finan/settings')).body).toEqual({ ipWhitelist: null, processingDelayMs: 50 });
  });

  it('refuses callers outside the list with 403 "IP address not whitelisted", exactly as the page shows', async () => {
    expect((await controls.settings({ ipWhitelist: ['10.1.2.3'] })).body.ipWhitelist).toEqual(['10.1.2.3']);
    for (const response of [await finan.call(create), await finan.listPayouts()]) {
      expect(response.status).toBe(403);
      expect(response.body).toEqual({
        message: { content: 'Yêu cầu không hợp lệ', error: 'IP address not whitelisted' },
        code: 104000,
        request_id: expect.any(String),
      });
    }
    await controls.settings({ ipWhitelist: null });
    expect(await payoutCount()).toBe(0);
  });

  it('authenticates before it checks the whitelist', async () => {
    await controls.settings({ ipWhitelist: ['10.1.2.3'] });
    expect((await finan.call({ ...create, secret: 'wrong' })).status).toBe(401);
  });

  it('lets whitelisted callers through, and can be turned off again', async () => {
    await controls.settings({ ipWhitelist: ['10.1.2.3', '127.0.0.1'] });
    expect((await finan.call(create)).status).toBe(200);
    await controls.settings({ ipWhitelist: ['10.1.2.3'] });
    expect((await finan.call(create)).status).toBe(403);
    await controls.settings({ ipWhitelist: null });
    expect((await finan.call(create)).status).toBe(200);
    expect(await payoutCount()).toBe(2);
  });

  it('refuses malformed settings', async () => {
    const response = await controls.settings({ ipWhitelist: ['not-an-ip'] });
    expect(response.status).toBe(400);
    expect((await controls.send('GET', '/finan/settings')).body).toEqual({ ipWhitelist: null, processingDelayMs: 50 });
  });
});

describe('the 30-second window, on a fixed sandbox clock', () => {
  const config = resolveSandboxConfig({}, {}).finan;
  const NOW_MS = 1_700_000_000_999; // late in its second: a window measured in milliseconds would differ here

  /** A POST /api/v1/payouts as Fastify hands it to the hook: raw body bytes, path after the /finan/open mount. */
  function signedAt(timestamp: number): FastifyRequest {
    const body = JSON.stringify(PAGE_EXAMPLE_PAYOUT);
    const ts = String(timestamp);
    return {
      headers: { 'x-client-id': CLIENT_ID, 'x-timestamp': ts, 'x-signature': signFinan(SECRET_KEY, 'POST', '/api/v1/payouts', body, ts) },
      method: 'POST',
      raw: { method: 'POST', url: '/finan/open/api/v1/payouts' },
      body: Buffer.from(body, 'utf8'),
    } as unknown as FastifyRequest;
  }

  it.each([-30, 0, 30])('accepts a timestamp %i s from now', (offset) => {
    expect(() => authenticateFinanRequest(signedAt(1_700_000_000 + offset), config, NOW_MS)).not.toThrow();
  });

  it.each([-31, 31])('refuses a timestamp %i s from now with 401', (offset) => {
    expect(() => authenticateFinanRequest(signedAt(1_700_000_000 + offset), config, NOW_MS)).toThrow(
      expect.objectContaining({ status: 401, message: 'Request timestamp is more than 30 seconds off' }),
    );
  });
});
