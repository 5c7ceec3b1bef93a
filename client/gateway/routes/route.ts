/**
 * A gateway route as one value: how it is served and how it is documented. The server registers these and the
 * OpenAPI document is generated from the same list, with the same zod schemas the client library validates with,
 * so the document cannot drift from what the gateway accepts.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponseDoc {
  description: string;
  /** The answer's JSON Schema, when it is worth spelling out (errors all share one envelope). */
  schema?: Record<string, unknown>;
}

export interface RouteDoc {
  method: HttpMethod;
  /** Fastify's pattern, e.g. `/v1/payouts/:referenceId`. */
  url: string;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameters, by name. */
  params?: Record<string, z.ZodType>;
  /** Request headers the route reads, by name (lower case). */
  headers?: Record<string, { description: string; schema: z.ZodType }>;
  /** The JSON body, validated by exactly this schema. */
  body?: z.ZodType;
  /** Success answers by status; the error answers are added from the taxonomy. */
  responses: Record<number, RouteResponseDoc>;
  /** Error statuses this route can answer besides 401/403 and 500. */
  errors?: number[];
}

export interface Route extends RouteDoc {
  handler: (request: FastifyRequest<{ Params: Record<string, string>; Body: unknown }>, reply: FastifyReply) => Promise<unknown>;
}
