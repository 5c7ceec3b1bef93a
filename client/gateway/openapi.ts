/**
 * The OpenAPI 3.1 document of the gateway, generated from the routes it serves and the zod schemas that validate
 * their requests (zod's own JSON Schema output, 2020-12, which OpenAPI 3.1 uses as is). Served at
 * `GET /openapi.json`, with a browsable reference (Swagger UI) at `/docs`.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { scopeForRoute } from './api-keys';
import type { RouteDoc } from './routes/route';

export const OPENAPI_PATH = '/openapi.json';
export const API_REFERENCE_PATH = '/docs';

/** What each error status means on this API; every error answers `{ "error": { "code", "message", "details" } }`. */
const ERROR_STATUSES: Record<number, string> = {
  400: '`validation_failed`: `details` lists `{ field, rule }` for every problem; nothing was started',
  401: '`unauthenticated`: no or unknown API key (webhooks: a missing, stale or forged signature)',
  403: '`forbidden`: the API key lacks the scope',
  404: '`not_found`: no flow with that reference',
  409: '`duplicate_reference` (the reference was used before) or `invalid_state` (e.g. an OTP for a payout no longer waiting for one)',
  422: "`provider_rejected`: Finan refused the request; `details` holds its HTTP status, code and `request_id`",
  500: '`internal`: see the gateway log for the request id',
  503: '`temporal_unavailable` (nothing changed, retry) or `provider_unavailable` (send the same request again)',
  504: '`worker_unavailable`: Temporal answered but no worker did; the flow is safe and goes on once one runs',
};

const ERROR_ENVELOPE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

/** The request side of a zod schema as JSON Schema 2020-12 (defaults make fields optional; refinements are prose). */
export function requestJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return jsonSchema;
}

/** `/v1/payouts/:referenceId` → `/v1/payouts/{referenceId}` */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function openApiDocument(routes: readonly RouteDoc[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const scope = scopeForRoute(route.method, route.url);
    const parameters = [
      ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: requestJsonSchema(schema) })),
      ...Object.entries(route.headers ?? {}).map(([name, header]) => ({ name, in: 'header', required: false, description: header.description, schema: requestJsonSchema(header.schema) })),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = { description: response.description, content: { 'application/json': { schema: response.schema ?? { type: 'object' } } } };
    }
    for (const status of [...(route.errors ?? []), ...(scope ? [401, 403] : []), 500].sort()) {
      responses[String(status)] = { description: ERROR_STATUSES[status] ?? 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    (paths[openApiPath(route.url)] ??= {})[route.method.toLowerCase()] = {
      operationId: operationId(route),
      tags: [route.tag],
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: requestJsonSchema(route.body) } } } } : {}),
      responses,
      security: scope ? [{ apiKey: [scope] }] : [],
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'dongflow gateway',
      version: info.version,
      description:
        'Durable money flows for Vietnamese payment APIs (Finan payouts with the bank OTP, VietQR payment requests, invoices). JSON in camelCase; every response carries `x-request-id`.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: '`npm start` on embedded defaults' }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A dongflow API key (`npx dongflow api-key`); the scope a route needs is listed on it' } },
      schemas: { Error: ERROR_ENVELOPE },
    },
    paths,
  };
}

/** `POST /v1/payouts/:referenceId/otp` → `postPayoutsReferenceIdOtp` */
function operationId(route: RouteDoc): string {
  const words = route.url
    .replace(/^\/v1\//, '/')
    .split(/[/\-.:]+/)
    .filter(Boolean);
  return route.method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

export const openApiDoc: RouteDoc = {
  method: 'GET',
  url: OPENAPI_PATH,
  tag: 'Reference',
  summary: 'This document (OpenAPI 3.1); a browsable reference is at /docs',
  responses: { 200: { description: 'The OpenAPI document' } },
};

/** Serves the document and the reference page. Open routes: the document holds no secret. */
export async function serveOpenApi(app: FastifyInstance, document: Record<string, unknown>): Promise<void> {
  app.get(OPENAPI_PATH, async () => document);
  await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  await app.register(fastifySwaggerUi, { routePrefix: API_REFERENCE_PATH });
}
