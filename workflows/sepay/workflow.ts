/**
 * `sepay-credentials`: the one long-lived holder of SePay's OAuth grant. It checks each consent's `state` once,
 * exchanges the code once, refreshes the access token ahead of expiry and on a 401, keeps the refresh token alive
 * before its month runs out, and makes every company call with the token it holds, so tokens never leave Temporal
 * except as (encrypted) activity arguments. A refresh rotates the refresh token: the new pair is recorded by
 * Temporal with the activity's completion, in the same step that retires the old one from the flow's state; one
 * refresh runs at a time. See the README's "SePay" section for what a crash in the middle of a refresh can cost.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RetryPolicy } from '@temporalio/common';
import type { SepayCompanyActivities } from '../../activities/sepay/company';
import type { SepayOAuthActivities } from '../../activities/sepay/oauth';
import { paymentCodeFormatProblems } from '../../providers/sepay/rules';
import { NON_RETRYABLE_SEPAY_FAILURES, SepayFailureType } from '../common/failures';
import { shouldContinueAsNew } from '../common/history';
import { searchAttributes } from '../common/search-attributes';
import { SEPAY_TASK_QUEUE } from '../common/task-queues';
import type { IssuedTokens, SepayConnectionStatus, SepayCredentialsInput, SepayGrant } from './messages';
import {
  beginConsentUpdate,
  cachedPaymentCodeFormatsQuery,
  completeConsentUpdate,
  connectionView,
  getCompanyUpdate,
  initialSepayCredentialsState,
  paymentCodeFormatsUpdate,
  SEPAY_CREDENTIALS_DEFAULTS,
  sepayConnectionQuery,
  updatePaymentCodeFormatsUpdate,
} from './messages';

const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: NON_RETRYABLE_SEPAY_FAILURES };

/** The code lives 5 minutes: no point trying longer. */
const exchange = proxyActivities<SepayOAuthActivities>({ taskQueue: SEPAY_TASK_QUEUE, startToCloseTimeout: '20 seconds', scheduleToCloseTimeout: '5 minutes', retry });
/** A refresh is retried through SePay outages for as long as a caller may reasonably wait; the keep-alive tries again later. */
const tokens = proxyActivities<SepayOAuthActivities>({ taskQueue: SEPAY_TASK_QUEUE, startToCloseTimeout: '20 seconds', scheduleToCloseTimeout: '2 minutes', retry });
const company = proxyActivities<SepayCompanyActivities>({ taskQueue: SEPAY_TASK_QUEUE, startToCloseTimeout: '20 seconds', scheduleToCloseTimeout: '2 minutes', retry });

/** After a keep-alive refresh failed for a reason other than a lost consent, try again this much later. */
const KEEP_ALIVE_RETRY_MS = 3600_000;
const MAX_PENDING_CONSENTS = 20;

function failureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined;
}

/** An activity's failure as the update's answer: its type, message and details (status, code, request id), no token. */
function asUpdateFailure(err: unknown): unknown {
  if (!(err instanceof ActivityFailure)) return err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ type: cause.type ?? 'Error', message: cause.message, details: cause.details ? [...cause.details] : undefined, nonRetryable: true });
  }
  return ApplicationFailure.create({ type: SepayFailureType.Unavailable, message: `SePay did not answer in time (${cause?.message ?? err.message})`, nonRetryable: true });
}

export async function sepayCredentialsWorkflow(input: SepayCredentialsInput = {}): Promise<void> {
  const refreshAheadMs = input.refreshAheadMs ?? SEPAY_CREDENTIALS_DEFAULTS.refreshAheadMs;
  const refreshTokenLifetimeMs = input.refreshTokenLifetimeMs ?? SEPAY_CREDENTIALS_DEFAULTS.refreshTokenLifetimeMs;
  const keepAliveAheadMs = input.keepAliveAheadMs ?? SEPAY_CREDENTIALS_DEFAULTS.keepAliveAheadMs;
  const consentTimeoutMs = input.consentTimeoutMs ?? SEPAY_CREDENTIALS_DEFAULTS.consentTimeoutMs;
  const maxHistoryEvents = input.maxHistoryEvents ?? SEPAY_CREDENTIALS_DEFAULTS.maxHistoryEvents;
  const state = input.carried ?? initialSepayCredentialsState();
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;
  let refreshing = false;
  /** Bumped whenever the grant changes, so the keep-alive timer is recomputed. */
  let grantVersion = 0;
  let keepAliveRetryAt = 0;

  function setStatus(status: SepayConnectionStatus, reason: string | null = null): void {
    state.status = status;
    state.consentNeededReason = reason;
    grantVersion += 1;
    if (searchable) upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
  }

  function grantFrom(issued: IssuedTokens, previousScopes: string[]): SepayGrant {
    const now = Date.now();
    return {
      accessToken: issued.accessToken,
      accessTokenExpiresAt: now + issued.expiresInSeconds * 1000,
      refreshToken: issued.refreshToken,
      refreshTokenExpiresAt: now + refreshTokenLifetimeMs,
      scopes: issued.scopes.length > 0 ? issued.scopes : previousScopes,
    };
  }

  /** The grant is gone: only a person can give it back. Tokens are dropped from the state. */
  function loseConsent(reason: string): void {
    state.grant = null;
    setStatus('consent_needed', reason);
  }

  function notConnected(): ApplicationFailure {
    const why = state.status === 'consent_needed' ? `SePay needs consent again: ${state.consentNeededReason}` : 'SePay is not connected';
    return ApplicationFailure.create({ type: SepayFailureType.NotConnected, message: `${why}; run \`npx dongflow sepay authorize\` and open the URL`, nonRetryable: true });
  }

  /**
   * Refreshes when the access token is near expiry, or when `refused` (the token SePay answered 401 to) is still
   * the current one. One refresh at a time: a caller arriving during one waits for its outcome.
   */
  async function ensureFresh(refused?: string): Promise<void> {
    await condition(() => !refreshing);
    const grant = state.grant;
    if (!grant || state.status !== 'connected') throw notConnected();
    const stale = refused !== undefined ? grant.accessToken === refused : Date.now() >= grant.accessTokenExpiresAt - refreshAheadMs;
    if (!stale) return;
    refreshing = true;
    try {
      const issued = await tokens.refreshSepayToken({ refreshToken: grant.refreshToken });
      // A consent completed during the refresh wins: its grant is newer than the one refreshed.
      if (state.grant === grant) {
        // One step: the rotated refresh token replaces the old one as the activity's result is applied.
        state.grant = grantFrom(issued, grant.scopes);
        state.lastRefreshedAt = Date.now();
        state.refreshes += 1;
        grantVersion += 1;
      }
    } catch (err) {
      if (failureType(err) === SepayFailureType.ConsentNeeded && state.grant === grant) {
        loseConsent('SePay refused the refresh token (expired, revoked, or already used by an interrupted refresh)');
      }
      throw asUpdateFailure(err);
    } finally {
      refreshing = false;
    }
  }

  /** A company call with the current token; on a 401, one refresh and one more try. */
  async function withAccessToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    await ensureFresh();
    const token = state.grant!.accessToken;
    try {
      return await call(token);
    } catch (err) {
      if (failureType(err) !== SepayFailureType.Unauthorized) throw asUpdateFailure(err);
    }
    await ensureFresh(token);
    try {
      return await call(state.grant!.accessToken);
    } catch (err) {
      throw asUpdateFailure(err);
    }
  }

  const pending = (stateHash: string) => state.pendingConsents.some((p) => p.stateHash === stateHash && p.expiresAt > Date.now());

  setHandler(sepayConnectionQuery, () => connectionView(state, Date.now()));
  setHandler(cachedPaymentCodeFormatsQuery, () => (state.status === 'connected' ? state.formats : null));

  setHandler(
    beginConsentUpdate,
    ({ stateHash }) => {
      const now = Date.now();
      const expiresAt = now + consentTimeoutMs;
      state.pendingConsents = [...state.pendingConsents.filter((p) => p.expiresAt > now), { stateHash, expiresAt }].slice(-MAX_PENDING_CONSENTS);
      return { expiresAt: new Date(expiresAt).toISOString() };
    },
    {
      validator: ({ stateHash }) => {
        if (!/^[0-9a-f]{64}$/.test(stateHash)) throw ApplicationFailure.create({ type: SepayFailureType.Validation, message: 'stateHash must be a sha256 hex digest', nonRetryable: true });
      },
    },
  );

  setHandler(
    completeConsentUpdate,
    async ({ stateHash, code }) => {
      // Checked again: two callbacks with one state may both pass the validator; only the first takes it.
      if (!pending(stateHash)) throw invalidState();
      state.pendingConsents = state.pendingConsents.filter((p) => p.stateHash !== stateHash);
      let issued: IssuedTokens;
      try {
        issued = await exchange.exchangeSepayCode({ code });
      } catch (err) {
        throw asUpdateFailure(err);
      }
      state.grant = grantFrom(issued, []);
      state.connectedAt = Date.now();
      state.formats = null;
      setStatus('connected');
      return connectionView(state, Date.now());
    },
    {
      validator: ({ stateHash, code }) => {
        if (!pending(stateHash)) throw invalidState();
        if (typeof code !== 'string' || code === '') throw ApplicationFailure.create({ type: SepayFailureType.Validation, message: 'code is required', nonRetryable: true });
      },
    },
  );

  setHandler(getCompanyUpdate, async () => {
    const answer = await withAccessToken((accessToken) => company.getSepayCompany({ accessToken }));
    state.formats = { formats: answer.configurations.paymentCodeFormats, readAt: Date.now() };
    return answer;
  });

  setHandler(
    updatePaymentCodeFormatsUpdate,
    async ({ paymentCodeFormats }) => {
      const answer = await withAccessToken((accessToken) => company.updateSepayPaymentCodeFormats({ accessToken, formats: paymentCodeFormats }));
      state.formats = { formats: answer.paymentCodeFormats, readAt: Date.now() };
      return answer;
    },
    {
      // The page's constraints, before anything is recorded or sent (the gateway checks them first too).
      validator: ({ paymentCodeFormats }) => {
        const problems = Array.isArray(paymentCodeFormats) ? paymentCodeFormatProblems(paymentCodeFormats) : [{ field: 'paymentCodeFormats', rule: 'must be an array' }];
        if (problems.length > 0) {
          throw ApplicationFailure.create({ type: SepayFailureType.Validation, message: problems.map((p) => `${p.field} ${p.rule}`).join('; '), details: [problems], nonRetryable: true });
        }
      },
    },
  );

  setHandler(paymentCodeFormatsUpdate, async ({ maxAgeMs }) => {
    if (state.formats && Date.now() - state.formats.readAt <= maxAgeMs) return state.formats.formats;
    const answer = await withAccessToken((accessToken) => company.getSepayCompany({ accessToken }));
    state.formats = { formats: answer.configurations.paymentCodeFormats, readAt: Date.now() };
    return state.formats.formats;
  });

  const historyTooLong = () => shouldContinueAsNew(workflowInfo(), maxHistoryEvents);

  for (;;) {
    const seen = grantVersion;
    const grant = state.status === 'connected' ? state.grant : null;
    const keepAliveAt = grant ? Math.max(grant.refreshTokenExpiresAt - keepAliveAheadMs, keepAliveRetryAt) : null;
    const wakeAt = grant ? Math.min(keepAliveAt!, grant.refreshTokenExpiresAt) : null;
    const timeout = wakeAt === null ? undefined : Math.max(wakeAt - Date.now(), 1);
    const woken = () => grantVersion !== seen || historyTooLong();
    if (timeout === undefined) await condition(woken);
    else await condition(woken, timeout);

    if (historyTooLong()) {
      await condition(() => allHandlersFinished() && !refreshing);
      return continueAsNew<typeof sepayCredentialsWorkflow>({ ...input, carried: state });
    }
    const current = state.status === 'connected' ? state.grant : null;
    if (refreshing) await condition(() => !refreshing);
    if (!current || grantVersion !== seen) continue;
    if (Date.now() >= current.refreshTokenExpiresAt) {
      loseConsent('the refresh token expired (SePay keeps a consent for one month without a refresh)');
    } else if (Date.now() >= current.refreshTokenExpiresAt - keepAliveAheadMs && Date.now() >= keepAliveRetryAt) {
      // Keep the consent alive: a refresh gives a new refresh token with a new month.
      try {
        await ensureFresh(current.accessToken);
      } catch {
        keepAliveRetryAt = Date.now() + KEEP_ALIVE_RETRY_MS;
      }
    }
  }
}

function invalidState(): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'SepayInvalidState',
    message: 'state is unknown, already used or expired: start again with GET /v1/sepay/authorize',
    nonRetryable: true,
  });
}
