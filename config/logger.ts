/**
 * The one logger: structured JSON (pino). Secrets are redacted by construction: every line, as it is written,
 * passes through `redactSecrets`, which blanks fields whose *name* says they hold a secret, at any depth.
 */
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export const REDACTED = '[redacted]';

/** Field names that hold secrets, compared without case, `_` or `-`: `secret_key`, `secretKey`, `x-api-key`, ... */
const SECRET_FIELD = /^(secret|secretkey|clientsecret|password|passcode|token|accesstoken|refreshtoken|idtoken|apikey|xapikey|authorization|cookie|setcookie|otp|otpcode|xsignature|signature|privatekey|key)$/;

/** `code` is an OTP when it is digits only (an OTP body `{ "code": "012345" }`); `err.code` such as ECONNRESET stays. */
const OTP_SHAPED = /^\d{4,8}$/;

const MAX_DEPTH = 8;

function isSecretField(name: string, value: unknown): boolean {
  const normalized = name.toLowerCase().replace(/[-_]/g, '');
  if (SECRET_FIELD.test(normalized)) return true;
  return normalized === 'code' && (typeof value === 'string' || typeof value === 'number') && OTP_SHAPED.test(String(value));
}

/** Query parameters that carry a one-time secret: SePay's redirect (`code`, `state`) and any token. */
const SECRET_QUERY = /([?&](?:code|state|access_token|refresh_token|token|client_secret)=)[^&#\s"]*/gi;

/** A copy of `value` with secret fields replaced by `[redacted]`, at any depth (errors included). */
export function redactSecrets(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return value.replace(SECRET_QUERY, `$1${REDACTED}`);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1, seen));
  const source: Record<string, unknown> =
    value instanceof Error ? { type: value.name, message: value.message, stack: value.stack, ...(value as unknown as Record<string, unknown>) } : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    out[key] = isSecretField(key, field) ? REDACTED : redactSecrets(field, depth + 1, seen);
  }
  return out;
}

export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'dongflow',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // The last step before a line is written, after serializers and child bindings: nothing can slip past it.
      hooks: { streamWrite: (line) => `${JSON.stringify(redactSecrets(JSON.parse(line)))}\n` },
    },
    opts.destination,
  );
}
