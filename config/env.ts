/**
 * The one configuration loader: every environment variable dongflow reads, validated at start-up.
 * `loadConfig()` reports every bad or missing variable at once, one line each.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { msToNumber } from '@temporalio/common/lib/time';
import { z } from 'zod';
import type { ApiKey } from './api-keys';
import { ApiKeysConfigError, parseApiKeys } from './api-keys';
import type { KeyRing } from './encryption-keys';
import { KeyRingError, parseKeyRing } from './encryption-keys';

/** The embedded sandbox's credentials when FINAN_CLIENT_ID / FINAN_SECRET_KEY are unset (it accepts whatever is configured). */
export const SANDBOX_FINAN_CLIENT_ID = 'sandbox-client';
export const SANDBOX_FINAN_SECRET_KEY = 'sandbox-secret';
/** The embedded sandbox's Tingee credentials when TINGEE_CLIENT_ID / TINGEE_SECRET_KEY are unset. */
export const SANDBOX_TINGEE_CLIENT_ID = 'sandbox-tingee-client';
export const SANDBOX_TINGEE_SECRET_KEY = 'sandbox-tingee-secret';
/** The embedded sandbox's SePay OAuth client when SEPAY_CLIENT_ID / SEPAY_CLIENT_SECRET are unset. */
export const SANDBOX_SEPAY_CLIENT_ID = 'sandbox-sepay-client';
export const SANDBOX_SEPAY_CLIENT_SECRET = 'sandbox-sepay-secret';
/** SePay's OAuth scopes (reference/providers.md); `company` is what the company API needs. */
export const SEPAY_SCOPES = ['company', 'bank-account:read', 'transaction:read', 'webhook:read', 'webhook:write', 'webhook:delete', 'profile'] as const;

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be an integer port number')
    .min(1, 'must be a port number between 1 and 65535')
    .max(65535, 'must be a port number between 1 and 65535')
    .default(fallback);

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      try {
        const ms = /^\d+$/.test(value) ? Number(value) : msToNumber(value as Parameters<typeof msToNumber>[0]);
        if (!Number.isFinite(ms) || ms <= 0) throw new Error('not positive');
        return ms;
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be a duration such as "10 minutes", "30s" or milliseconds (got "${value}")` });
        return z.NEVER;
      }
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1'));

const EnvSchema = z
  .object({
    TEMPORAL_ADDRESS: optionalString.pipe(
      z.string().regex(/^[^\s:/]+:\d+$/, 'must be host:port, e.g. my-namespace.tmprl.cloud:7233').optional(),
    ),
    TEMPORAL_NAMESPACE: z.string().min(1, 'must not be empty').default('default'),
    TEMPORAL_TLS: bool(false),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_TLS_SERVER_NAME: optionalString,
    TEMPORAL_TLS_CA_PATH: optionalString,
    TEMPORAL_API_KEY: optionalString,
    TEMPORAL_PORT: port(7233),
    TEMPORAL_UI_PORT: port(8233),
    DONGFLOW_DATA_DIR: z.string().min(1).default('.data'),
    GATEWAY_HOST: z.string().min(1).default('127.0.0.1'),
    GATEWAY_PORT: port(3000),
    SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
    SANDBOX_PORT: port(4010),
    DONGFLOW_CODEC_HOST: z.string().min(1).default('127.0.0.1'),
    DONGFLOW_CODEC_PORT: port(8234),
    FINAN_BASE_URL: optionalString.pipe(z.url({ error: 'must be a URL such as https://api.finan.one/open' }).optional()),
    FINAN_CLIENT_ID: optionalString,
    FINAN_SECRET_KEY: optionalString,
    FINAN_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive('must be positive').default(15_000),
    FINAN_MAX_REQUESTS_PER_SECOND: z.coerce.number({ error: 'must be a number' }).positive('must be positive').default(10),
    TINGEE_BASE_URL: optionalString.pipe(z.url({ error: 'must be a URL such as https://uat-open-api.tingee.vn' }).optional()),
    TINGEE_CLIENT_ID: optionalString,
    TINGEE_SECRET_KEY: optionalString,
    TINGEE_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive('must be positive').default(15_000),
    TINGEE_MAX_REQUESTS_PER_SECOND: z.coerce.number({ error: 'must be a number' }).positive('must be positive').default(5),
    SEPAY_BASE_URL: optionalString.pipe(z.url({ error: 'must be a URL such as https://my.sepay.vn' }).optional()),
    SEPAY_CLIENT_ID: optionalString,
    SEPAY_CLIENT_SECRET: optionalString,
    SEPAY_REDIRECT_URI: optionalString.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://pay.example.com/v1/sepay/callback' }).optional()),
    SEPAY_SCOPES: z
      .string()
      .default('company')
      .transform((v) => v.split(/[\s,]+/).filter(Boolean))
      .pipe(z.array(z.enum(SEPAY_SCOPES, { error: `must be scopes among ${SEPAY_SCOPES.join(', ')}` })).min(1, 'must name at least one scope')),
    SEPAY_TIMEOUT_MS: z.coerce.number({ error: 'must be a number of milliseconds' }).int().positive('must be positive').default(15_000),
    SEPAY_MAX_REQUESTS_PER_SECOND: z.coerce.number({ error: 'must be a number' }).positive('must be positive').max(3, 'must be at most 3 (SePay allows 3 requests per second)').default(3),
    SEPAY_REFRESH_AHEAD: duration('5 minutes'),
    DONGFLOW_OTP_TIMEOUT: duration('10 minutes'),
    DONGFLOW_PAYOUT_POLL_HORIZON: duration('24 hours'),
    DONGFLOW_PAYOUT_CREATE_WINDOW: duration('10 minutes'),
    DONGFLOW_PAYMENT_TTL: duration('30 minutes'),
    DONGFLOW_RECONCILE_EVERY: duration('15 minutes'),
    /** Comma-separated, newest first: two during a rotation. */
    FINAN_WEBHOOK_SECRETS: optionalString,
    DONGFLOW_ENCRYPTION_KEYS: optionalString,
    DONGFLOW_API_KEYS: optionalString,
    DONGFLOW_CODEC_AUTH_TOKEN: optionalString,
    DONGFLOW_CODEC_ALLOWED_ORIGINS: optionalString.pipe(
      z
        .string()
        .optional()
        .transform((v) => (v ? v.split(',').map((o) => o.trim()).filter(Boolean) : []))
        .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be comma-separated origins such as https://temporal-ui.example.com' }))),
    ),
    DONGFLOW_WORKER_METRICS_PORT: port(9464),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  });

/** Rules that span variables; checked on the raw environment so they are reported together with field errors. */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => Boolean(env[name]?.trim());
  const problems: string[] = [];
  if (set('FINAN_BASE_URL')) {
    for (const name of ['FINAN_CLIENT_ID', 'FINAN_SECRET_KEY']) {
      if (!set(name)) problems.push(`${name} is required when FINAN_BASE_URL is set`);
    }
  }
  if (set('TINGEE_BASE_URL')) {
    for (const name of ['TINGEE_CLIENT_ID', 'TINGEE_SECRET_KEY']) {
      if (!set(name)) problems.push(`${name} is required when TINGEE_BASE_URL is set`);
    }
  }
  if (set('SEPAY_BASE_URL')) {
    for (const name of ['SEPAY_CLIENT_ID', 'SEPAY_CLIENT_SECRET', 'SEPAY_REDIRECT_URI']) {
      if (!set(name)) problems.push(`${name} is required when SEPAY_BASE_URL is set`);
    }
  }
  // The codec server decrypts every payload: off loopback, only a bearer token stands between it and anyone.
  const codecHost = env.DONGFLOW_CODEC_HOST?.trim() || '127.0.0.1';
  if (!isLoopbackHost(codecHost) && !set('DONGFLOW_CODEC_AUTH_TOKEN')) {
    problems.push(`DONGFLOW_CODEC_AUTH_TOKEN is required when DONGFLOW_CODEC_HOST (${codecHost}) is not a loopback address: the codec server decrypts every payload`);
  }
  if (set('TEMPORAL_ADDRESS')) {
    // Only the embedded default may invent a local key: every process of a real deployment must share the ring.
    if (!set('DONGFLOW_ENCRYPTION_KEYS')) problems.push('DONGFLOW_ENCRYPTION_KEYS is required when TEMPORAL_ADDRESS is set (e.g. k1:<32 random bytes, base64>)');
  }
  if (set('DONGFLOW_ENCRYPTION_KEYS')) {
    try {
      parseKeyRing(env.DONGFLOW_ENCRYPTION_KEYS);
    } catch (err) {
      if (!(err instanceof KeyRingError)) throw err;
      problems.push(...err.problems.map((p) => `DONGFLOW_ENCRYPTION_KEYS ${p}`));
    }
  }
  if (set('DONGFLOW_API_KEYS')) {
    try {
      parseApiKeys(env.DONGFLOW_API_KEYS);
    } catch (err) {
      if (!(err instanceof ApiKeysConfigError)) throw err;
      problems.push(...err.problems.map((p) => `DONGFLOW_API_KEYS ${p}`));
    }
  }
  if (set('TEMPORAL_TLS_CERT_PATH') !== set('TEMPORAL_TLS_KEY_PATH')) {
    const missing = set('TEMPORAL_TLS_CERT_PATH') ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
    problems.push(`${missing} is required with the other mTLS variable (set both or neither)`);
  }
  // A TLS file that cannot be read is named now, not as a bare ENOENT at the first connection.
  for (const name of ['TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_KEY_PATH']) {
    const path = env[name]?.trim();
    if (path && !isReadableFile(path)) problems.push(`${name} cannot be read: no readable file at ${path}`);
  }
  if (env.TEMPORAL_TLS?.trim() === 'false' || env.TEMPORAL_TLS?.trim() === '0') {
    const tlsOnly = ['TEMPORAL_TLS_CA_PATH', 'TEMPORAL_TLS_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME'].filter(set);
    if (tlsOnly.length > 0) problems.push(`TEMPORAL_TLS is false but ${tlsOnly.join(', ')} ${tlsOnly.length > 1 ? 'are' : 'is'} set: remove ${tlsOnly.length > 1 ? 'them' : 'it'} or set TEMPORAL_TLS=true`);
  }
  return problems;
}

export interface Config {
  temporal: {
    /** Undefined: start the embedded dev server. */
    address: string | undefined;
    namespace: string;
    /** false: plaintext; true: TLS with the system's CAs; an object: TLS with a CA file, server name or client certificate. */
    tls: boolean | TemporalTls;
    apiKey: string | undefined;
    embedded: { port: number; uiPort: number };
  };
  dataDir: string;
  gateway: { host: string; port: number };
  sandbox: { host: string; port: number };
  /** The codec server's own listener (never the public gateway's). */
  codec: { host: string; port: number };
  finan: {
    /** Undefined: use the embedded sandbox. */
    baseUrl: string | undefined;
    clientId: string;
    secretKey: string;
    timeoutMs: number;
    maxRequestsPerSecond: number;
    /** Secrets that verify Finan's payment webhooks, newest first: FINAN_WEBHOOK_SECRETS, else the secret key. */
    webhookSecrets: string[];
  };
  tingee: {
    /** Undefined: use the embedded sandbox. Up to the host: `https://uat-open-api.tingee.vn`. */
    baseUrl: string | undefined;
    clientId: string;
    secretKey: string;
    timeoutMs: number;
    maxRequestsPerSecond: number;
  };
  sepay: {
    /** Undefined: use the embedded sandbox. */
    baseUrl: string | undefined;
    clientId: string;
    clientSecret: string;
    /** Where SePay sends the browser back after consent: the gateway's `GET /v1/sepay/callback`. */
    redirectUri: string;
    scopes: string[];
    timeoutMs: number;
    /** Server-side cap on SePay calls per second across all workers (SePay allows 3). */
    maxRequestsPerSecond: number;
    /** An access token closer than this to its expiry is refreshed before use. */
    refreshAheadMs: number;
  };
  payout: { otpTimeoutMs: number; pollHorizonMs: number; createWindowMs: number };
  payment: { ttlMs: number; reconcileEveryMs: number };
  security: {
    /** Undefined: the embedded default's local key file under the data folder. */
    encryptionKeys: KeyRing | undefined;
    /** Undefined: the embedded default's development key under the data folder. */
    apiKeys: ApiKey[] | undefined;
    /** Bearer token the codec server requires; mandatory when it listens off loopback. */
    codecAuthToken: string | undefined;
    /** Origins of Temporal UIs besides the embedded one that may call the codec server. */
    codecAllowedOrigins: string[];
  };
  workerMetricsPort: number;
  logLevel: string;
}

export interface TemporalTls {
  /** PEM CA that signed the frontend's certificate (a self-hosted cluster's own CA). */
  caPath?: string;
  /** Name the frontend's certificate must carry when it differs from TEMPORAL_ADDRESS's host. */
  serverName?: string;
  /** mTLS: both set, or neither. */
  clientCertPath?: string;
  clientKeyPath?: string;
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** TLS settings: any file or server name turns TLS on; an API key needs TLS (Temporal Cloud). */
function temporalTls(e: { TEMPORAL_TLS: boolean; TEMPORAL_TLS_CA_PATH?: string; TEMPORAL_TLS_SERVER_NAME?: string; TEMPORAL_TLS_CERT_PATH?: string; TEMPORAL_TLS_KEY_PATH?: string; TEMPORAL_API_KEY?: string }): boolean | TemporalTls {
  const tls: TemporalTls = {
    ...(e.TEMPORAL_TLS_CA_PATH ? { caPath: e.TEMPORAL_TLS_CA_PATH } : {}),
    ...(e.TEMPORAL_TLS_SERVER_NAME ? { serverName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
    ...(e.TEMPORAL_TLS_CERT_PATH && e.TEMPORAL_TLS_KEY_PATH ? { clientCertPath: e.TEMPORAL_TLS_CERT_PATH, clientKeyPath: e.TEMPORAL_TLS_KEY_PATH } : {}),
  };
  if (Object.keys(tls).length > 0) return tls;
  return e.TEMPORAL_TLS || Boolean(e.TEMPORAL_API_KEY);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'} ${issue.message}`)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const finanSecretKey = e.FINAN_SECRET_KEY ?? SANDBOX_FINAN_SECRET_KEY;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      tls: temporalTls(e),
      apiKey: e.TEMPORAL_API_KEY,
      embedded: { port: e.TEMPORAL_PORT, uiPort: e.TEMPORAL_UI_PORT },
    },
    dataDir: e.DONGFLOW_DATA_DIR,
    gateway: { host: e.GATEWAY_HOST, port: e.GATEWAY_PORT },
    sandbox: { host: e.SANDBOX_HOST, port: e.SANDBOX_PORT },
    codec: { host: e.DONGFLOW_CODEC_HOST, port: e.DONGFLOW_CODEC_PORT },
    finan: {
      baseUrl: e.FINAN_BASE_URL,
      clientId: e.FINAN_CLIENT_ID ?? SANDBOX_FINAN_CLIENT_ID,
      secretKey: finanSecretKey,
      timeoutMs: e.FINAN_TIMEOUT_MS,
      maxRequestsPerSecond: e.FINAN_MAX_REQUESTS_PER_SECOND,
      // Finan signs webhooks with the same secretKey as requests (the payments page); a list only for a rotation.
      webhookSecrets: e.FINAN_WEBHOOK_SECRETS ? e.FINAN_WEBHOOK_SECRETS.split(',').map((s) => s.trim()).filter(Boolean) : [finanSecretKey],
    },
    tingee: {
      baseUrl: e.TINGEE_BASE_URL,
      clientId: e.TINGEE_CLIENT_ID ?? SANDBOX_TINGEE_CLIENT_ID,
      secretKey: e.TINGEE_SECRET_KEY ?? SANDBOX_TINGEE_SECRET_KEY,
      timeoutMs: e.TINGEE_TIMEOUT_MS,
      maxRequestsPerSecond: e.TINGEE_MAX_REQUESTS_PER_SECOND,
    },
    sepay: {
      baseUrl: e.SEPAY_BASE_URL,
      clientId: e.SEPAY_CLIENT_ID ?? SANDBOX_SEPAY_CLIENT_ID,
      clientSecret: e.SEPAY_CLIENT_SECRET ?? SANDBOX_SEPAY_CLIENT_SECRET,
      // A browser on this machine follows the redirect: a wildcard listen address is reached on loopback.
      redirectUri: e.SEPAY_REDIRECT_URI ?? `http://${['0.0.0.0', '::'].includes(e.GATEWAY_HOST) ? '127.0.0.1' : e.GATEWAY_HOST}:${e.GATEWAY_PORT}/v1/sepay/callback`,
      scopes: e.SEPAY_SCOPES,
      timeoutMs: e.SEPAY_TIMEOUT_MS,
      maxRequestsPerSecond: e.SEPAY_MAX_REQUESTS_PER_SECOND,
      refreshAheadMs: e.SEPAY_REFRESH_AHEAD,
    },
    payout: { otpTimeoutMs: e.DONGFLOW_OTP_TIMEOUT, pollHorizonMs: e.DONGFLOW_PAYOUT_POLL_HORIZON, createWindowMs: e.DONGFLOW_PAYOUT_CREATE_WINDOW },
    payment: { ttlMs: e.DONGFLOW_PAYMENT_TTL, reconcileEveryMs: e.DONGFLOW_RECONCILE_EVERY },
    security: {
      encryptionKeys: e.DONGFLOW_ENCRYPTION_KEYS ? parseKeyRing(e.DONGFLOW_ENCRYPTION_KEYS) : undefined,
      apiKeys: e.DONGFLOW_API_KEYS ? parseApiKeys(e.DONGFLOW_API_KEYS) : undefined,
      codecAuthToken: e.DONGFLOW_CODEC_AUTH_TOKEN,
      codecAllowedOrigins: e.DONGFLOW_CODEC_ALLOWED_ORIGINS,
    },
    workerMetricsPort: e.DONGFLOW_WORKER_METRICS_PORT,
    logLevel: e.LOG_LEVEL,
  };
}

/** SePay's base URL: SEPAY_BASE_URL, else the embedded sandbox's `/sepay`. */
export function sepayBaseUrlOf(config: Config): string {
  return config.sepay.baseUrl ?? `http://${config.sandbox.host}:${config.sandbox.port}/sepay`;
}

/**
 * Rules for a process that serves the gateway. The development API key holds every scope, so it is made only where
 * nothing but this machine can use it and no real money can move: the embedded sandbox behind a loopback gateway
 * on the embedded Temporal. Anything else needs DONGFLOW_API_KEYS. One line, naming every reason.
 */
export function gatewayProblems(config: Config): string[] {
  if (config.security.apiKeys) return [];
  const reasons = [
    config.finan.baseUrl ? 'FINAN_BASE_URL is set (real Finan)' : undefined,
    config.tingee.baseUrl ? 'TINGEE_BASE_URL is set (real Tingee)' : undefined,
    config.sepay.baseUrl ? 'SEPAY_BASE_URL is set (real SePay)' : undefined,
    isLoopbackHost(config.gateway.host) ? undefined : `GATEWAY_HOST (${config.gateway.host}) is not a loopback address`,
    config.temporal.address ? 'TEMPORAL_ADDRESS is set' : undefined,
  ].filter((r): r is string => r !== undefined);
  if (reasons.length === 0) return [];
  return [
    `DONGFLOW_API_KEYS is required when ${reasons.join(' and ')}: the development API key (every scope) is only made for the embedded sandbox on a loopback gateway; create a key with \`npx dongflow api-key\``,
  ];
}
