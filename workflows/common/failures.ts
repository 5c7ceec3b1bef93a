/**
 * The one failure taxonomy. Activities raise provider errors as `ApplicationFailure`s of these types (with a
 * `FailureInfo` as first detail); workflows choose their retry policies from the lists below; the gateway reads the
 * same `FailureInfo` back. Each provider gets the same kinds under its own prefix (`FinanValidation`, ...).
 * Plain data: imported by workflows, activities and clients alike.
 */

/** What went wrong with a provider call, whatever the provider. */
export const PROVIDER_FAILURE_KINDS = {
  /** We sent something the provider refuses (400, or refused locally before sending). */
  Validation: { retryable: false },
  /** 401: our credentials or signature; fixed by an operator, never by a retry of the same call. */
  Unauthorized: { retryable: false },
  /** 403: e.g. our IP is not whitelisted. */
  Forbidden: { retryable: false },
  NotFound: { retryable: false },
  /** 422: the provider's own decision (insufficient balance, wrong OTP, no tries left). */
  Unprocessable: { retryable: false },
  /** 409 where the provider documents it: the resource's state refuses the request (a taken code, an unpaid invoice). */
  Conflict: { retryable: false },
  /** 429, honouring `Retry-After`. */
  RateLimited: { retryable: true },
  /** 5xx and statuses the provider does not document. */
  Unavailable: { retryable: true },
  /** Connection refused, reset or timed out. */
  Network: { retryable: true },
  /** A 2xx whose body is not the documented shape (a proxy's page, a truncated answer). */
  InvalidResponse: { retryable: true },
} as const;

export type ProviderFailureKind = keyof typeof PROVIDER_FAILURE_KINDS;

const finan = <K extends ProviderFailureKind>(kind: K) => `Finan${kind}` as const;

/** Finan's failure types: the taxonomy's kinds, plus the two facts only Finan's flows raise. */
export const FinanFailureType = {
  Validation: finan('Validation'),
  Unauthorized: finan('Unauthorized'),
  Forbidden: finan('Forbidden'),
  NotFound: finan('NotFound'),
  Unprocessable: finan('Unprocessable'),
  Conflict: finan('Conflict'),
  RateLimited: finan('RateLimited'),
  Unavailable: finan('Unavailable'),
  Network: finan('Network'),
  InvalidResponse: finan('InvalidResponse'),
  /** Finan's VietQR did not pass our check (CRC, account, amount): never handed to a payer. */
  InvalidQr: 'FinanInvalidQr',
  /** Benign: a polled payout is still being settled by the bank. */
  PayoutStillProcessing: 'PayoutStillProcessing',
} as const;

const finanTypes = (kinds: readonly ProviderFailureKind[]): string[] => kinds.map((kind) => finan(kind));

/** The one non-retryable list: provider failures no retry can fix; a step that makes or changes something ends on them. */
export const NON_RETRYABLE_FINAN_FAILURES: string[] = finanTypes(
  (Object.keys(PROVIDER_FAILURE_KINDS) as ProviderFailureKind[]).filter((kind) => !PROVIDER_FAILURE_KINDS[kind].retryable),
);

/**
 * The provider refused the request itself (malformed, an unknown account or payout, its own decision): final, the
 * reference is spent. Anything else (no answer in time, 5xx, nonsense, 401/403 refusing *us*) leaves it usable.
 */
export const FINAN_REQUEST_REFUSALS: string[] = finanTypes(['Validation', 'NotFound', 'Unprocessable']);

/**
 * What stops a read: only a request the provider calls malformed, or a thing it does not know. A 401/403 (our
 * credentials, the IP whitelist) is a configuration problem an operator fixes, so reads retry through it.
 */
export const FINAN_READ_REFUSALS: string[] = finanTypes(['Validation', 'NotFound']);

/** How a flow whose creation failed with this failure type ends: `rejected` (reference spent) or `unavailable`. */
export function creationFailureStatus(failureType: string): 'rejected' | 'unavailable' {
  return FINAN_REQUEST_REFUSALS.includes(failureType) ? 'rejected' : 'unavailable';
}

/** Why a step failed, for the caller and the operator: provider status, code and request id when the provider answered. */
export interface FailureInfo {
  /** Stable failure type, e.g. `FinanValidation`, `FinanForbidden`, `OtpAttemptsExhausted`. */
  type: string;
  message: string;
  httpStatus?: number;
  /** The provider's own code: Finan's a number (104000), Tingee's a string ("97"). */
  providerCode?: number | string;
  requestId?: string;
}

const tingee = <K extends ProviderFailureKind>(kind: K) => `Tingee${kind}` as const;

/** Tingee's failure types: the taxonomy's kinds, plus code 91 (request expired), retried with a fresh timestamp. */
export const TingeeFailureType = {
  Validation: tingee('Validation'),
  /** Codes 90 (timestamp format) and 97 (signature): our configuration; an operator fixes it, a retry never does. */
  Unauthorized: tingee('Unauthorized'),
  Forbidden: tingee('Forbidden'),
  NotFound: tingee('NotFound'),
  /** Any other code: Tingee's decision about the request (a duplicate, an unknown account). */
  Unprocessable: tingee('Unprocessable'),
  RateLimited: tingee('RateLimited'),
  Unavailable: tingee('Unavailable'),
  Network: tingee('Network'),
  InvalidResponse: tingee('InvalidResponse'),
  RequestExpired: 'TingeeRequestExpired',
} as const;

/** Tingee failures no retry can fix. */
export const NON_RETRYABLE_TINGEE_FAILURES: string[] = (Object.keys(PROVIDER_FAILURE_KINDS) as ProviderFailureKind[])
  .filter((kind) => !PROVIDER_FAILURE_KINDS[kind].retryable)
  .map((kind) => tingee(kind));
const sepay = <K extends ProviderFailureKind>(kind: K) => `Sepay${kind}` as const;

/** SePay's failure types: the taxonomy's kinds, plus the two facts only the OAuth grant raises. */
export const SepayFailureType = {
  Validation: sepay('Validation'),
  Unauthorized: sepay('Unauthorized'),
  Forbidden: sepay('Forbidden'),
  NotFound: sepay('NotFound'),
  /** `HTTP 200` with `data.status: false`: SePay refused the change, nothing was applied. */
  Unprocessable: sepay('Unprocessable'),
  RateLimited: sepay('RateLimited'),
  Unavailable: sepay('Unavailable'),
  Network: sepay('Network'),
  InvalidResponse: sepay('InvalidResponse'),
  /** The code or refresh token was refused (`invalid_grant`): a person must consent again. */
  ConsentNeeded: 'SepayConsentNeeded',
  /** SePay refused our client id or secret: a configuration problem. */
  InvalidClient: 'SepayInvalidClient',
  /** No consent yet, or it was lost: `npx dongflow sepay authorize`. */
  NotConnected: 'SepayNotConnected',
} as const;

/** SePay failures no retry can fix. */
export const NON_RETRYABLE_SEPAY_FAILURES: string[] = [
  ...(Object.keys(PROVIDER_FAILURE_KINDS) as ProviderFailureKind[]).filter((kind) => !PROVIDER_FAILURE_KINDS[kind].retryable).map((kind) => sepay(kind)),
  SepayFailureType.ConsentNeeded,
  SepayFailureType.InvalidClient,
  SepayFailureType.NotConnected,
];
