/**
 * Typed client of SePay's OAuth2 token endpoint and company API over the one transport. Token calls are
 * form-encoded with our client credentials; API calls carry `Authorization: Bearer <access token>`. Answers are
 * checked against the page's shapes; failures become `SepayError`s that never hold a token, a code or the secret.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { httpRequest, parseRetryAfterMs, TransportAbortedError, TransportNetworkError, TransportTimeoutError } from '../http';
import type { HttpMethod, HttpResponse } from '../http';
import {
  SepayAbortedError,
  SepayBadRequestError,
  SepayForbiddenError,
  SepayInvalidClientError,
  SepayInvalidGrantError,
  SepayInvalidResponseError,
  SepayNetworkError,
  SepayRateLimitedError,
  SepayRejectedError,
  SepayRequestValidationError,
  SepayServerError,
  SepayTimeoutError,
  SepayUnauthorizedError,
} from './errors';
import type { SepayError } from './errors';
import type { PaymentCodeFormat } from './rules';
import { paymentCodeFormatProblems } from './rules';
import { CompanyEnvelope, ConfigurationsEnvelope, SepayErrorBody, TokenErrorBody, TokenResponse } from './schemas';
import type { Company, CompanyConfigurations, PaymentCodeFormatUpdate } from './schemas';

export interface SepayClientOptions {
  /** `https://my.sepay.vn`, or the sandbox's `http://127.0.0.1:4010/sepay`. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Registered with SePay; the consent page sends the browser back there with `code` and `state`. */
  redirectUri: string;
  timeoutMs?: number;
  /**
   * This process's calls are spaced evenly at this rate, without bursts (SePay allows 3 per second). The task queue's
   * server-side limit caps all workers together, but lets a few calls through at once: SePay, counting 3 per second,
   * would refuse the one that arrives a few milliseconds early. Undefined: no spacing.
   */
  maxRequestsPerSecond?: number;
}

export interface SepayCallOptions {
  signal?: AbortSignal;
}

/** The tokens of a grant, in our words; `expiresIn` in seconds as SePay says it. */
export interface SepayTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scopes: string[];
}

export class SepayClient {
  readonly #baseUrl: string;
  readonly #clientId: string;
  readonly #clientSecret: string;
  readonly #redirectUri: string;
  readonly #timeoutMs: number;
  readonly #spacingMs: number;
  /** When the next call may leave (epoch ms): each call reserves its slot before waiting for it. */
  #nextSlotAt = 0;

  constructor({ baseUrl, clientId, clientSecret, redirectUri, timeoutMs = 15_000, maxRequestsPerSecond }: SepayClientOptions) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new TypeError(`SePay baseUrl must be an absolute URL such as https://my.sepay.vn, got ${JSON.stringify(baseUrl)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`SePay baseUrl must be http(s), got ${url.protocol}`);
    if (!clientId) throw new TypeError('SePay clientId is required');
    if (!clientSecret) throw new TypeError('SePay clientSecret is required');
    if (!redirectUri) throw new TypeError('SePay redirectUri is required');
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#clientId = clientId;
    this.#clientSecret = clientSecret;
    this.#redirectUri = redirectUri;
    this.#timeoutMs = timeoutMs;
    if (maxRequestsPerSecond !== undefined && !(maxRequestsPerSecond > 0)) throw new RangeError(`SePay maxRequestsPerSecond must be positive, got ${maxRequestsPerSecond}`);
    this.#spacingMs = maxRequestsPerSecond === undefined ? 0 : 1000 / maxRequestsPerSecond;
  }

  /** The consent page's URL: `GET /oauth/authorize?response_type=code&client_id&redirect_uri&scope&state`. */
  authorizeUrl(state: string, scopes: readonly string[]): string {
    const query = new URLSearchParams({ response_type: 'code', client_id: this.#clientId, redirect_uri: this.#redirectUri, scope: scopes.join(' '), state });
    return `${this.#baseUrl}/oauth/authorize?${query.toString()}`;
  }

  /** Exchanges the one-time authorization code (valid 5 minutes, single use). */
  async exchangeCode(code: string, options: SepayCallOptions = {}): Promise<SepayTokens> {
    if (!code) throw new SepayRequestValidationError('code', 'must not be empty');
    return this.token({ grant_type: 'authorization_code', code, redirect_uri: this.#redirectUri }, options);
  }

  /** A new access token **and a new refresh token**: SePay rotates it, the one sent stops working. */
  async refresh(refreshToken: string, options: SepayCallOptions = {}): Promise<SepayTokens> {
    if (!refreshToken) throw new SepayRequestValidationError('refresh_token', 'must not be empty');
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, options);
  }

  /** `GET /api/v1/company`: the company and its configurations (scope `company`, role Admin or SuperAdmin). */
  async getCompany(accessToken: string, options: SepayCallOptions = {}): Promise<Company> {
    const response = await this.api('GET', '/api/v1/company', accessToken, undefined, options);
    return parsed(response, CompanyEnvelope).data;
  }

  /**
   * `PATCH /api/v1/company/configurations` with `payment_code_formats`, checked against the page's constraints first.
   * SePay's `HTTP 200` with `data.status: false` is a refusal (`SepayRejectedError`), not a success.
   */
  async updatePaymentCodeFormats(accessToken: string, formats: readonly PaymentCodeFormat[], options: SepayCallOptions = {}): Promise<CompanyConfigurations> {
    const problem = paymentCodeFormatProblems(formats)[0];
    if (problem) throw new SepayRequestValidationError(problem.field, problem.rule);
    const body: { payment_code_formats: PaymentCodeFormatUpdate[] } = {
      payment_code_formats: formats.map((f) => ({
        prefix: f.prefix,
        suffix_from: f.suffixFrom,
        suffix_to: f.suffixTo,
        character_type: f.characterType,
        is_active: f.isActive ? 1 : 0,
      })),
    };
    const response = await this.api('PATCH', '/api/v1/company/configurations', accessToken, JSON.stringify(body), options);
    const answer = parsed(response, ConfigurationsEnvelope).data;
    if (!answer.status) throw new SepayRejectedError({ httpStatus: response.status, requestId: requestIdOf(response), providerMessage: answer.message });
    return answer.data;
  }

  private async token(form: Record<string, string>, options: SepayCallOptions): Promise<SepayTokens> {
    const body = new URLSearchParams({ ...form, client_id: this.#clientId, client_secret: this.#clientSecret }).toString();
    const response = await this.send('POST', '/oauth/token', { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, options);
    if (response.status === 400 || response.status === 401) {
      const error = TokenErrorBody.safeParse(jsonOf(response.bodyText));
      const details = {
        httpStatus: response.status,
        requestId: requestIdOf(response),
        providerCode: error.success ? error.data.error : undefined,
        providerMessage: error.success ? (error.data.error_description ?? error.data.error) : undefined,
      };
      if (details.providerCode === 'invalid_grant') throw new SepayInvalidGrantError(details);
      if (details.providerCode === 'invalid_client' || response.status === 401) throw new SepayInvalidClientError(details);
      throw new SepayBadRequestError(details);
    }
    if (response.status < 200 || response.status >= 300) throw errorForStatus(response);
    const tokens = parsed(response, TokenResponse);
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresInSeconds: tokens.expires_in,
      scopes: tokens.scope ? tokens.scope.split(' ').filter(Boolean) : [],
    };
  }

  private async api(method: HttpMethod, path: string, accessToken: string, body: string | undefined, options: SepayCallOptions): Promise<HttpResponse> {
    if (!accessToken) throw new SepayRequestValidationError('access_token', 'must not be empty');
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.send(method, path, headers, body, options);
    if (response.status >= 200 && response.status < 300) return response;
    throw errorForStatus(response);
  }

  /** Sends through the one transport; its failures become SePay's. */
  private async send(method: HttpMethod, path: string, headers: Record<string, string>, body: string | undefined, options: SepayCallOptions): Promise<HttpResponse> {
    const url = `${this.#baseUrl}${path}`;
    await this.paced(method, url, options.signal);
    let response: HttpResponse;
    try {
      response = await httpRequest({ method, url, headers, body, timeoutMs: this.#timeoutMs, signal: options.signal });
    } catch (err) {
      throw transportError(err);
    }
    return response;
  }

  private async paced(method: HttpMethod, url: string, signal: AbortSignal | undefined): Promise<void> {
    if (this.#spacingMs === 0) return;
    const now = Date.now();
    const slot = Math.max(now, this.#nextSlotAt);
    this.#nextSlotAt = slot + this.#spacingMs;
    if (slot <= now) return;
    try {
      await delay(slot - now, undefined, { signal });
    } catch {
      throw new SepayAbortedError(`${method} ${url} was cancelled by the caller`);
    }
  }
}

function transportError(err: unknown): unknown {
  if (err instanceof TransportTimeoutError) return new SepayTimeoutError(err.message);
  if (err instanceof TransportAbortedError) return new SepayAbortedError(err.message);
  if (err instanceof TransportNetworkError) return new SepayNetworkError(err.message, err);
  return err;
}

function requestIdOf(response: HttpResponse): string | undefined {
  return response.headers['x-request-id'] || undefined;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error a non-2xx answer means; 400 from the token endpoint is read by `token()` first. */
export function errorForStatus(response: HttpResponse): SepayError {
  const body = SepayErrorBody.safeParse(jsonOf(response.bodyText));
  const details = { httpStatus: response.status, requestId: requestIdOf(response), providerMessage: body.success ? body.data.message : undefined };
  switch (response.status) {
    case 400:
      return new SepayBadRequestError(details);
    case 401:
      return new SepayUnauthorizedError(details);
    case 403:
      return new SepayForbiddenError(details);
    case 429:
      return new SepayRateLimitedError(details, parseRetryAfterMs(response.headers['retry-after']));
    default:
      return new SepayServerError(details);
  }
}

function parsed<T>(response: HttpResponse, schema: z.ZodType<T>): T {
  const result = schema.safeParse(jsonOf(response.bodyText));
  if (!result.success) {
    throw new SepayInvalidResponseError({ httpStatus: response.status, requestId: requestIdOf(response), reason: result.error.issues[0]?.message ?? 'not the documented shape' });
  }
  return result.data;
}
