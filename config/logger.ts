/** The one logger: structured JSON (pino), with secret-bearing fields redacted wherever they appear. */
import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** Field names that carry secrets anywhere in a log object; their values are replaced before writing. */
export const REDACTED_FIELDS = ['secretKey', 'secret', 'password', 'token', 'apiKey', 'authorization', 'code', 'otp', 'x-signature'];

export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const paths = REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `req.headers.${f}`, `headers["${f}"]`]);
  return pino(
    {
      level: opts.level ?? 'info',
      name: opts.name ?? 'dongflow',
      redact: { paths, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}
