/**
 * Typed client of Finan's payout, payment and customer APIs. Every call: validate locally, serialize once, sign exactly that string with a
 * fresh timestamp, send it through the one transport, then map the answer to data or to a `FinanError`.
 */
import type { z } from 'zod';
import { httpRequest, parseRetryAfterMs, TransportAbortedError, TransportNetworkError, TransportTimeoutError } from '../http';
import type { HttpMethod, HttpResponse } from '../http';
import {
  FinanAbortedError,
  finanErrorForStatus,
  FinanInvalidResponseError,
  FinanNetworkError,
  FinanRequestValidationError,
  FinanTimeoutError,
  FinanUnprocessableError,
} from './errors';
import type { FinanError } from './errors';
import { CustomerDeleted, CustomerList, CustomerRequest, CustomerWritten, FinanCustomer } from './customer-schemas';
import type { CustomerListItem } from './customer-schemas';
import { CreatePaymentRequest, PaymentRequest, PaymentRequestCreated, PaymentRequestList } from './payment-schemas';
import {
  CreatePayoutRequest,
  FINAN_ERROR_CODE,
  FinanEnvelope,
  FinanErrorBody,
  Payout,
  PayoutCreated,
  PayoutList,
  VerifyOtpRequest,
  VerifyOtpResult,
} from './schemas';
import { isOtpCode } from './rules';
import { finanAuthHeaders } from './sign';

export interface FinanClientOptions {
  /** Up to and including `/open`: `https://api.finan.one/open`, or the sandbox's `http://127.0.0.1:4010/finan/open`. */
  baseUrl: string;
  clientId: string;
  secretKey: string;
  /** Per attempt, response body included. */
  timeoutMs?: number;
  /** Unix seconds; injectable so tests can pin the signed timestamp. */
  nowSeconds?: () => number;
}

export interface FinanCallOptions {
  /** Cancels the call, e.g. a Temporal activity's `cancellationSignal()`. */
  signal?: AbortSignal;
}

export interface FinanResponse<T> {
  data: T;
  requestId: string;
  /** Finan's business code: 102000 or 102001. */
  code: number;
}

/** One signed call, in Finan's terms. */
export interface FinanCall<T> {
  method: HttpMethod;
  /** After `/open`, without the query: `/api/v1/payouts`. */
  path: string;
  query?: Record<string, string>;
  /** Serialized once with JSON.stringify; that exact string is signed and sent. */
  body?: unknown;
  /** Validates the envelope's `data`. */
  schema: z.ZodType<T>;
  /** The page documents 409 for this call: a `FinanConflictError`, not a transient fault. */
  conflictDocumented?: boolean;
  /**
   * Keeps only the list entries the caller needs, before they are validated: a long list (every payout the
   * merchant ever made) then costs a JSON parse, not a schema check of each entry. A `data` that is not a list is
   * left as it is, for the schema to refuse.
   */
  keep?: (entry: unknown) => boolean;
}

export class FinanClient {
  // ES private fields: the secret stays out of util.inspect, JSON.stringify and error objects.
  readonly #baseUrl: string;
  readonly #clientId: string;
  readonly #secretKey: string;
  readonly #timeoutMs: number;
  readonly #nowSeconds: () => number;

  constructor({ baseUrl, clientId, secretKey, timeoutMs = 15_000, nowSeconds = () => Date.now() / 1000 }: FinanClientOptions) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`Finan baseUrl must be an absolute URL such as https://api.finan.one/open, got ${JSON.stringify(baseUrl)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`Finan baseUrl must be http(s), got ${url.protocol}`);
    if (url.search || url.hash) throw new TypeError('Finan baseUrl must not have a query or fragment');
    if (!clientId) throw new TypeError('Finan clientId is required');
    if (!secretKey) throw new TypeError('Finan secretKey is required');
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`Finan timeoutMs must be positive, got ${timeoutMs}`);
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#clientId = clientId;
    this.#secretKey = secretKey;
    this.#timeoutMs = timeoutMs;
    this.#nowSeconds = nowSeconds;
  }

  /** `POST /api/v1/payouts`: the payout starts `waiting_confirm`; keep `data.id` for the OTP. */
  async createPayout(req: CreatePayoutRequest, options: FinanCallOptions = {}): Promise<FinanResponse<PayoutCreated>> {
    const body = validRequest(CreatePayoutRequest, req);
    return this.request({ method: 'POST', path: '/api/v1/payouts', body, schema: PayoutCreated }, options);
  }

  /** `GET /api/v1/payouts`: all payouts (the page documents no filter and no pagination). */
  async listPayouts(options: FinanCallOptions = {}): Promise<FinanResponse<Payout[]>> {
    return this.request({ method: 'GET', path: '/api/v1/payouts', schema: PayoutList }, options);
  }

  /** `GET /api/v1/payouts/:id` */
  async getPayout(id: string, options: FinanCallOptions = {}): Promise<FinanResponse<Payout>> {
    return this.request({ method: 'GET', path: payoutPath(id), schema: Payout }, options);
  }

  /**
   * `POST /api/v1/payouts/:id/otps`. Finan types `code` as an integer, while the bank's OTP is 6 digits that may
   * start with 0; so the string is checked as 6 digits here and sent as its number (`"012345"` → `{"code":12345}`).
   */
  async verifyPayoutOtp(id: string, code: string, options: FinanCallOptions = {}): Promise<FinanResponse<VerifyOtpResult>> {
    // The rule only: an OTP is a secret and never goes into an error message.
    if (!isOtpCode(code)) throw new FinanRequestValidationError('code', 'must be the 6-digit OTP');
    const body = validRequest(VerifyOtpRequest, { code: Number(code) });
    return this.request({ method: 'POST', path: `${payoutPath(id)}/otps`, body, schema: VerifyOtpResult }, options);
  }

  /**
   * Payouts carrying `reference_id`, for idempotent creation. Finan documents no filter, so this lists all payouts
   * and filters here.
   */
  async findPayoutsByReference(referenceId: string, options: FinanCallOptions = {}): Promise<FinanResponse<Payout[]>> {
    if (typeof referenceId !== 'string' || referenceId === '') throw new FinanRequestValidationError('reference_id', 'must not be empty');
    const keep = (p: unknown) => (p as { reference_id?: unknown } | null)?.reference_id === referenceId;
    const listed = await this.request({ method: 'GET', path: '/api/v1/payouts', schema: PayoutList, keep }, options);
    return { ...listed, data: listed.data.filter(keep) };
  }

  /**
   * `POST /api/v1/payments`: a payment request, with a VietQR and transfer remark (bank_transfer) or a payment URL
   * (card, ewallet_momo). The link is valid for 30 minutes.
   */
  async createPaymentRequest(req: CreatePaymentRequest, options: FinanCallOptions = {}): Promise<FinanResponse<PaymentRequestCreated>> {
    const body = validRequest(CreatePaymentRequest, req);
    return this.request({ method: 'POST', path: '/api/v1/payments', body, schema: PaymentRequestCreated }, options);
  }

  /**
   * `GET /api/v1/payments`, optionally filtered by reference (`?reference_type=invoice&reference_id=INV-001`: the
   * query is signed with the path). A filter that is given must not be empty: an empty one would list everything.
   */
  async listPaymentRequests(filter: PaymentRequestFilter = {}, options: FinanCallOptions = {}): Promise<FinanResponse<PaymentRequest[]>> {
    const query: Record<string, string> = {};
    // The page's order, so the signed path reads like its example.
    if (filter.referenceType !== undefined) query.reference_type = nonEmptyFilter('reference_type', filter.referenceType);
    if (filter.referenceId !== undefined) query.reference_id = nonEmptyFilter('reference_id', filter.referenceId);
    return this.request({ method: 'GET', path: '/api/v1/payments', query, schema: PaymentRequestList }, options);
  }

  /**
   * `GET /api/v1/payments` (unfiltered: the page has no time filter), keeping only the requests with a payment made at
   * or after `since` (ISO 8601). Only those are validated, so the cost past the transfer follows the recent payments,
   * not the merchant's whole history.
   */
  async listPaymentRequestsPaidSince(since: string, options: FinanCallOptions = {}): Promise<FinanResponse<PaymentRequest[]>> {
    const sinceMs = Date.parse(since);
    if (!Number.isFinite(sinceMs)) throw new FinanRequestValidationError('since', 'must be an ISO 8601 time');
    // An unreadable payment time is kept: the schema then judges the entry instead of it being skipped unseen.
    const paidSince = (payment: unknown) => !(Date.parse(String((payment as { created_at?: unknown } | null)?.created_at)) < sinceMs);
    const keep = (request: unknown) => {
      const payments = (request as { payments?: unknown } | null)?.payments;
      return !Array.isArray(payments) || payments.some(paidSince);
    };
    return this.request({ method: 'GET', path: '/api/v1/payments', schema: PaymentRequestList, keep }, options);
  }

  /** `GET /api/v1/payments/:payment_request_id`: status, paid_amount and payments[]. */
  async getPaymentRequest(id: string, options: FinanCallOptions = {}): Promise<FinanResponse<PaymentRequest>> {
    return this.request({ method: 'GET', path: resourcePath('/api/v1/payments', id, 'a payment request id'), schema: PaymentRequest }, options);
  }

  /** `POST /api/v1/customers`: 409 `FinanConflictError` when the `customer_code` is taken. */
  async createCustomer(req: CustomerRequest, options: FinanCallOptions = {}): Promise<FinanResponse<CustomerWritten>> {
    const body = validRequest(CustomerRequest, req);
    return this.request({ method: 'POST', path: CUSTOMERS, body, schema: CustomerWritten, conflictDocumented: true }, options);
  }

  /** `GET /api/v1/customers`: every customer, in short form (the page documents no filter and no pagination). */
  async listCustomers(options: FinanCallOptions = {}): Promise<FinanResponse<CustomerListItem[]>> {
    return this.request({ method: 'GET', path: CUSTOMERS, schema: CustomerList }, options);
  }

  /** The customers listed under `customer_code`: Finan keeps codes unique, so at most one, unless Finan errs. */
  async findCustomersByCode(customerCode: string, options: FinanCallOptions = {}): Promise<FinanResponse<CustomerListItem[]>> {
    if (typeof customerCode !== 'string' || customerCode === '') throw new FinanRequestValidationError('customer_code', 'must not be empty');
    const listed = await this.listCustomers(options);
    return { ...listed, data: listed.data.filter((c) => c.general_info.customer_code === customerCode) };
  }

  /** `GET /api/v1/customers/:customer_id` */
  async getCustomer(id: string, options: FinanCallOptions = {}): Promise<FinanResponse<FinanCustomer>> {
    return this.request({ method: 'GET', path: customerPath(id), schema: FinanCustomer }, options);
  }

  /** `PUT /api/v1/customers/:customer_id`: a full replacement; every optional field the record omits is cleared. */
  async replaceCustomer(id: string, req: CustomerRequest, options: FinanCallOptions = {}): Promise<FinanResponse<CustomerWritten>> {
    const path = customerPath(id);
    const body = validRequest(CustomerRequest, req);
    return this.request({ method: 'PUT', path, body, schema: CustomerWritten, conflictDocumented: true }, options);
  }

  /** `DELETE /api/v1/customers/:customer_id`: 409 `FinanConflictError` while the customer has an unpaid invoice. */
  async deleteCustomer(id: string, options: FinanCallOptions = {}): Promise<FinanResponse<unknown>> {
    return this.request({ method: 'DELETE', path: customerPath(id), schema: CustomerDeleted, conflictDocumented: true }, options);
  }

  /** The one signed exchange; protected so Finan's other API areas (payments, customers) reuse it as is. */
  protected async request<T>(call: FinanCall<T>, { signal }: FinanCallOptions = {}): Promise<FinanResponse<T>> {
    const query = call.query ? new URLSearchParams(call.query).toString() : '';
    // The signed path is the one sent, query included, character for character.
    const path = query ? `${call.path}?${query}` : call.path;
    const payload = call.body === undefined ? '' : JSON.stringify(call.body);
    const operation = `${call.method} ${call.path}`;
    const headers = finanAuthHeaders({
      clientId: this.#clientId,
      secretKey: this.#secretKey,
      method: call.method,
      path,
      payload,
      nowSeconds: this.#nowSeconds(),
    });

    let res: HttpResponse;
    try {
      res = await httpRequest({
        method: call.method,
        url: this.#baseUrl + path,
        headers,
        body: call.body === undefined ? undefined : payload,
        timeoutMs: this.#timeoutMs,
        signal,
      });
    } catch (err) {
      throw fromTransportError(err, operation);
    }
    return readResponse(res, call.schema, call.conflictDocumented ?? false, call.keep);
  }
}

const CUSTOMERS = '/api/v1/customers';

export interface PaymentRequestFilter {
  /** `reference_type`, e.g. `invoice`. */
  referenceType?: string;
  /** `reference_id`: the invoice id or our own reference. */
  referenceId?: string;
}

function payoutPath(id: string): string {
  return resourcePath('/api/v1/payouts', id, 'a payout id');
}

function customerPath(id: string): string {
  return resourcePath(CUSTOMERS, id, 'a customer id');
}

function resourcePath(collection: string, id: string, what: string): string {
  // '.' and '..' would survive encodeURIComponent and be resolved away by URL parsing, changing the path sent.
  if (typeof id !== 'string' || id === '' || id === '.' || id === '..') throw new FinanRequestValidationError('id', `must be ${what}`);
  return `${collection}/${encodeURIComponent(id)}`;
}

function nonEmptyFilter(field: string, value: string): string {
  if (typeof value !== 'string' || value === '') throw new FinanRequestValidationError(field, 'must not be empty when given');
  return value;
}

/** Parses a request with its schema, or names the first field at fault; nothing is sent then. */
function validRequest<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new FinanRequestValidationError('(request)', 'is invalid');
  if (issue.code === 'unrecognized_keys') throw new FinanRequestValidationError(issue.keys.join(', '), 'is not a field Finan knows');
  if (issue.path.length === 0) throw new FinanRequestValidationError('(request)', issue.message);
  throw new FinanRequestValidationError(issue.path.map(String).join('.'), issue.message);
}

function fromTransportError(err: unknown, operation: string): unknown {
  if (err instanceof TransportTimeoutError) return new FinanTimeoutError(operation, err.timeoutMs, err);
  if (err instanceof TransportAbortedError) return new FinanAbortedError(operation, err);
  if (err instanceof TransportNetworkError) return new FinanNetworkError(operation, err.code, err);
  return err;
}

function readResponse<T>(res: HttpResponse, schema: z.ZodType<T>, conflictDocumented: boolean, keep?: (entry: unknown) => boolean): FinanResponse<T> {
  const headerRequestId = res.headers['x-request-id'] || undefined;
  if (res.status < 200 || res.status >= 300) throw errorFromStatus(res, headerRequestId, conflictDocumented);

  const invalid = (reason: string, requestId = headerRequestId): FinanError =>
    new FinanInvalidResponseError({ httpStatus: res.status, requestId, reason });
  let json: unknown;
  try {
    json = JSON.parse(res.bodyText);
  } catch {
    throw invalid('body is not JSON');
  }
  const envelope = FinanEnvelope.safeParse(json);
  if (!envelope.success) throw invalid(`not Finan's envelope: ${describeIssues(envelope.error.issues, [])}`);
  const { code, message } = envelope.data;
  const requestId = envelope.data.request_id || headerRequestId;

  // Finan's business codes mirror HTTP classes (102xxx success, 104xxx error). An error code in a 2xx is Finan's
  // decision about this request, not a transport fault: retrying would get the same answer (or spend an OTP try).
  if (Math.floor(code / 1000) === Math.floor(FINAN_ERROR_CODE / 1000)) {
    throw new FinanUnprocessableError({ httpStatus: res.status, providerCode: code, requestId, providerMessage: message.error ?? message.content });
  }
  const raw: unknown = envelope.data.data;
  const data = schema.safeParse(keep && Array.isArray(raw) ? raw.filter(keep) : raw);
  if (!data.success) throw invalid(describeIssues(data.error.issues, ['data']), requestId);
  return { data: data.data, requestId: requestId ?? '', code };
}

function errorFromStatus(res: HttpResponse, headerRequestId: string | undefined, conflictDocumented: boolean): FinanError {
  let body: FinanErrorBody | undefined;
  try {
    const parsed = FinanErrorBody.safeParse(JSON.parse(res.bodyText));
    body = parsed.success ? parsed.data : undefined;
  } catch {
    body = undefined; // an HTML page from a proxy: the status alone tells the story
  }
  return finanErrorForStatus({
    httpStatus: res.status,
    providerCode: body?.code,
    requestId: body?.request_id || headerRequestId,
    providerMessage: body?.message?.error || body?.message?.content || undefined,
    retryAfterMs: parseRetryAfterMs(res.headers['retry-after']),
  }, conflictDocumented);
}

/** Paths and rules only: response values may hold beneficiaries' personal data and stay out of messages. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${[...prefix, ...i.path.map(String)].join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}
