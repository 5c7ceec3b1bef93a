/**
 * Bad input, generated (fast-check), against every route the gateway serves and Finan's webhook receiver: malformed
 * JSON, wrong types, missing and extra fields, huge bodies, Vietnamese and other Unicode, amounts of 0, negative,
 * fractional or beyond Number.MAX_SAFE_INTEGER, OTPs in every wrong shape, path parameters with slashes and dots.
 * Each case must get a 4xx whose error names the field, start no workflow, and leave the gateway answering.
 * The route list comes from the gateway itself, so a route added later is fuzzed with the generic cases at once.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { createCustomersClient } from '../../client/customers';
import { createEinvoiceAccountsClient } from '../../client/einvoice-accounts';
import { generateApiKey, parseApiKeys } from '../../client/gateway/api-keys';
import { createMetrics } from '../../client/gateway/metrics';
import { openApiPath } from '../../client/gateway/openapi';
import { buildGateway, servedRoutes } from '../../client/gateway/server';
import { createSepayConnectionClient } from '../../client/sepay';
import { API_KEY_SCOPES } from '../../config/api-keys';
import { createLogger } from '../../config/logger';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import type { TestStack } from '../helpers/stack';
import { startTestStack } from '../helpers/stack';

type Gateway = ReturnType<typeof buildGateway>;
interface Operation {
  parameters?: { name: string; in: string; schema: object }[];
  requestBody?: unknown;
}
interface Answer {
  statusCode: number;
  body: string;
  json: () => { error?: { code?: string; message?: string; details?: unknown } };
}

const WEBHOOK_SECRET = 'fuzz-webhook-secret';
const WEBHOOK_PATH = '/webhooks/finan';
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);

let stack: TestStack;
let gateway: Gateway;
let auth: Record<string, string>;
let paths: Record<string, Record<string, Operation>>;
let workflowsBefore: number;
const tally = { cases: 0, crashes: 0, byRoute: new Map<string, number>() };

/** Everything a workflow id of these templates could be: none of them may exist afterwards. */
const TEMPLATE_WORKFLOW_IDS = ['payout-FUZZ-PO', 'payment-FUZZ-PR', 'invoice-FUZZ-INV', 'unmatched-payments'];

beforeAll(async () => {
  // No worker: whatever the gateway wrongly started would wait, visible, in Temporal.
  stack = await startTestStack({ runWorker: false });
  const { key, sha256 } = generateApiKey();
  auth = { authorization: `Bearer ${key}` };
  gateway = buildGateway({
    payouts: stack.payouts,
    payments: stack.payments,
    // Every area the gateway serves, as client/gateway/serve.ts wires them.
    customers: createCustomersClient(stack.client),
    einvoiceAccounts: createEinvoiceAccountsClient(stack.client),
    sepay: createSepayConnectionClient(stack.client, { authorizeUrl: (state) => `https://sepay.example/oauth/authorize?state=${state}`, credentials: { refreshAheadMs: 60_000 } }),
    finanWebhookSecrets: [WEBHOOK_SECRET],
    connection: stack.client.connection as Connection,
    logger: createLogger({ level: 'silent' }),
    apiKeys: parseApiKeys(JSON.stringify([{ name: 'fuzz', sha256, scopes: [...API_KEY_SCOPES] }])),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  await gateway.ready();
  paths = (await gateway.inject({ method: 'GET', url: '/openapi.json' })).json().paths;
  workflowsBefore = await userWorkflows();
}, 120_000);

afterAll(async () => {
  // The summary the issue asks for: how many cases ran, and that none crashed the gateway.
  const perRoute = [...tally.byRoute.entries()].map(([route, n]) => `  ${route}: ${n}`).join('\n');
  console.log(`gateway fuzzing: ${tally.cases} cases, ${tally.crashes} crashes (5xx)\n${perRoute}`);
  await gateway?.close();
  await stack?.stop();
});

/** Workflows a request could have started (the reconciliation Schedule's own runs aside). */
async function userWorkflows(): Promise<number> {
  return (await stack.client.workflow.count("WorkflowType != 'reconciliationWorkflow'")).count;
}

const pageSignature = (payload: string, timestamp: string) =>
  createHash('sha256').update(`${WEBHOOK_SECRET}_POST_${WEBHOOK_PATH}_${payload}_${timestamp}`).digest('hex');

/** Sends one case and holds it to the rules every case shares: a 4xx in the error envelope, never a 5xx. */
async function send(route: string, request: { method: string; url: string; payload?: string | object; headers?: Record<string, string> }): Promise<Answer> {
  const payload = request.payload;
  const answer = await gateway.inject({
    method: request.method as 'POST',
    url: request.url,
    headers: { ...auth, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
    payload: typeof payload === 'string' ? payload : payload === undefined ? undefined : JSON.stringify(payload),
  });
  tally.cases++;
  tally.byRoute.set(route, (tally.byRoute.get(route) ?? 0) + 1);
  if (answer.statusCode >= 500) tally.crashes++;
  const verdict = answer.statusCode >= 400 && answer.statusCode < 500 ? 'a 4xx' : `${answer.statusCode} for ${request.method} ${request.url.slice(0, 120)}: ${answer.body.slice(0, 300)}`;
  expect(verdict).toBe('a 4xx');
  expect(answer.json().error?.code).toEqual(expect.any(String));
  expect(answer.json().error?.message).toEqual(expect.any(String));
  return answer;
}

/** The fields a validation error names: `details[].field`, plus keys an "unknown field(s)" rule lists. */
function namedFields(answer: Answer): string[] {
  const details = answer.json().error?.details;
  if (!Array.isArray(details)) return [];
  return details.flatMap((d: { field?: string; rule?: string }) => [
    d.field ?? '',
    ...(d.rule?.startsWith('unknown field(s): ') ? d.rule.slice('unknown field(s): '.length).split(', ') : []),
  ]);
}

// ---------- generators ----------

const wrongType = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
const wrongTypeForString = wrongType.filter((v) => typeof v !== 'string');
const wrongTypeForNumber = fc.oneof(fc.string({ maxLength: 12 }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
/** Vietnamese, other scripts and emoji: valid in names, and in descriptions up to Finan's 30 characters. */
const VIETNAMESE = ['Nguyễn', 'Thị', 'Hương', 'Đặng', 'Văn', 'Ánh', 'Phạm', 'Trần', 'Lê', 'Hoàng', 'Ngọc', 'Bảo', 'Quỳnh', 'Dũng', 'thanh toán', 'đơn hàng', 'hóa đơn'];
const OTHER_SCRIPTS = ['中文', 'Ωμέγα', 'русский', 'العربية', '日本語', '🎉', '👨‍👩‍👧', 'é', 'ß'];
const unicodeWords = (maxWords: number) => fc.array(fc.constantFrom(...VIETNAMESE, ...OTHER_SCRIPTS), { minLength: 1, maxLength: maxWords }).map((w) => w.join(' '));
const codePoints = (s: string) => [...s].length;
const unicodeName = unicodeWords(12);
const unicodeDescription = unicodeWords(6).filter((s) => codePoints(s) <= 30);
const tooLongUnicode = (min: number) => fc.array(fc.constantFrom(...VIETNAMESE, ...OTHER_SCRIPTS), { minLength: min, maxLength: min + 20 }).map((w) => w.join(' ')).filter((s) => codePoints(s) > min);
const badAmount = fc.oneof(
  fc.constantFrom(0, -1, -6_000_000, 0.5, 1000.25, Number.MAX_SAFE_INTEGER + 1, 2 ** 60, 1e21, 1e300, -0.0001),
  fc.integer({ max: 0 }),
  fc.double({ min: 0.001, max: 1e9, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.integer({ min: 1, max: 1000 }).map((n) => Number.MAX_SAFE_INTEGER + n),
  wrongTypeForNumber,
);
const badReference = fc.oneof(
  fc.constantFrom('', 'a/b', '../etc/passwd', 'a b', 'x'.repeat(65), 'Nguyễn', 'ref\u0000', 'a\\b', 'ref?x=1', 'ref#1', '%2F'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 70 }).filter((s) => !/^[A-Za-z0-9._-]{1,64}$/.test(s)),
  wrongTypeForString,
);
const badOtp = fc.oneof(
  fc.constantFrom('12345', '1234567', ' 123456', '123456 ', '123 456', '１２３４５６', '٠١٢٣٤٥', '12345a', '', '0x1234', '1e5000', '-12345', '+12345'),
  fc.integer({ min: 0, max: 999_999 }),
  fc.string({ maxLength: 10 }).filter((s) => !/^\d{6}$/.test(s)),
  wrongTypeForString,
);
const badUuid = fc.oneof(fc.constantFrom('', 'not-a-uuid', '54957437-0cb5-4992-ad0e-76d26ba4ddc', '54957437_0cb5_4992_ad0e_76d26ba4ddc3'), fc.string({ maxLength: 40 }).filter((s) => !/^[0-9a-f-]{36}$/i.test(s)), wrongTypeForString);
const badFinanText = fc.oneof(tooLongUnicode(30), wrongTypeForString);
const badDate = fc.oneof(fc.constantFrom('2020-01-01', 'tomorrow', '01/02/2999', '2999-13-45', '2999-02-30', '2999-12-31T25:00:00+07:00', '2999-12-31T00:00:00', ''), wrongTypeForString);

interface Template {
  /** The operation in the OpenAPI document. */
  operation: string;
  url: string;
  body: Record<string, unknown>;
  /** For each field, values that break it (a field not listed is broken by a wrong type or removal only). */
  breakers: Record<string, fc.Arbitrary<unknown>>;
  /** Values valid for the field, in Unicode: put in beside the broken one, they must not be named. */
  unicode?: Record<string, fc.Arbitrary<string>>;
  /** Fields that may be left out. */
  optional?: string[];
}

const templates: Template[] = [
  {
    operation: 'POST /v1/payouts',
    url: '/v1/payouts',
    body: {
      referenceId: 'FUZZ-PO', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 1_000_000, beneficiaryAccountName: 'NGUYEN VAN A',
      beneficiaryAccountNumber: '1234567890', beneficiaryBankId: '161', description: 'hoan tien',
    },
    breakers: {
      referenceId: badReference,
      accountId: badUuid,
      amount: badAmount,
      beneficiaryAccountName: fc.oneof(fc.constantFrom('', '   '), tooLongUnicode(255), wrongTypeForString),
      beneficiaryAccountNumber: fc.oneof(fc.constantFrom('123', '1234 5678', '１２３４５６７８', '12345678901234567890123456789012345', 'Nguyễn1234'), wrongTypeForString),
      beneficiaryBankId: fc.oneof(fc.constantFrom('', 'abc', '12345678901', '16 1', '١٦١'), wrongTypeForString),
      description: fc.oneof(fc.constant(''), badFinanText),
      currency: fc.oneof(fc.constantFrom('USD', 'vnd', 'đồng'), wrongTypeForString),
      otpTimeoutSeconds: fc.oneof(fc.constantFrom(0, -1, 1.5, 86_401), wrongTypeForNumber),
    },
    unicode: { beneficiaryAccountName: unicodeName, description: unicodeDescription },
  },
  {
    operation: 'POST /v1/payouts/{referenceId}/otp',
    url: '/v1/payouts/FUZZ-NONE/otp',
    body: { code: '012345' },
    breakers: { code: badOtp },
  },
  {
    operation: 'POST /v1/payment-requests',
    url: '/v1/payment-requests',
    body: { referenceId: 'FUZZ-PR', accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 250_000, description: 'don hang 1001' },
    breakers: {
      referenceId: badReference,
      accountId: badUuid,
      amount: badAmount,
      description: badFinanText,
      paymentMethod: fc.oneof(fc.constantFrom('cash', 'BANK_TRANSFER', 'momo', ''), wrongTypeForString),
      items: fc.oneof(
        fc.constant([{ name: 'Cà phê', price: 125_000, quantity: 2, amount: 200_000 }]),
        fc.constant([{ name: 'Cà phê', price: 125_000, quantity: 0, amount: 0 }]),
        fc.constant([{ name: 'Cà phê', price: -1, quantity: 1, amount: -1 }]),
        fc.constant([{ name: '', price: 250_000, quantity: 1, amount: 250_000 }]),
        fc.constant([{ name: 'Cà phê', price: 250_000, quantity: 1.5, amount: 375_000 }]),
        fc.constant([{ name: 'Cà phê', price: 250_000, quantity: 1, amount: 250_000, colour: 'đỏ' }]),
        wrongType.filter((v) => !Array.isArray(v)),
      ),
      customer: fc.oneof(fc.constant({}), fc.constant({ name: '' }), fc.constant({ name: 'Nguyễn Thị Hương', age: 30 }), wrongType.filter((v) => typeof v !== 'object' || v === null || Array.isArray(v))),
      successRedirectUrl: fc.oneof(fc.constantFrom('javascript:alert(1)', 'ftp://x.vn', 'not a url', 'file:///etc/passwd'), wrongTypeForString),
      ttlSeconds: fc.oneof(fc.constantFrom(0, -1, 1.5, 86_401), wrongTypeForNumber),
    },
    unicode: { description: unicodeDescription },
    optional: ['description'],
  },
  {
    operation: 'POST /v1/invoices/{invoiceId}/collect',
    url: '/v1/invoices/FUZZ-INV/collect',
    body: { accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 500_000, dueDate: '2999-12-31', description: 'hoa don thang 1' },
    breakers: {
      accountId: badUuid,
      amount: badAmount,
      dueDate: badDate,
      description: badFinanText,
      linkTtlSeconds: fc.oneof(fc.constantFrom(0, -1, 1.5, 86_401), wrongTypeForNumber),
    },
    unicode: { description: unicodeDescription },
    optional: ['description'],
  },
  {
    operation: 'POST /v1/unmatched-payments/{paymentId}/resolve',
    url: '/v1/unmatched-payments/FUZZ-PAY/resolve',
    body: { resolution: 'refunded, ticket 812' },
    breakers: { resolution: fc.oneof(fc.constantFrom('', '    '), tooLongUnicode(500), wrongTypeForString) },
  },
];

/** One valid body with one field broken (changed or removed), or an unknown field added; Unicode elsewhere. */
function brokenBody(template: Template) {
  const fields = Object.keys(template.body);
  const unicodeFields = Object.keys(template.unicode ?? {});
  const withUnicode = fc.record(Object.fromEntries(unicodeFields.map((f) => [f, fc.option(template.unicode![f]!, { nil: undefined })])));
  const change = fc.constantFrom(...Object.keys(template.breakers)).chain((field) =>
    fc.tuple(fc.constant(field), template.breakers[field]!).map(([f, value]) => ({ broken: f, body: { ...template.body, [f]: value } })),
  );
  const removal = fc.constantFrom(...fields.filter((f) => !(template.optional ?? []).includes(f))).map((field) => ({
    broken: field,
    body: Object.fromEntries(Object.entries(template.body).filter(([k]) => k !== field)),
  }));
  const extra = fc
    .oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constantFrom('tên', 'số_tiền', '__proto__x', 'constructor', 'amount ', 'Amount'))
    .filter((k) => !(k in template.body) && !(k in template.breakers) && k !== '__proto__')
    .map((k) => ({ broken: k, body: { ...template.body, [k]: 'x' } }));
  return fc.tuple(fc.oneof({ arbitrary: change, weight: 3 }, removal, extra), withUnicode).map(([{ broken, body }, unicode]) => {
    const dressed = { ...body };
    for (const [field, value] of Object.entries(unicode)) if (value !== undefined && field !== broken && field in dressed) dressed[field] = value;
    return { broken, body: dressed, unicodeFields: Object.keys(unicode).filter((f) => unicode[f] !== undefined && f !== broken) };
  });
}

describe.each(templates)('$operation', (template) => {
  test('a body with one field broken is refused with 400 naming that field, and only it among the valid Unicode ones', async () => {
    expect(paths[template.operation.split(' ')[1]!]?.[template.operation.split(' ')[0]!.toLowerCase()]).toBeDefined();
    await fc.assert(
      fc.asyncProperty(brokenBody(template), async ({ broken, body, unicodeFields }) => {
        const answer = await send(template.operation, { method: 'POST', url: template.url, payload: body });
        expect(answer.statusCode).toBe(400);
        expect(answer.json().error?.code).toBe('validation_failed');
        const named = namedFields(answer);
        expect(named.some((field) => field === broken || field.startsWith(`${broken}.`))).toBe(true);
        for (const field of unicodeFields) expect(named).not.toContain(field);
      }),
      { numRuns: RUNS * 2 },
    );
  }, 120_000);
});

const servedApi = () => servedRoutes(gateway).filter((r) => r.method !== 'HEAD' && (r.url.startsWith('/v1/') || r.url === WEBHOOK_PATH));
const takesBody = (method: string) => ['POST', 'PUT', 'PATCH'].includes(method);

test('every served route, known or added later, gets the generic cases', () => {
  expect(servedApi().length).toBeGreaterThanOrEqual(10);
  for (const { operation } of templates) {
    expect(servedApi().map((r) => `${r.method} ${openApiPath(r.url)}`)).toContain(operation);
  }
});

test('malformed JSON is refused with 400 on every route that reads a body (401 on the webhook, which checks the signature first)', async () => {
  const malformed = fc.oneof(
    fc.constantFrom('{', '{"amount": }', '{"referenceId": "A",}', "{'a': 1}", '[1, 2', 'undefined', 'NaN', '{"a": 01}', '\u0000', '{"a": "\\x"}', '{"a":1}{"b":2}'),
    fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
    fc.string({ maxLength: 30 }),
  ).filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return text.trim() !== '';
    }
  });
  for (const route of servedApi().filter((r) => takesBody(r.method))) {
    await fc.assert(
      fc.asyncProperty(malformed, async (text) => {
        const answer = await send(`${route.method} ${openApiPath(route.url)}`, { method: route.method, url: concreteUrl(route.url), payload: text });
        expect(answer.statusCode).toBe(route.url === WEBHOOK_PATH ? 401 : 400);
      }),
      { numRuns: RUNS / 2 },
    );
  }
}, 120_000);

test('a body that is not a JSON object is refused with 400 on every route whose document has a request body', async () => {
  for (const route of servedApi().filter((r) => takesBody(r.method) && paths[openApiPath(r.url)]?.[r.method.toLowerCase()]?.requestBody)) {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 })), async (value) => {
        const answer = await send(`${route.method} ${openApiPath(route.url)}`, { method: route.method, url: concreteUrl(route.url), payload: JSON.stringify(value) });
        expect(answer.statusCode).toBe(route.url === WEBHOOK_PATH ? 401 : 400);
      }),
      { numRuns: RUNS / 2 },
    );
  }
}, 120_000);

test('a huge body is refused with 413 on every route that reads a body, before any work', async () => {
  for (const route of servedApi().filter((r) => takesBody(r.method))) {
    for (const size of [64 * 1024 + 1, 1024 * 1024, 8 * 1024 * 1024]) {
      const huge = JSON.stringify({ referenceId: 'FUZZ-HUGE', description: 'Nguyễn '.repeat(Math.ceil(size / 8)) });
      const answer = await send(`${route.method} ${openApiPath(route.url)}`, { method: route.method, url: concreteUrl(route.url), payload: huge });
      expect(answer.statusCode).toBe(413);
    }
  }
}, 120_000);

/** A route's URL with harmless values in its parameters. */
function concreteUrl(pattern: string, values: Record<string, string> = {}): string {
  return pattern.replace(/:([A-Za-z]+)/g, (_, name: string) => values[name] ?? 'FUZZ-NONE');
}

const ajv = new Ajv2020({ strict: false });
const AWKWARD_PARAMETERS = ['a/b', '../..', '..%2F..', 'a b', 'x'.repeat(65), 'Nguyễn', 'đơn/hàng', '%00', 'a\\b', '🎉', '.%2e/x'];

test('a path parameter the document calls invalid (slashes, dots, Unicode, too long) is refused with 400 naming it', async () => {
  const withParams = servedApi().filter((r) => r.url.includes(':'));
  expect(withParams.length).toBeGreaterThanOrEqual(5);
  const validBodies = new Map(templates.map((t) => [t.operation, t.body]));
  for (const route of withParams) {
    const operation = `${route.method} ${openApiPath(route.url)}`;
    const parameters = (paths[openApiPath(route.url)]?.[route.method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'path');
    for (const parameter of parameters) {
      const awkward = fc.oneof(fc.constantFrom(...AWKWARD_PARAMETERS), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 70 }));
      // A valid body where one is known: a refusal must then be the parameter's.
      const body = takesBody(route.method) ? (validBodies.get(operation) ?? {}) : undefined;
      if (!AWKWARD_PARAMETERS.some((value) => !ajv.validate(parameter.schema, value))) {
        // A parameter the document lets be any text (an id of Finan's): the awkward ones find nothing, 404.
        for (const value of AWKWARD_PARAMETERS) {
          const answer = await send(operation, { method: route.method, url: concreteUrl(route.url, { [parameter.name]: encodeURIComponent(value) }), payload: body });
          expect(answer.statusCode).toBe(404);
        }
        continue;
      }
      await fc.assert(
        fc.asyncProperty(awkward.filter((value) => !ajv.validate(parameter.schema, value)), async (value) => {
          const url = concreteUrl(route.url, { [parameter.name]: encodeURIComponent(value) });
          const answer = await send(operation, { method: route.method, url, payload: body });
          expect(answer.statusCode).toBe(400);
          // With no valid body known for the route, its refusal may name the body's fields first.
          if (body === undefined || validBodies.has(operation)) expect(namedFields(answer)).toContain(parameter.name);
          else expect(namedFields(answer).length).toBeGreaterThan(0);
        }),
        { numRuns: RUNS / 2 },
      );
    }
  }
}, 120_000);

test('raw dots and slashes in a path never reach another resource: 4xx, nothing started', async () => {
  for (const raw of ['/v1/payouts/..', '/v1/payouts/../payment-requests', '/v1/payouts/./FUZZ-PO', '/v1/payouts//otp', '/v1/payouts/a/b/otp', '/v1/invoices/../../webhooks/finan/collect', '/v1/payouts/%2e%2e/cancel', '/v1/payouts/FUZZ-PO%2Fotp']) {
    for (const method of ['GET', 'POST']) {
      const answer = await send(`raw path ${method}`, { method, url: raw, payload: method === 'POST' ? { code: '123456' } : undefined });
      expect([400, 404, 405]).toContain(answer.statusCode);
    }
  }
});

// ---------- the webhook receiver ----------

const webhookBody = {
  id: 'FUZZ-PAY-1',
  reference_id: 'FUZZ-NONE',
  payment_method: 'bank_transfer',
  payment_request_id: 'PR-550e8400-e29b-41d4-a716-446655440000',
  amount: 6_000_000,
  created_at: '2024-01-20T14:30:00Z',
};
const webhookBreakers: Record<string, fc.Arbitrary<unknown>> = {
  id: fc.oneof(fc.constant(''), wrongTypeForString),
  amount: badAmount,
  created_at: fc.oneof(fc.constantFrom('', 'yesterday', '2024-01-20', '2024-01-20 14:30:00', '2024-13-20T14:30:00Z'), wrongTypeForString),
  payment_method: fc.oneof(fc.constantFrom('cash', 'BANK_TRANSFER', ''), wrongTypeForString),
};

test('a signed webhook whose payment is malformed gets 400 naming the field, and is handed to no flow', async () => {
  const broken = fc.oneof(
    fc.constantFrom(...Object.keys(webhookBreakers)).chain((field) => webhookBreakers[field]!.map((value) => ({ field, body: { ...webhookBody, [field]: value } }))),
    fc.constantFrom(...Object.keys(webhookBreakers)).map((field) => ({ field, body: Object.fromEntries(Object.entries(webhookBody).filter(([k]) => k !== field)) })),
  );
  await fc.assert(
    fc.asyncProperty(broken, unicodeWords(4), async ({ field, body }, reference) => {
      const payload = JSON.stringify({ ...body, reference_id: reference });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const answer = await send('POST /webhooks/finan (signed)', {
        method: 'POST',
        url: WEBHOOK_PATH,
        payload,
        headers: { 'x-timestamp': timestamp, 'x-signature': pageSignature(payload, timestamp) },
      });
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error?.code).toBe('invalid_payload');
      expect(answer.json().error?.message).toContain(field);
    }),
    { numRuns: RUNS * 2 },
  );
}, 120_000);

test('after every case: nothing was started and the gateway still answers', async () => {
  expect(tally.cases).toBeGreaterThan(500);
  expect(tally.crashes).toBe(0);
  for (const workflowId of TEMPLATE_WORKFLOW_IDS) {
    await expect(stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  }
  expect(await userWorkflows()).toBe(workflowsBefore);
  expect((await gateway.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  expect((await fetch(`${stack.gatewayUrl}/healthz`)).status).toBe(200);
});
