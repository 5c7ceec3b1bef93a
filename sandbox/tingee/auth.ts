import type { FastifyRequest } from 'fastify';
import type { TingeeConfig } from '../config';
import { TingeeApiError, TingeeCode } from './envelope';
import { isValidTingeeSignature } from './signature';
import { instantOfTingeeTimestamp } from './timestamp';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Tingee's request authentication, in the order a server can check it: `x-request-timestamp` readable
 * (`yyyyMMddHHmmssSSS`, else 90), within ±10 minutes of the sandbox clock read in UTC+7 (else 91), then `x-signature`
 * over `${timestamp}:${raw body}` with the client's secret key (else 97; an unknown `x-client-id` has no key, so 97 too).
 */
export function authenticateTingeeRequest(request: FastifyRequest, body: Buffer, config: TingeeConfig, nowMs = Date.now()): void {
  const timestamp = header(request, 'x-request-timestamp');
  const at = timestamp === undefined ? undefined : instantOfTingeeTimestamp(timestamp);
  if (timestamp === undefined || at === undefined) throw new TingeeApiError(TingeeCode.TimestampFormat);
  if (Math.abs(nowMs - at) > config.timestampWindowMs) throw new TingeeApiError(TingeeCode.RequestExpired);
  const signature = header(request, 'x-signature');
  const clientId = header(request, 'x-client-id');
  if (signature === undefined || clientId !== config.clientId || !isValidTingeeSignature(config.secretKey, timestamp, body, signature)) {
    throw new TingeeApiError(TingeeCode.Signature);
  }
}
