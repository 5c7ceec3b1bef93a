import type { FastifyServerOptions } from 'fastify';
import type { SepayConfig } from './sepay/state';
import { SEPAY_DEFAULTS } from './sepay/state';

export interface SandboxOptions {
  finan?: {
    /** The only client id it accepts (env SANDBOX_FINAN_CLIENT_ID, else FINAN_CLIENT_ID, else `sandbox-client`). */
    clientId?: string;
    /** The secret requests are signed with (env SANDBOX_FINAN_SECRET_KEY, else FINAN_SECRET_KEY, else `sandbox-secret`). */
    secretKey?: string;
    processingDelayMs?: number;
    timestampWindowSeconds?: number;
    /** Where payment webhooks go (env SANDBOX_FINAN_WEBHOOK_URL); also settable at run time. */
    webhookUrl?: string | null;
    /** Signs payment webhooks (env SANDBOX_FINAN_WEBHOOK_SECRET); default the secret key, as Finan does. */
    webhookSecret?: string;
    /** How long a webhook receiver may take, in real (unscaled) milliseconds. */
    webhookTimeoutMs?: number;
  };
  tingee?: {
    /** The only client id it accepts (env SANDBOX_TINGEE_CLIENT_ID, else TINGEE_CLIENT_ID, else `sandbox-tingee-client`). */
    clientId?: string;
    /** The secret key requests are signed with (env SANDBOX_TINGEE_SECRET_KEY, else TINGEE_SECRET_KEY, else `sandbox-tingee-secret`). */
    secretKey?: string;
    /** How far `x-request-timestamp` may be from the sandbox clock (default 10 minutes). */
    timestampWindowMs?: number;
  };
  sepay?: {
    /** The only OAuth client it accepts (env SANDBOX_SEPAY_CLIENT_ID, else SEPAY_CLIENT_ID, else `sandbox-sepay-client`). */
    clientId?: string;
    /** Its secret (env SANDBOX_SEPAY_CLIENT_SECRET, else SEPAY_CLIENT_SECRET, else `sandbox-sepay-secret`). */
    clientSecret?: string;
    /** The only redirect URI accepted (env SEPAY_REDIRECT_URI); unset, any http(s) one. */
    redirectUri?: string | null;
    /** SePay's 3 requests per second. */
    requestsPerSecond?: number;
    /** Keeps grants, role and company across restarts (env SANDBOX_SEPAY_STATE_FILE); unset, memory only. */
    stateFile?: string | null;
  };
  /** Multiplies every sandbox duration (default 1; env SANDBOX_TIME_SCALE). */
  timeScale?: number;
  /** Fastify's logger option; default false. */
  logger?: FastifyServerOptions['logger'];
}

export interface FinanConfig {
  clientId: string;
  secretKey: string;
  processingDelayMs: number;
  timestampWindowSeconds: number;
  webhookUrl: string | null;
  webhookSecret: string;
  webhookTimeoutMs: number;
}

export interface TingeeConfig {
  clientId: string;
  secretKey: string;
  timestampWindowMs: number;
}

export interface SandboxConfig {
  finan: FinanConfig;
  tingee: TingeeConfig;
  sepay: SepayConfig;
  timeScale: number;
}

export const FINAN_DEFAULTS: Omit<FinanConfig, 'webhookSecret'> = {
  clientId: 'sandbox-client',
  secretKey: 'sandbox-secret',
  processingDelayMs: 2000,
  timestampWindowSeconds: 30,
  webhookUrl: null,
  webhookTimeoutMs: 10_000,
};

export const TINGEE_DEFAULTS: TingeeConfig = {
  clientId: 'sandbox-tingee-client',
  secretKey: 'sandbox-tingee-secret',
  timestampWindowMs: 10 * 60 * 1000,
};

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
  return value;
}

function nonEmpty(name: string, value: string): string {
  if (value === '') throw new Error(`${name} must not be empty`);
  return value;
}

/** An absolute http(s) URL, or null for "not set" (an empty variable counts as not set). */
export function webhookUrlOf(name: string, value: string | null | undefined): string | null {
  if (value === undefined || value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  return url.toString();
}

/** Explicit options win over the environment, which wins over the defaults. */
export function resolveSandboxConfig(options: SandboxOptions = {}, env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const finan = options.finan ?? {};
  const tingee = options.tingee ?? {};
  const envScale = env.SANDBOX_TIME_SCALE;
  // Run next to a worker on the same environment, it accepts the credentials that worker signs with.
  const secretKey = nonEmpty('Finan secret key', finan.secretKey ?? (env.SANDBOX_FINAN_SECRET_KEY || env.FINAN_SECRET_KEY || FINAN_DEFAULTS.secretKey));
  const sepay = options.sepay ?? {};
  return {
    sepay: {
      clientId: nonEmpty('SePay client id', sepay.clientId ?? (env.SANDBOX_SEPAY_CLIENT_ID || env.SEPAY_CLIENT_ID || SEPAY_DEFAULTS.clientId)),
      clientSecret: nonEmpty('SePay client secret', sepay.clientSecret ?? (env.SANDBOX_SEPAY_CLIENT_SECRET || env.SEPAY_CLIENT_SECRET || SEPAY_DEFAULTS.clientSecret)),
      redirectUri: sepay.redirectUri !== undefined ? webhookUrlOf('redirectUri', sepay.redirectUri) : webhookUrlOf('SEPAY_REDIRECT_URI', env.SEPAY_REDIRECT_URI),
      requestsPerSecond: positive('requestsPerSecond', sepay.requestsPerSecond ?? SEPAY_DEFAULTS.requestsPerSecond),
      stateFile: sepay.stateFile !== undefined ? sepay.stateFile : env.SANDBOX_SEPAY_STATE_FILE || SEPAY_DEFAULTS.stateFile,
    },
    timeScale: nonNegative(
      options.timeScale === undefined ? 'SANDBOX_TIME_SCALE' : 'timeScale',
      options.timeScale ?? (envScale === undefined || envScale === '' ? 1 : Number(envScale)),
    ),
    finan: {
      clientId: nonEmpty('Finan client id', finan.clientId ?? (env.SANDBOX_FINAN_CLIENT_ID || env.FINAN_CLIENT_ID || FINAN_DEFAULTS.clientId)),
      secretKey,
      processingDelayMs: nonNegative('processingDelayMs', finan.processingDelayMs ?? FINAN_DEFAULTS.processingDelayMs),
      timestampWindowSeconds: nonNegative(
        'timestampWindowSeconds',
        finan.timestampWindowSeconds ?? FINAN_DEFAULTS.timestampWindowSeconds,
      ),
      webhookUrl:
        finan.webhookUrl !== undefined
          ? webhookUrlOf('webhookUrl', finan.webhookUrl)
          : webhookUrlOf('SANDBOX_FINAN_WEBHOOK_URL', env.SANDBOX_FINAN_WEBHOOK_URL),
      // The payments page verifies webhooks with the same secretKey as requests.
      webhookSecret: nonEmpty('Finan webhook secret', finan.webhookSecret ?? (env.SANDBOX_FINAN_WEBHOOK_SECRET || secretKey)),
      webhookTimeoutMs: positive('webhookTimeoutMs', finan.webhookTimeoutMs ?? FINAN_DEFAULTS.webhookTimeoutMs),
    },
    tingee: {
      clientId: nonEmpty('Tingee client id', tingee.clientId ?? (env.SANDBOX_TINGEE_CLIENT_ID || env.TINGEE_CLIENT_ID || TINGEE_DEFAULTS.clientId)),
      secretKey: nonEmpty('Tingee secret key', tingee.secretKey ?? (env.SANDBOX_TINGEE_SECRET_KEY || env.TINGEE_SECRET_KEY || TINGEE_DEFAULTS.secretKey)),
      timestampWindowMs: nonNegative('timestampWindowMs', tingee.timestampWindowMs ?? TINGEE_DEFAULTS.timestampWindowMs),
    },
  };
}
