import { defaultPayloadConverter } from '@temporalio/common';
import Fastify from 'fastify';
import { createLogger } from '../../config/logger';
import { AesGcmCodec } from '../../codec/aes-gcm-codec';
import { parseKeyRing } from '../../codec/keys';
import { codecRoutes, startCodecServer } from '../../client/gateway/codec-routes';
import type { CodecRoutesOptions } from '../../client/gateway/codec-routes';
import { freePort } from '../helpers/ports';
import { K2, ringK1 } from './keyring-fixtures';

// app.inject loads light-my-request, which requires the ESM-only cookie@2 that jest 29 cannot load untransformed;
// it is used only for request cookies, which these tests never send. (A jest.config fix would make this line unneeded.)

const UI = 'http://127.0.0.1:8233';
const UI_LOCALHOST = 'http://localhost:8233';
const TOKEN = 'codec-token-for-tests';

const b64 = (text: string) => Buffer.from(text).toString('base64');
/** A payload as the UI sends it: protobuf JSON, bytes as base64. */
const jsonPayload = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
};

async function appWith(opts: Partial<CodecRoutesOptions> = {}) {
  // Like the gateway: Fastify over dongflow's pino logger.
  const app = Fastify({ loggerInstance: createLogger({ level: 'silent' }) });
  await app.register(codecRoutes, { codec: new AesGcmCodec(ringK1()), allowedOrigins: [UI, `${UI_LOCALHOST}/`], ...opts });
  await app.ready();
  return app;
}

describe('codec server routes', () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    app = await appWith();
  });
  afterAll(() => app.close());

  it('round-trips through /codec/encode then /codec/decode, as the UI calls them', async () => {
    const original = { payloads: [jsonPayload({ code: '012345' }), jsonPayload('second')] };
    const encoded = await app.inject({ method: 'POST', url: '/codec/encode', headers: { origin: UI, 'x-namespace': 'default' }, payload: original });
    expect(encoded.statusCode).toBe(200);
    const encodedBody = encoded.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>();
    expect(encodedBody.payloads).toHaveLength(2);
    expect(encodedBody.payloads[0]!.metadata.encoding).toBe(b64('binary/encrypted'));
    expect(encodedBody.payloads[0]!.metadata['encryption-key-id']).toBe(b64('k1'));
    expect(Buffer.from(encodedBody.payloads[0]!.data, 'base64').includes('012345')).toBe(false);

    const decoded = await app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: UI }, payload: encodedBody });
    expect(decoded.statusCode).toBe(200);
    expect(decoded.json()).toEqual(original);
    expect(decoded.headers['access-control-allow-origin']).toBe(UI);
    expect(decoded.headers['access-control-allow-credentials']).toBe('true');
  });

  it('decodes plain payloads to themselves and accepts payloads without data (binary/null)', async () => {
    const body = { payloads: [jsonPayload({ code: '1' }), { metadata: { encoding: b64('binary/null') } }] };
    const res = await app.inject({ method: 'POST', url: '/codec/decode', payload: body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ payloads: [body.payloads[0], { metadata: body.payloads[1]!.metadata, data: '' }] });
  });

  it('accepts protobuf JSON with the empty payload list left out (`{}`), as the Temporal CLI sends it', async () => {
    for (const url of ['/codec/encode', '/codec/decode']) {
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ payloads: [] });
    }
  });

  it('answers a CORS preflight from each UI origin with 204 and the UI headers', async () => {
    for (const origin of [UI, UI_LOCALHOST]) {
      for (const url of ['/codec/encode', '/codec/decode']) {
        const res = await app.inject({
          method: 'OPTIONS',
          url,
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
        });
        expect(res.statusCode).toBe(204);
        expect(res.headers).toMatchObject({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'POST, GET, OPTIONS',
          'access-control-allow-headers': 'X-Namespace, Content-Type, Authorization',
          'access-control-allow-credentials': 'true',
          vary: 'Origin',
        });
      }
    }
  });

  it('refuses other browser origins, preflight and request alike, without CORS headers', async () => {
    const preflight = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'https://evil.example' } });
    const request = await app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: 'https://evil.example' }, payload: { payloads: [] } });
    for (const res of [preflight, request]) {
      expect(res.statusCode).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.json().error.code).toBe('forbidden_origin');
    }
  });

  it('names the offending field of a malformed body (400)', async () => {
    const cases: [unknown, RegExp][] = [
      [{ payloads: [{ metadata: { encoding: 'not base64!' }, data: '' }] }, /payloads\.0\.metadata\.encoding: must be base64/],
      [{ payloads: [{ data: '%%%' }] }, /payloads\.0\.data: must be base64/],
      [{ payloads: 'nope' }, /payloads: must be an array of payloads/],
      [[], /\(body\): must be a JSON object/],
    ];
    for (const [payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/codec/decode', payload: payload as object });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('validation_failed');
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('answers 422 naming the key id when a payload was encrypted with a key it does not hold', async () => {
    const foreign = await new AesGcmCodec(parseKeyRing(`k9:${K2}`)).encode([defaultPayloadConverter.toPayload('x')]);
    const body = {
      payloads: foreign.map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
        data: Buffer.from(p.data!).toString('base64'),
      })),
    };
    const res = await app.inject({ method: 'POST', url: '/codec/decode', payload: body });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'codec_failed', details: { keyId: 'k9' } });
    expect(res.json().error.message).toContain('"k9"');
    expect(res.body).not.toContain(K2);
  });

  it('refuses a configured origin that is not an origin', async () => {
    await expect(appWith({ allowedOrigins: ['localhost:8233'] })).rejects.toThrow(/not an origin/);
  });
});

describe('codec server bearer token', () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    app = await appWith({ bearerToken: TOKEN });
  });
  afterAll(() => app.close());

  const decode = (headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: UI, ...headers }, payload: { payloads: [] } });

  it('answers 401 without the token, with a wrong one, or with another scheme', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }];
    for (const headers of attempts) {
      const res = await decode(headers);
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json().error.code).toBe('unauthenticated');
      // The browser must be able to read the 401 to show it.
      expect(res.headers['access-control-allow-origin']).toBe(UI);
    }
  });

  it('accepts the token', async () => {
    expect((await decode({ authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await decode({ authorization: `bearer ${TOKEN}` })).statusCode).toBe(200);
  });

  it('answers preflights without the token (browsers never send credentials on them)', async () => {
    const res = await app.inject({ method: 'OPTIONS', url: '/codec/encode', headers: { origin: UI } });
    expect(res.statusCode).toBe(204);
  });
});

describe('the codec server on its own listener', () => {
  const logger = createLogger({ level: 'silent' });
  const codec = new AesGcmCodec(ringK1());

  it('will not listen off loopback without a bearer token', async () => {
    for (const host of ['0.0.0.0', '::']) {
      await expect(startCodecServer({ host, port: 0, logger, codec, allowedOrigins: [UI] })).rejects.toThrow(
        `The codec server may listen on ${host} (not loopback) only with a bearer token (DONGFLOW_CODEC_AUTH_TOKEN)`,
      );
    }
  });

  it('on a public address answers 401 to a request without the token, even from an allowed UI origin', async () => {
    const port = await freePort();
    const server = await startCodecServer({ host: '0.0.0.0', port, logger, codec, allowedOrigins: [UI], bearerToken: TOKEN });
    try {
      const encrypted = await codec.encode([defaultPayloadConverter.toPayload({ beneficiary: 'NGUYEN VAN A' })]);
      const body = JSON.stringify({
        payloads: encrypted.map((p) => ({
          metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(p.data!).toString('base64'),
        })),
      });
      const decode = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const attempts: Record<string, string>[] = [{}, { origin: UI }, { origin: UI, 'x-namespace': 'default' }, { authorization: 'Bearer nope' }];
      for (const headers of attempts) {
        const res = await decode(headers);
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain('NGUYEN');
      }
      const allowed = await decode({ authorization: `Bearer ${TOKEN}` });
      expect(allowed.status).toBe(200);
      const plain = ((await allowed.json()) as { payloads: { data: string }[] }).payloads.map((p) => Buffer.from(p.data, 'base64').toString());
      expect(plain).toEqual(['{"beneficiary":"NGUYEN VAN A"}']);
    } finally {
      await server.close();
    }
  });

  it('on loopback serves only the codec: the gateway\'s paths are not there', async () => {
    const port = await freePort();
    const server = await startCodecServer({ host: '127.0.0.1', port, logger, codec, allowedOrigins: [UI] });
    try {
      expect(server.endpoint).toBe(`http://127.0.0.1:${port}/codec`);
      expect((await fetch(`${server.endpoint}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/webhooks/finan`, { method: 'POST' })).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
