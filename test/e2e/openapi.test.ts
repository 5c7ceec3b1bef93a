/**
 * `GET /openapi.json` is the gateway's contract for backends in any language: every route the gateway serves is in
 * it, and a request the document calls invalid (checked with a JSON Schema validator, as a generated client would)
 * is refused by the gateway with 400 and changes nothing. Against the real stack: Temporal dev server and sandbox.
 */
import type { Connection } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { generateApiKey, parseApiKeys } from '../../client/gateway/api-keys';
import { createMetrics } from '../../client/gateway/metrics';
import { openApiPath } from '../../client/gateway/openapi';
import { buildGateway, servedRoutes } from '../../client/gateway/server';
import { createLogger } from '../../config/logger';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import type { TestStack } from '../helpers/stack';
import { startTestStack } from '../helpers/stack';

type Gateway = ReturnType<typeof buildGateway>;
interface Operation {
  parameters?: { name: string; in: string; schema: object }[];
  requestBody?: { content: { 'application/json': { schema: object } } };
  responses: Record<string, unknown>;
}
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

let stack: TestStack;
let gateway: Gateway;
let auth: Record<string, string>;
let document: OpenApi;

beforeAll(async () => {
  stack = await startTestStack();
  const { key, sha256 } = generateApiKey();
  auth = { authorization: `Bearer ${key}` };
  gateway = buildGateway({
    payouts: stack.payouts,
    payments: stack.payments,
    finanWebhookSecrets: ['openapi-test-secret'],
    connection: stack.client.connection as Connection,
    logger: createLogger({ level: 'silent' }),
    apiKeys: parseApiKeys(JSON.stringify([{ name: 'test', sha256, scopes: ['read', 'payouts:write', 'payments:write', 'admin'] }])),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  await gateway.ready();
  const answer = await gateway.inject({ method: 'GET', url: '/openapi.json' });
  expect(answer.statusCode).toBe(200);
  document = answer.json();
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  await stack?.stop();
});

test('the document is OpenAPI 3.1 and holds every route the gateway serves, and only those', async () => {
  expect(document.openapi).toBe('3.1.0');
  // The reference page and its assets are the document's own viewer.
  const served = servedRoutes(gateway).filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/docs'));
  expect(served.length).toBeGreaterThan(10);
  const missing = served.filter((r) => document.paths[openApiPath(r.url)]?.[r.method.toLowerCase()] === undefined);
  expect(missing).toEqual([]);
  const documented = Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
  expect(documented.sort()).toEqual([...new Set(served.map((r) => `${r.method} ${openApiPath(r.url)}`))].sort());
  // The public listener serves it too (npm start), with a browsable reference page.
  const live = await fetch(`${stack.gatewayUrl}/openapi.json`);
  expect(live.status).toBe(200);
  expect(((await live.json()) as OpenApi).paths['/v1/payouts/{referenceId}/otp']?.post).toBeDefined();
  const page = await fetch(`${stack.gatewayUrl}/docs`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  expect(await page.text()).toMatch(/swagger-ui/i);
});

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** The document's verdict on a request, as a client generated from it would judge. */
function documentAccepts(operation: Operation, params: Record<string, string>, body: unknown): boolean {
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'path' && !ajv.validate(parameter.schema, params[parameter.name])) return false;
  }
  const schema = operation.requestBody?.content['application/json'].schema;
  return schema === undefined || ajv.validate(schema, body);
}

const validBodies: Record<string, { url: string; params: Record<string, string>; body: Record<string, unknown> }> = {
  'POST /v1/payouts': {
    url: '/v1/payouts',
    params: {},
    body: {
      referenceId: 'OPENAPI-1', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 1_000_000, beneficiaryAccountName: 'NGUYEN VAN A',
      beneficiaryAccountNumber: '1234567890', beneficiaryBankId: '161', description: 'thanh toán đơn hàng',
    },
  },
  'POST /v1/payouts/{referenceId}/otp': { url: '/v1/payouts/OPENAPI-NONE/otp', params: { referenceId: 'OPENAPI-NONE' }, body: { code: '012345' } },
  'POST /v1/payment-requests': {
    url: '/v1/payment-requests',
    params: {},
    body: {
      referenceId: 'OPENAPI-PR-1', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 250_000, description: 'đơn hàng 1001',
      items: [{ name: 'Cà phê', price: 125_000, quantity: 2, amount: 250_000 }],
    },
  },
  'POST /v1/invoices/{invoiceId}/collect': {
    url: '/v1/invoices/OPENAPI-INV-1/collect',
    params: { invoiceId: 'OPENAPI-INV-1' },
    body: { accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 500_000, dueDate: '2999-12-31', description: 'hóa đơn tháng 1' },
  },
  'POST /v1/unmatched-payments/{paymentId}/resolve': { url: '/v1/unmatched-payments/PAY-NONE/resolve', params: { paymentId: 'PAY-NONE' }, body: { resolution: 'refunded' } },
};

/** One field of a valid body changed to anything, removed, or one field added: most of these the document refuses. */
const mutation = (body: Record<string, unknown>) =>
  fc.oneof(
    fc.record({
      field: fc.constantFrom(...Object.keys(body)),
      value: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'grapheme', minLength: 25, maxLength: 40 }),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.integer(), { maxLength: 2 }),
      ),
    }).map(({ field, value }) => ({ ...body, [field]: value })),
    fc.constantFrom(...Object.keys(body)).map((field) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== field))),
    fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !(k in body) && k !== '__proto__').map((k) => ({ ...body, [k]: 'x' })),
  );

test.each(Object.keys(validBodies))('%s: a body the document calls invalid is refused with 400, naming the fields', async (operationKey) => {
  const [method, path] = operationKey.split(' ') as [string, string];
  const operation = document.paths[path]?.[method.toLowerCase()];
  expect(operation?.requestBody).toBeDefined();
  const { url, params, body } = validBodies[operationKey]!;
  expect(documentAccepts(operation!, params, body)).toBe(true);
  let refusedByTheDocument = 0;
  await fc.assert(
    fc.asyncProperty(mutation(body), async (candidate) => {
      if (documentAccepts(operation!, params, candidate)) return;
      refusedByTheDocument++;
      const answer = await gateway.inject({ method: method as 'POST', url, headers: auth, payload: candidate as object });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.code).toBe('validation_failed');
      expect(answer.json().error.details.length).toBeGreaterThan(0);
    }),
    { numRuns: 60 },
  );
  expect(refusedByTheDocument).toBeGreaterThan(10);
}, 60_000);

test('a path parameter the document calls invalid is refused with 400', async () => {
  const operation = document.paths['/v1/payouts/{referenceId}']!.get!;
  expect(documentAccepts(operation, { referenceId: 'has space' }, undefined)).toBe(false);
  const answer = await gateway.inject({ method: 'GET', url: '/v1/payouts/has%20space', headers: auth });
  expect(answer.statusCode).toBe(400);
  expect(answer.json().error.details).toEqual([{ field: 'referenceId', rule: 'must be 1 to 64 characters of letters, digits, ".", "_" or "-"' }]);
});

test('a payout body the document accepts is accepted by the gateway (202), also with 30 Vietnamese characters and an emoji', async () => {
  const operation = document.paths['/v1/payouts']!.post!;
  const { body } = validBodies['POST /v1/payouts']!;
  for (const [i, description] of ['Thanh toán đơn hàng tháng Tư ạ', `${'Chúc mừng năm mới '.padEnd(29, '.')}🎉`].entries()) {
    const candidate = { ...body, referenceId: `OPENAPI-OK-${i}`, description };
    expect(documentAccepts(operation, {}, candidate)).toBe(true);
    const answer = await gateway.inject({ method: 'POST', url: '/v1/payouts', headers: auth, payload: candidate });
    expect(answer.statusCode).toBe(202);
  }
});
