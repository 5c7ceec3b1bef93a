import { createHash } from 'node:crypto';
import fetch from 'node-fetch';

// A deliberately small signing client, written from the rule in providers.md, not shared with `providers/` or `sandbox/`.

export const CLIENT_ID = 'sandbox-client';
export const SECRET_KEY = 'sandbox-secret';

/** `{SECRET}_{METHOD}_{PATH}_{PAYLOAD}_{TIMESTAMP}` → lowercase hex SHA-256. */
export function signFinan(secret: string, method: string, path: string, payload: string, timestamp: string): string {
  return createHash('sha256').update(`${secret}_${method}_${path}_${payload}_${timestamp}`).digest('hex');
}

export interface FinanCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path after `/open`, with any query string. */
  path: string;
  /** An object is sent as compact JSON; a string is sent as is. */
  body?: unknown;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  secret?: string;
  clientId?: string;
  /** Sign this path instead of the one sent. */
  signedPath?: string;
  /** Sign this payload instead of the one sent. */
  signedPayload?: string;
  signature?: string;
  omit?: ReadonlyArray<'x-client-id' | 'x-signature' | 'x-timestamp'>;
}

export interface FinanEnvelope<T = unknown> {
  message: { content: string; error?: string };
  code: number;
  request_id: string;
  data?: T;
}

export interface FinanResult<T = unknown> {
  status: number;
  headers: { get(name: string): string | null };
  body: FinanEnvelope<T>;
}

export interface PayoutItem {
  id: string;
  status: string;
  amount: number;
  beneficiary_account_name: string;
  beneficiary_account_number: string;
  beneficiary_bank_id: string;
  reference_id: string | null;
  description: string;
  currency: string;
  remaining_try: number;
  created_at: string;
}

export interface PayoutSummary {
  id: string;
  status: string;
  remaining_try: number;
}

/** The page's create example, verbatim. */
export const PAGE_EXAMPLE_PAYOUT = {
  account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6000000,
  beneficiary_account_name: 'NGUYEN VAN A',
  beneficiary_account_number: '1234567890',
  beneficiary_bank_id: '161',
  currency: 'VND',
  reference_id: 'PAYOUT-001',
  description: 'thanh toan don hang',
};

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export function finanClient(finanBaseUrl: string) {
  async function call<T = unknown>(request: FinanCall): Promise<FinanResult<T>> {
    const payload =
      request.body === undefined ? '' : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const timestamp = String(request.timestamp ?? nowSeconds());
    const signature =
      request.signature ??
      signFinan(
        request.secret ?? SECRET_KEY,
        request.method,
        request.signedPath ?? request.path,
        request.signedPayload ?? payload,
        timestamp,
      );
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-client-id': request.clientId ?? CLIENT_ID,
      'x-signature': signature,
      'x-timestamp': timestamp,
    };
    for (const name of request.omit ?? []) delete headers[name];
    const response = await fetch(`${finanBaseUrl}${request.path}`, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : payload,
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as FinanEnvelope<T> };
  }

  return {
    call,
    createPayout: (body: unknown = PAGE_EXAMPLE_PAYOUT) =>
      call<PayoutSummary>({ method: 'POST', path: '/api/v1/payouts', body }),
    listPayouts: () => call<PayoutItem[]>({ method: 'GET', path: '/api/v1/payouts' }),
    getPayout: (id: string) => call<PayoutItem>({ method: 'GET', path: `/api/v1/payouts/${id}` }),
    verifyOtp: (id: string, body: unknown) =>
      call<PayoutSummary>({ method: 'POST', path: `/api/v1/payouts/${id}/otps`, body }),
  };
}

/** The unsigned test controls. */
export function sandboxControls(url: string) {
  async function send<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${url}/_sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  return {
    send,
    otp: async (payoutId: string): Promise<string> => {
      const { status, body } = await send<{ otp: string }>('GET', `/finan/payouts/${payoutId}/otp`);
      if (status !== 200) throw new Error(`no OTP for ${payoutId}: ${status}`);
      return body.otp;
    },
    ledger: async () =>
      (await send<{ transfers: Array<{ payoutId: string; reference_id: string | null; amount: number; at: string }> }>('GET', '/ledger'))
        .body.transfers,
    setFaults: (config: unknown) => send<unknown>('POST', '/faults', config),
    clearFaults: () => send<unknown>('DELETE', '/faults'),
    settings: (patch: unknown) => send<{ ipWhitelist: string[] | null; processingDelayMs: number }>('POST', '/finan/settings', patch),
    reset: () => send<unknown>('POST', '/reset'),
  };
}

/**
 * Polls `read` until `done` holds, or fails after `timeoutMs`. The default is generous on purpose: it only bounds how
 * long a broken sandbox keeps a test waiting, and a busy machine must never reach it.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
