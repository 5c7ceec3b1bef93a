/**
 * The codec server the Temporal Web UI (and `temporal --codec-endpoint`) calls to show decrypted payloads:
 * `POST /codec/encode` and `POST /codec/decode`, body and answer `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`
 * (protobuf JSON of `Payloads`, where an empty list is left out: `{}`). It decrypts everything, so it runs on its own
 * listener (`startCodecServer`, loopback by default, http://127.0.0.1:8234/codec), never on the public gateway.
 *
 * - CORS for the configured UI origins only; a request from any other browser origin is refused (403). An `Origin`
 *   header is never a credential: curl can send any.
 * - Static bearer token, compared in constant time; required whenever the listener is not on loopback. The UI itself
 *   can only forward its users' OIDC tokens, so the token suits the CLI (`--codec-auth "Bearer …"`) or an
 *   authenticating proxy in front of the UI.
 * - Hooks are attached per route, so the plugin behaves the same registered (`app.register`) or called directly.
 */
import { randomUUID } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../codec/aes-gcm-codec';
import { isLoopbackHost } from '../../config/env';
import type { FieldProblem } from '../errors';
import { bearerToken, digestsEqual, sha256 } from './bearer';

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** Exact browser origins of the Temporal UI, e.g. `http://127.0.0.1:8233`, `http://localhost:8233`. */
  allowedOrigins: string[];
  /** When set, every encode/decode request must carry `Authorization: Bearer <token>`. */
  bearerToken?: string;
  /** The UI decodes whole histories at once; Temporal allows payloads up to 2 MB. Default 4 MiB. */
  bodyLimitBytes?: number;
}

export const CODEC_PATHS = { encode: '/codec/encode', decode: '/codec/decode' } as const;

const ALLOW_METHODS = 'POST, GET, OPTIONS';
const ALLOW_HEADERS = 'X-Namespace, Content-Type, Authorization';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const PayloadJsonSchema = z.object({
  metadata: z.record(z.string(), z.base64('must be base64')).optional(),
  data: z.base64('must be base64').optional(),
});
// Protobuf JSON omits an empty repeated field: the Temporal CLI sends `{}` for a query or signal without arguments.
const PayloadsBodySchema = z.object(
  { payloads: z.array(PayloadJsonSchema, { error: 'must be an array of payloads' }).optional().default([]) },
  { error: 'must be a JSON object' },
);

type PayloadJson = z.infer<typeof PayloadJsonSchema>;

export async function codecRoutes<Logger extends FastifyBaseLogger>(
  app: FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>,
  opts: CodecRoutesOptions,
): Promise<void> {
  const allowedOrigins = new Set(opts.allowedOrigins.map(normalizeOrigin));
  const expectedToken = opts.bearerToken ? sha256(opts.bearerToken) : undefined;
  const bodyLimit = opts.bodyLimitBytes ?? 4 * 1024 * 1024;

  /** CORS for allowed origins; requests without an Origin (CLI, curl) are not browser requests and pass. */
  const applyCors = (request: FastifyRequest, reply: FastifyReply): boolean => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (!allowedOrigins.has(origin)) {
      void reply.status(403).send(errorBody('forbidden_origin', `Origin ${origin} may not use the codec server`, { allowedOrigins: [...allowedOrigins] }));
      return false;
    }
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Access-Control-Allow-Credentials', 'true');
    return true;
  };

  const authorize = (request: FastifyRequest, reply: FastifyReply): boolean => {
    if (!expectedToken) return true;
    const presented = bearerToken(request.headers.authorization);
    if (presented !== undefined && digestsEqual(sha256(presented), expectedToken)) return true;
    void reply
      .status(401)
      .header('WWW-Authenticate', 'Bearer realm="dongflow-codec"')
      .send(errorBody('unauthenticated', 'The codec server needs Authorization: Bearer <codec token>', null));
    return false;
  };

  for (const [operation, url] of Object.entries(CODEC_PATHS) as [keyof typeof CODEC_PATHS, string][]) {
    // Browsers send preflights without credentials: answer them before any token check.
    app.options(url, async (request, reply) => {
      if (!applyCors(request, reply)) return reply;
      return reply
        .header('Access-Control-Allow-Methods', ALLOW_METHODS)
        .header('Access-Control-Allow-Headers', ALLOW_HEADERS)
        .header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .status(204)
        .send();
    });

    app.post(url, {
      bodyLimit,
      // Before the body is read: refuse foreign origins and missing tokens without parsing megabytes.
      onRequest: async (request, reply) => {
        if (applyCors(request, reply)) authorize(request, reply);
        return reply.sent ? reply : undefined;
      },
      handler: async (request, reply) => {
        const parsed = PayloadsBodySchema.safeParse(request.body);
        if (!parsed.success) {
          const problems: FieldProblem[] = parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', rule: issue.message }));
          return reply.status(400).send(errorBody('validation_failed', problems.map((p) => `${p.field}: ${p.rule}`).join('; '), problems));
        }
        const payloads = parsed.data.payloads.map(fromJson);
        try {
          const result = operation === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
          return reply.status(200).send({ payloads: result.map(toJson) });
        } catch (err) {
          if (err instanceof PayloadDecryptionError) {
            return reply.status(422).send(errorBody('codec_failed', err.message, { keyId: err.keyId ?? null }));
          }
          throw err;
        }
      },
    });
  }
}

function fromJson(payload: PayloadJson): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    data: Buffer.from(payload.data ?? '', 'base64'),
  };
}

function toJson(payload: Payload): { metadata: Record<string, string>; data: string } {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, base64(v)])),
    data: base64(payload.data),
  };
}

function base64(bytes: Uint8Array | null | undefined): string {
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') : '';
}

function normalizeOrigin(origin: string): string {
  let normalized: string;
  try {
    normalized = new URL(origin).origin;
  } catch {
    throw new Error(`codecRoutes: "${origin}" is not an origin such as http://127.0.0.1:8233`);
  }
  if (normalized === 'null') throw new Error(`codecRoutes: "${origin}" is not an origin such as http://127.0.0.1:8233`);
  return normalized;
}

function errorBody(code: string, message: string, details: unknown) {
  return { error: { code, message, details } };
}

export interface CodecServerOptions extends CodecRoutesOptions {
  host: string;
  port: number;
  logger: FastifyBaseLogger;
}

export interface RunningCodecServer {
  /** e.g. `http://127.0.0.1:8234/codec`: what `--ui-codec-endpoint` and `temporal --codec-endpoint` take. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * The codec server on a listener of its own. Off loopback it refuses to start without a bearer token: the payloads it
 * decrypts are the whole point of encrypting them.
 */
export async function startCodecServer(opts: CodecServerOptions): Promise<RunningCodecServer> {
  if (!isLoopbackHost(opts.host) && !opts.bearerToken) {
    throw new Error(`The codec server may listen on ${opts.host} (not loopback) only with a bearer token (DONGFLOW_CODEC_AUTH_TOKEN)`);
  }
  const app = Fastify({ loggerInstance: opts.logger, requestIdHeader: 'x-request-id', genReqId: () => randomUUID() });
  await app.register(codecRoutes, opts);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('not_found', `No route ${request.method} ${request.url} on the codec server (it serves ${CODEC_PATHS.encode} and ${CODEC_PATHS.decode})`, null)),
  );
  const url = await app.listen({ host: opts.host, port: opts.port });
  return { endpoint: `${url}/codec`, close: () => app.close() };
}
