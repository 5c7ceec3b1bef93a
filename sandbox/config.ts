import type { FastifyServerOptions } from 'fastify';

export interface SandboxOptions {
  finan?: { clientId?: string; secretKey?: string; processingDelayMs?: number; timestampWindowSeconds?: number };
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
}

export interface SandboxConfig {
  finan: FinanConfig;
  timeScale: number;
}

export const FINAN_DEFAULTS: FinanConfig = {
  clientId: 'sandbox-client',
  secretKey: 'sandbox-secret',
  processingDelayMs: 2000,
  timestampWindowSeconds: 30,
};

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${value}`);
  return value;
}

function nonEmpty(name: string, value: string): string {
  if (value === '') throw new Error(`${name} must not be empty`);
  return value;
}

/** Explicit options win over the environment, which wins over the defaults. */
export function resolveSandboxConfig(options: SandboxOptions = {}, env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const finan = options.finan ?? {};
  const envScale = env.SANDBOX_TIME_SCALE;
  return {
    timeScale: nonNegative(
      options.timeScale === undefined ? 'SANDBOX_TIME_SCALE' : 'timeScale',
      options.timeScale ?? (envScale === undefined || envScale === '' ? 1 : Number(envScale)),
    ),
    finan: {
      clientId: nonEmpty('Finan client id', finan.clientId ?? env.SANDBOX_FINAN_CLIENT_ID ?? FINAN_DEFAULTS.clientId),
      secretKey: nonEmpty('Finan secret key', finan.secretKey ?? env.SANDBOX_FINAN_SECRET_KEY ?? FINAN_DEFAULTS.secretKey),
      processingDelayMs: nonNegative('processingDelayMs', finan.processingDelayMs ?? FINAN_DEFAULTS.processingDelayMs),
      timestampWindowSeconds: nonNegative(
        'timestampWindowSeconds',
        finan.timestampWindowSeconds ?? FINAN_DEFAULTS.timestampWindowSeconds,
      ),
    },
  };
}
