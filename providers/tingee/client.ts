/**
 * Typed client of Tingee's e-invoice account API. Every call: validate locally, serialize once, sign exactly that
 * string with a fresh UTC+7 timestamp, send that string through the one transport, then map the answer (either of
 * Tingee's envelopes) to data or to a `TingeeError`.
 */
import type { z } from 'zod';
import { httpRequest, parseRetryAfterMs, TransportAbortedError, TransportNetworkError, TransportTimeoutError } from '../http';
import type { HttpResponse } from '../http';
import {
  TingeeAbortedError,
  tingeeErrorForCode,
  TingeeInvalidResponseError,
  TingeeNetworkError,
  TingeeRateLimitedError,
  TingeeRefusedError,
  TingeeRequestValidationError,
  TingeeServerError,
  TingeeTimeoutError,
} from './errors';
import type { TingeeError } from './errors';
import { AccountPage, AccountPageRequest, CreateOrUpdateAccountRequest, EinvoiceAccount, readTingeeEnvelope } from './schemas';
import type { TingeeEinvoiceProvider } from './schemas';
import { tingeeAuthHeaders } from './sign';

export interface TingeeClientOptions {
  /** Up to the host: `https://uat-open-api.tingee.vn`, or the sandbox's `http://127.0.0.1:4010/tingee`. */
  baseUrl: string;
  clientId: string;
  secretKey: string;
  /** Per attempt, response body included. */
  timeoutMs?: number;
  /** Milliseconds since the epoch; injectable so tests can pin the signed timestamp. */
  nowMs?: () => number;
}

export interface TingeeCallOptions {
  /** Cancels the call, e.g. a Temporal activity's `cancellationSignal()`. */
  signal?: AbortSignal;
}

export const CREATE_OR_UPDATE_ACCOUNT_PATH = '/v1/e-invoice/create-or-update-account';
export const GET_PAGING_ACCOUNT_PATH = '/v1/e-invoice/get-paging-account';

/** Accounts asked for per page while looking one up. */
const LOOKUP_PAGE_SIZE = 100;
/** A lookup stops after this many pages: far more accounts than one merchant holds. */
const LOOKUP_MAX_PAGES = 50;

export interface AccountKey {
  provider: TingeeEinvoiceProvider;
  taxCode: string;
  merchantId?: number;
}

export class TingeeClient {
  // ES private fields: the secret stays out of util.inspect, JSON.stringify and error objects.
  readonly #baseUrl: string;
  readonly #clientId: string;
  readonly #secretKey: string;
  readonly #timeoutMs: number;
  readonly #nowMs: () => number;

  constructor({ baseUrl, clientId, secretKey, timeoutMs = 15_000, nowMs = () => Date.now() }: TingeeClientOptions) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`Tingee baseUrl must be an absolute URL such as https://uat-open-api.tingee.vn, got ${JSON.stringify(baseUrl)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`Tingee baseUrl must be http(s), got ${url.protocol}`);
    if (url.search || url.hash) throw new TypeError('Tingee baseUrl must not have a query or fragment');
    if (!clientId) throw new TypeError('Tingee clientId is required');
    if (!secretKey) throw new TypeError('Tingee secretKey is required');
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`Tingee timeoutMs must be positive, got ${timeoutMs}`);
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#clientId = clientId;
    this.#secretKey = secretKey;
    this.#timeoutMs = timeoutMs;
    this.#nowMs = nowMs;
  }

  /**
   * `POST /v1/e-invoice/create-or-update-account`: with `id` updates that account, without it creates one (Tingee
   * refuses a second account for the same merchantId + provider + taxCode). The answer never holds the password.
   */
  async createOrUpdateAccount(req: CreateOrUpdateAccountRequest, options: TingeeCallOptions = {}): Promise<EinvoiceAccount> {
    const body = validRequest(CreateOrUpdateAccountRequest, req);
    return this.request(CREATE_OR_UPDATE_ACCOUNT_PATH, body, EinvoiceAccount, options);
  }

  /** `POST /v1/e-invoice/get-paging-account`: one page of the accounts, filtered. */
  async getAccountPage(req: AccountPageRequest, options: TingeeCallOptions = {}): Promise<AccountPage> {
    const body = validRequest(AccountPageRequest, req);
    return this.request(GET_PAGING_ACCOUNT_PATH, body, AccountPage, options);
  }

  /**
   * The account Tingee holds for this merchantId + provider + taxCode (its duplicate key), if any: how a create whose
   * answer was lost is found again. Filters are sent and also applied here, so a server ignoring one cannot mislead.
   */
  async findAccount(key: AccountKey, options: TingeeCallOptions = {}): Promise<EinvoiceAccount | undefined> {
    for (let page = 0; page < LOOKUP_MAX_PAGES; page++) {
      const { items, totalCount } = await this.getAccountPage(
        { merchantId: key.merchantId, provider: key.provider, taxCode: key.taxCode, skipCount: page * LOOKUP_PAGE_SIZE, maxResultCount: LOOKUP_PAGE_SIZE },
        options,
      );
      const found = items.find(
        (a) => a.provider === key.provider && a.taxCode === key.taxCode && (key.merchantId === undefined || a.merchantId === key.merchantId),
      );
      if (found) return found;
      if (items.length === 0 || (page + 1) * LOOKUP_PAGE_SIZE >= totalCount) return undefined;
    }
    return undefined;
  }

  /** The one signed exchange: every Tingee call is a JSON POST. */
  private async request<T>(path: string, body: unknown, schema: z.ZodType<T>, { signal }: TingeeCallOptions): Promise<T> {
    // Serialized once: this very string is signed and sent.
    const payload = JSON.stringify(body);
    const operation = `POST ${path}`;
    const headers = tingeeAuthHeaders({ clientId: this.#clientId, secretKey: this.#secretKey, body: payload, nowMs: this.#nowMs() });
    let res: HttpResponse;
    try {
      res = await httpRequest({ method: 'POST', url: this.#baseUrl + path, headers, body: payload, timeoutMs: this.#timeoutMs, signal });
    } catch (err) {
      throw fromTransportError(err, operation);
    }
    return readResponse(res, schema);
  }
}

/** Parses a request with its schema, or names the first field at fault (never its value: it may be the password). */
function validRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new TingeeRequestValidationError('(request)', 'is invalid');
  if (issue.code === 'unrecognized_keys') throw new TingeeRequestValidationError(issue.keys.join(', '), 'is not a field Tingee knows');
  throw new TingeeRequestValidationError(issue.path.map(String).join('.') || '(request)', issue.message);
}

function fromTransportError(err: unknown, operation: string): unknown {
  if (err instanceof TransportTimeoutError) return new TingeeTimeoutError(operation, err.timeoutMs, err);
  if (err instanceof TransportAbortedError) return new TingeeAbortedError(operation, err);
  if (err instanceof TransportNetworkError) return new TingeeNetworkError(operation, err.code, err);
  return err;
}

function readResponse<T>(res: HttpResponse, schema: z.ZodType<T>): T {
  const requestId = res.headers['x-request-id'] || undefined;
  const httpStatus = res.status;
  let json: unknown;
  try {
    json = JSON.parse(res.bodyText);
  } catch {
    json = undefined;
  }
  const envelope = json === undefined ? undefined : readTingeeEnvelope(json);
  const success = httpStatus >= 200 && httpStatus < 300;

  if (envelope && !envelope.ok) {
    if (envelope.code !== undefined) throw tingeeErrorForCode({ httpStatus, providerCode: envelope.code, requestId, providerMessage: envelope.message });
    if (success || (httpStatus >= 400 && httpStatus < 500 && httpStatus !== 429)) {
      throw new TingeeRefusedError({ httpStatus, requestId, providerMessage: envelope.message });
    }
  }
  if (!success) {
    if (httpStatus === 429) throw new TingeeRateLimitedError({ httpStatus, requestId, retryAfterMs: parseRetryAfterMs(res.headers['retry-after']) });
    throw new TingeeServerError({ httpStatus, requestId });
  }
  const invalid = (reason: string): TingeeError => new TingeeInvalidResponseError({ httpStatus, requestId, reason });
  if (json === undefined) throw invalid('body is not JSON');
  if (!envelope?.ok) throw invalid("neither of Tingee's envelopes");
  const data = schema.safeParse(envelope.data);
  // Paths and rules only: values could be personal data.
  if (!data.success) throw invalid(data.error.issues.slice(0, 3).map((i) => `data.${i.path.map(String).join('.')}: ${i.message}`).join('; '));
  return data.data;
}
