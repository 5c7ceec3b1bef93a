import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { createLogger } from '../../config/logger';
import {
  ApiKeysConfigError,
  apiKeyAuth,
  generateApiKey,
  hashApiKey,
  parseApiKeys,
  scopeForRoute,
} from '../../client/gateway/api-keys';
import type { ApiKey } from '../../client/gateway/api-keys';

// app.inject loads light-my-request, which requires the ESM-only cookie@2 that jest 29 cannot load untransformed;
// it is used only for request cookies, which these tests never send. (A jest.config fix would make this line unneeded.)

const shop = generateApiKey();
const reporting = generateApiKey();
const KEYS_JSON = JSON.stringify([
  { name: 'shop-backend', sha256: shop.sha256, scopes: ['payouts:write', 'payments:write', 'read'] },
  { name: 'reporting', sha256: reporting.sha256.toUpperCase(), scopes: ['read'] },
]);

/** The gateway's route shapes, each answering who called. */
function declareRoutes<L extends FastifyBaseLogger>(app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, L>) {
  const who = async (request: { log: FastifyBaseLogger; apiKeyName: string | null }) => {
    request.log.info('handled');
    return { caller: request.apiKeyName };
  };
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/metrics', async () => 'metrics');
  app.post('/webhooks/finan', who);
  app.post('/codec/decode', who);
  app.post('/v1/payouts', who);
  app.get('/v1/payouts/:referenceId', who);
  app.post('/v1/payouts/:referenceId/otp', who);
  app.post('/v1/payment-requests', who);
  app.post('/v1/invoices/:invoiceId/collect', who);
  app.put('/v1/customers/:customerCode', who);
  app.delete('/v1/customers/:customerCode', who);
}

async function gateway(keys: ApiKey[], lines?: string[]) {
  // Like the gateway: Fastify over dongflow's pino logger.
  const app = Fastify({
    loggerInstance: createLogger({ level: lines ? 'info' : 'silent', destination: { write: (line: string) => void lines?.push(line) } }),
  });
  // Declared before the hook on purpose: the hook must guard routes declared anywhere.
  declareRoutes(app);
  await app.register(apiKeyAuth, { keys });
  await app.ready();
  return app;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API keys on /v1/*', () => {
  let app: Awaited<ReturnType<typeof gateway>>;
  beforeAll(async () => {
    app = await gateway(parseApiKeys(KEYS_JSON));
  });
  afterAll(() => app.close());

  it('answers 401 with WWW-Authenticate when no key is sent', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/payouts', payload: {} });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="dongflow"');
    expect(res.json()).toEqual({ error: { code: 'unauthenticated', message: expect.stringMatching(/Missing API key/), details: { scheme: 'Bearer' } } });
  });

  it('answers 401 for an unknown key, a key in another scheme, or an empty bearer', async () => {
    for (const authorization of ['Bearer dfk_not-a-real-key', `Basic ${shop.key}`, 'Bearer ', shop.key, `Bearer ${shop.sha256}`]) {
      const res = await app.inject({ method: 'GET', url: '/v1/payouts/PO-1', headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('unauthenticated');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="dongflow"/);
      expect(res.body).not.toContain(shop.key);
    }
  });

  it('answers 403 naming the scope when a known key lacks it', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/payouts/PO-1/otp', headers: bearer(reporting.key), payload: { code: '1' } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'API key "reporting" lacks the scope payouts:write needed for POST /v1/payouts/:referenceId/otp',
        details: { requiredScope: 'payouts:write', keyName: 'reporting' },
      },
    });
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('lets a key with the scope through, and tells the handler which key it was', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/payouts', headers: bearer(shop.key), payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ caller: 'shop-backend' });
  });

  it('lets a read key GET, and only GET', async () => {
    const get = await app.inject({ method: 'GET', url: '/v1/payouts/PO-1?x=1', headers: bearer(reporting.key) });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toEqual({ caller: 'reporting' });
    const post = await app.inject({ method: 'POST', url: '/v1/payment-requests', headers: bearer(reporting.key), payload: {} });
    expect(post.statusCode).toBe(403);
    expect(post.json().error.details.requiredScope).toBe('payments:write');
  });

  it('needs customers:write for customers, which the shop key lacks', async () => {
    for (const method of ['PUT', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/v1/customers/C-1', headers: bearer(shop.key), payload: {} });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.details.requiredScope).toBe('customers:write');
    }
  });

  it('needs payments:write for invoices', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/invoices/INV-1/collect', headers: bearer(shop.key), payload: {} });
    expect(res.statusCode).toBe(200);
  });

  it('leaves health, metrics, webhooks and the codec server to their own checks', async () => {
    for (const [method, url] of [['GET', '/healthz'], ['GET', '/metrics'], ['POST', '/webhooks/finan'], ['POST', '/codec/decode']] as const) {
      const res = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode).toBe(200);
    }
  });

  it('cannot be dodged by percent-encoding a /v1 path (the router decodes it to the same route)', async () => {
    for (const url of ['/%76%31/payouts', '/v%31/payouts', '/v1/%70ayouts']) {
      const res = await app.inject({ method: 'POST', url, payload: {} });
      expect(res.statusCode).toBe(401);
    }
  });

  it('asks for a key on unknown /v1 paths rather than revealing which exist', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(401);
  });
});

describe('API keys with no keys configured', () => {
  it('refuses every /v1 request and still serves /healthz', async () => {
    const app = await gateway(parseApiKeys(undefined));
    expect((await app.inject({ method: 'GET', url: '/v1/payouts/PO-1', headers: bearer(shop.key) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('API keys installed by a direct call', () => {
  it('guards routes declared before the call as well', async () => {
    const app = Fastify();
    declareRoutes(app);
    await apiKeyAuth(app, { keys: parseApiKeys(KEYS_JSON) });
    expect((await app.inject({ method: 'POST', url: '/v1/payouts', payload: {} })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/v1/payouts', headers: bearer(shop.key), payload: {} })).statusCode).toBe(200);
    await app.close();
  });
});

describe('API keys in logs', () => {
  it('logs the key name for the request, never the key', async () => {
    const lines: string[] = [];
    const app = await gateway(parseApiKeys(KEYS_JSON), lines);
    await app.inject({ method: 'GET', url: '/v1/payouts/PO-1', headers: bearer(shop.key) });
    await app.inject({ method: 'GET', url: '/v1/payouts/PO-1', headers: bearer('dfk_wrong-key-value') });
    await app.close();
    const output = lines.join('');
    expect(output).not.toContain(shop.key);
    expect(output).not.toContain('dfk_wrong-key-value');
    const handled = lines.map((line) => JSON.parse(line) as { msg: string; apiKeyName?: string }).filter((l) => l.msg === 'handled');
    expect(handled).toEqual([expect.objectContaining({ apiKeyName: 'shop-backend' })]);
  });
});

describe('scopes of dongflow routes', () => {
  it.each([
    ['GET', '/v1/payouts/:referenceId', 'read'],
    ['HEAD', '/v1/payment-requests/:referenceId', 'read'],
    ['POST', '/v1/payouts', 'payouts:write'],
    ['POST', '/v1/payouts/:referenceId/cancel', 'payouts:write'],
    ['POST', '/v1/payment-requests', 'payments:write'],
    ['POST', '/v1/invoices/:invoiceId/collect', 'payments:write'],
    ['PUT', '/v1/customers/:customerCode', 'customers:write'],
    ['DELETE', '/v1/customers/:customerCode', 'customers:write'],
    ['PUT', '/v1/sepay/company', 'settings:write'],
    ['POST', '/v1/tingee/accounts', 'settings:write'],
    ['POST', '/v1/something-new', 'admin'],
    ['POST', '/v1/payoutsx', 'admin'],
    ['GET', '/healthz', null],
    ['GET', '/metrics', null],
    ['POST', '/webhooks/finan', null],
    ['POST', '/codec/encode', null],
    ['GET', '/v10/payouts', null],
  ])('%s %s needs %s', (method, path, scope) => {
    expect(scopeForRoute(method, path)).toBe(scope);
  });
});

describe('DONGFLOW_API_KEYS parsing', () => {
  const problems = (json: string) => {
    try {
      parseApiKeys(json);
    } catch (err) {
      expect(err).toBeInstanceOf(ApiKeysConfigError);
      return (err as ApiKeysConfigError).problems;
    }
    throw new Error('expected DONGFLOW_API_KEYS to be refused');
  };

  it('reads names, hashes (any case) and scopes', () => {
    const [key] = parseApiKeys(JSON.stringify([{ name: 'ops', sha256: hashApiKey('k').toUpperCase(), scopes: ['read', 'admin'] }]));
    expect(key!.name).toBe('ops');
    expect(key!.sha256.toString('hex')).toBe(hashApiKey('k'));
    expect([...key!.scopes]).toEqual(['read', 'admin']);
  });

  it('treats unset or blank as no keys', () => {
    expect(parseApiKeys(undefined)).toEqual([]);
    expect(parseApiKeys('  ')).toEqual([]);
  });

  it('says when the value is not JSON', () => {
    expect(problems('[{name:')).toEqual([expect.stringMatching(/^is not valid JSON/)]);
  });

  it('names each bad field', () => {
    const json = JSON.stringify([
      { name: 'a', sha256: 'dfk_plaintextkeyinsteadofhash', scopes: ['read'] },
      { name: 'b', sha256: hashApiKey('b'), scopes: ['payout:write'] },
      { name: 'a', sha256: hashApiKey('b'), scopes: [] },
      { sha256: hashApiKey('c'), scopes: ['read'] },
    ]);
    const found = problems(json);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\[0\]\[sha256\] must be the 64-hex-digit sha256 of the key/),
        expect.stringMatching(/^\[1\]\[scopes\]\[0\] must be one of read, payouts:write/),
        expect.stringMatching(/^\[2\]\[scopes\] must grant at least one scope/),
        expect.stringMatching(/^\[3\]\[name\] must be a string/),
      ]),
    );
    // The object is refined only once every field is valid, so duplicates are reported on the next run.
    expect(problems(JSON.stringify([
      { name: 'a', sha256: hashApiKey('a'), scopes: ['read'] },
      { name: 'a', sha256: hashApiKey('a'), scopes: ['read'] },
    ]))).toEqual(['[1][name] duplicate name "a"', '[1][sha256] the same key is configured twice']);
  });

  it('refuses a non-array', () => {
    expect(problems('{"name":"x"}')).toEqual([expect.stringMatching(/must be a JSON array/)]);
  });
});

describe('generateApiKey', () => {
  it('makes a dfk_ key with its sha256', () => {
    const { key, sha256 } = generateApiKey();
    expect(key).toMatch(/^dfk_[A-Za-z0-9_-]{43}$/);
    expect(sha256).toBe(hashApiKey(key));
    expect(generateApiKey().key).not.toBe(key);
  });
});
