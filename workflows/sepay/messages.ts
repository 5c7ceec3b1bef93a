/**
 * The SePay connection's messages: the one long-lived `sepay-credentials` flow holds the OAuth grant (encrypted in
 * history by the codec), refreshes it, and makes every SePay company call with it. Clients import these without
 * pulling in workflow code. Nothing here that a client reads ever holds a token.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PaymentCodeFormat } from '../../providers/sepay/rules';

export type { PaymentCodeFormat } from '../../providers/sepay/rules';

/** One SePay company per deployment: one connection, one workflow. */
export const SEPAY_CREDENTIALS_WORKFLOW_ID = 'sepay-credentials';
export const SEPAY_CREDENTIALS_KIND = 'sepay-credentials';

/**
 * - `not_connected`: nobody has consented yet (`GET /v1/sepay/authorize`, then the browser);
 * - `connected`: a grant is held and refreshed as needed;
 * - `consent_needed`: the grant was lost (refresh token expired, revoked or refused): a person must consent again.
 */
export type SepayConnectionStatus = 'not_connected' | 'connected' | 'consent_needed';

/** The grant as held inside the workflow; it leaves the workflow only as an activity argument. */
export interface SepayGrant {
  accessToken: string;
  /** Epoch ms. */
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt: number;
  scopes: string[];
}

/** What an exchange or a refresh answers (activity result). */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scopes: string[];
}

export interface PendingConsent {
  /** sha256 (hex) of the `state` sent to SePay: the state itself is never stored. */
  stateHash: string;
  expiresAt: number;
}

export interface SepayCompanyConfigurations {
  bankSubAccount: boolean;
  paycode: boolean;
  dataStorageTime: string;
  paymentCodeFormats: PaymentCodeFormat[];
}

export interface SepayCompany {
  id: number;
  fullName: string;
  shortName: string;
  role: string;
  status: string;
  subscription: string;
  beginDate: string;
  endDate: string;
  configurations: SepayCompanyConfigurations;
}

/** Everything the flow carries across continue-as-new. */
export interface SepayCredentialsState {
  status: SepayConnectionStatus;
  /** Why consent is needed again, in words. */
  consentNeededReason: string | null;
  grant: SepayGrant | null;
  pendingConsents: PendingConsent[];
  connectedAt: number | null;
  lastRefreshedAt: number | null;
  refreshes: number;
  /** The company's payment-code formats as last read or written, for the payment-code finder. */
  formats: { formats: PaymentCodeFormat[]; readAt: number } | null;
}

export interface SepayCredentialsInput {
  /** An access token this close to expiry is refreshed before use. Default 5 minutes. */
  refreshAheadMs?: number;
  /** How long a refresh token lives (SePay: 1 month). */
  refreshTokenLifetimeMs?: number;
  /** A grant unused this close to its refresh token's expiry is refreshed to keep the consent alive. Default 3 days. */
  keepAliveAheadMs?: number;
  /** How long a `state` waits for its callback. Default 10 minutes. */
  consentTimeoutMs?: number;
  /** History length after which the flow continues as new. */
  maxHistoryEvents?: number;
  carried?: SepayCredentialsState;
}

export const SEPAY_CREDENTIALS_DEFAULTS = {
  refreshAheadMs: 5 * 60_000,
  refreshTokenLifetimeMs: 30 * 24 * 3600_000,
  keepAliveAheadMs: 3 * 24 * 3600_000,
  consentTimeoutMs: 10 * 60_000,
  maxHistoryEvents: 2_000,
} as const;

/** `GET /v1/sepay/connection`: the connection's state, never a token. */
export interface SepayConnectionView {
  status: SepayConnectionStatus;
  connected: boolean;
  scopes: string[];
  accessTokenExpiresAt: string | null;
  refreshTokenExpiresAt: string | null;
  connectedAt: string | null;
  lastRefreshedAt: string | null;
  refreshes: number;
  consentNeededReason: string | null;
  /** A consent was started (`authorize`) and its callback has not come back yet. */
  consentPending: boolean;
}

export const beginConsentUpdate = defineUpdate<{ expiresAt: string }, [{ stateHash: string }]>('beginConsent');
export const completeConsentUpdate = defineUpdate<SepayConnectionView, [{ stateHash: string; code: string }]>('completeConsent');
export const getCompanyUpdate = defineUpdate<SepayCompany, []>('getCompany');
export const updatePaymentCodeFormatsUpdate = defineUpdate<SepayCompanyConfigurations, [{ paymentCodeFormats: PaymentCodeFormat[] }]>('updatePaymentCodeFormats');
/** The company's formats, read from SePay when the last read is older than `maxAgeMs`. */
export const paymentCodeFormatsUpdate = defineUpdate<PaymentCodeFormat[], [{ maxAgeMs: number }]>('paymentCodeFormats');
export const sepayConnectionQuery = defineQuery<SepayConnectionView>('status');
/** The formats last read or written and when (epoch ms), or null: read without writing history, for the finder. */
export const cachedPaymentCodeFormatsQuery = defineQuery<{ formats: PaymentCodeFormat[]; readAt: number } | null>('cachedPaymentCodeFormats');

export function connectionView(state: SepayCredentialsState, now: number): SepayConnectionView {
  const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
  return {
    status: state.status,
    connected: state.status === 'connected',
    scopes: state.grant?.scopes ?? [],
    accessTokenExpiresAt: iso(state.grant?.accessTokenExpiresAt),
    refreshTokenExpiresAt: iso(state.grant?.refreshTokenExpiresAt),
    connectedAt: iso(state.connectedAt),
    lastRefreshedAt: iso(state.lastRefreshedAt),
    refreshes: state.refreshes,
    consentNeededReason: state.consentNeededReason,
    consentPending: state.pendingConsents.some((p) => p.expiresAt > now),
  };
}

export function initialSepayCredentialsState(): SepayCredentialsState {
  return { status: 'not_connected', consentNeededReason: null, grant: null, pendingConsents: [], connectedAt: null, lastRefreshedAt: null, refreshes: 0, formats: null };
}
