/**
 * The typed SePay API for backends (and the gateway): start a consent, finish it from SePay's redirect, read the
 * connection, read and change the company's payment-code formats, find a payment code in a transfer's text.
 * Everything goes through the one `sepay-credentials` flow, which holds the tokens: none ever comes back here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowNotFoundError } from '@temporalio/common';
import { findPaymentCode, paymentCodeFormatProblems } from '../providers/sepay/rules';
import type { PaymentCodeFormat } from '../providers/sepay/rules';
import { SepayFailureType } from '../workflows/common/failures';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { SepayCompany, SepayCompanyConfigurations, SepayConnectionView, SepayCredentialsInput } from '../workflows/sepay/messages';
import {
  beginConsentUpdate,
  cachedPaymentCodeFormatsQuery,
  completeConsentUpdate,
  connectionView,
  getCompanyUpdate,
  initialSepayCredentialsState,
  paymentCodeFormatsUpdate,
  SEPAY_CREDENTIALS_KIND,
  SEPAY_CREDENTIALS_WORKFLOW_ID,
  sepayConnectionQuery,
  updatePaymentCodeFormatsUpdate,
} from '../workflows/sepay/messages';
import type { sepayCredentialsWorkflow } from '../workflows/sepay/workflow';
import { ProviderAnswerError, ProviderUnavailableError, ValidationError } from './errors';
import { parseOrThrow } from './schemas/common';
import { FindPaymentCodeRequestSchema, PaymentCodeFormatsRequestSchema, SepayCallbackQuerySchema } from './schemas/sepay';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls } from './temporal';

export interface SepayConnectionOptions extends TemporalCallOptions {
  /** SePay's consent URL for a `state` (the provider client builds it: base URL, client id, redirect URI, scopes). */
  authorizeUrl: (state: string) => string;
  /** The flow's settings when it is first started. */
  credentials?: Omit<SepayCredentialsInput, 'carried'>;
  /** How old the company's formats may be when the finder uses them. Default 5 minutes. */
  formatsMaxAgeMs?: number;
}

/** A SePay call may wait for a refresh and SePay's own retries (429, 5xx): a little longer than a read. */
const SEPAY_CALL_TIMEOUT_MS = 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a failed SePay update means for the caller: one mapping, by the taxonomy's failure type. */
function interpret(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const { type, message } = err.cause;
  const details = err.cause.details?.[0] as { httpStatus?: number; requestId?: string; providerMessage?: string } | undefined;
  const provider = details ? { httpStatus: details.httpStatus, requestId: details.requestId } : undefined;
  switch (type) {
    case 'SepayInvalidState':
      return new ProviderAnswerError('invalid_state', 400, message);
    case SepayFailureType.Validation:
      return Array.isArray(details) ? new ValidationError(details as { field: string; rule: string }[]) : new ProviderAnswerError('validation_failed', 400, message, provider);
    case SepayFailureType.Unprocessable:
      return new ProviderAnswerError('provider_rejected', 422, details?.providerMessage ?? message, { ...provider, providerMessage: details?.providerMessage });
    case SepayFailureType.Forbidden:
      return new ProviderAnswerError(
        'sepay_forbidden',
        403,
        `SePay refused access: the consenting user must be Admin or SuperAdmin and the token must hold the company scope (${details?.providerMessage ?? message})`,
        provider,
      );
    case SepayFailureType.NotConnected:
      return new ProviderAnswerError('sepay_not_connected', 409, message);
    case SepayFailureType.ConsentNeeded:
      return new ProviderAnswerError('sepay_consent_needed', 409, `SePay refused the grant (${details?.providerMessage ?? message}); run \`npx dongflow sepay authorize\` again`, provider);
    case SepayFailureType.InvalidClient:
      return new ProviderAnswerError('sepay_misconfigured', 502, `SePay refused our OAuth client (check SEPAY_CLIENT_ID / SEPAY_CLIENT_SECRET): ${message}`, provider);
    case SepayFailureType.Unauthorized:
      return new ProviderAnswerError('sepay_unauthorized', 502, `SePay refused a freshly refreshed access token: ${message}`, provider);
    default:
      return new ProviderUnavailableError(`SePay could not be reached or answered unexpectedly; nothing was changed by us, retry later (${message})`, provider);
  }
}

export function createSepayConnectionClient(client: Client, options: SepayConnectionOptions) {
  const handle: WorkflowHandle<typeof sepayCredentialsWorkflow> = client.workflow.getHandle(SEPAY_CREDENTIALS_WORKFLOW_ID);
  const calls = guardedCalls(client, options);
  const guarded = <T>(call: () => Promise<T>, timeoutMs?: number): Promise<T> => calls('SePay connection', SEPAY_CREDENTIALS_WORKFLOW_ID, call, timeoutMs, interpret);
  const formatsMaxAgeMs = options.formatsMaxAgeMs ?? 5 * 60_000;

  /** Not connected until a consent has come back: the flow does not exist yet. */
  const notConnected = (err: unknown) => {
    if (err instanceof WorkflowNotFoundError) throw new ProviderAnswerError('sepay_not_connected', 409, 'SePay is not connected; run `npx dongflow sepay authorize` and open the URL');
    throw err;
  };

  return {
    /**
     * A consent URL for a person (Admin or SuperAdmin at SePay) to open once. Its `state` is random, remembered by
     * the flow as a hash for 10 minutes, and accepted by exactly one callback.
     */
    async authorize(): Promise<{ url: string; state: string; expiresAt: string }> {
      const state = randomBytes(32).toString('base64url');
      const { expiresAt } = await guarded(async () => {
        await client.workflow.start<typeof sepayCredentialsWorkflow>('sepayCredentialsWorkflow', {
          workflowId: SEPAY_CREDENTIALS_WORKFLOW_ID,
          taskQueue: options.taskQueue ?? WORKFLOW_TASK_QUEUE,
          args: [{ ...options.credentials }],
          // The connection lives on: a second authorize joins it instead of starting another.
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: SEPAY_CREDENTIALS_KIND },
            { key: searchAttributes.status, value: 'not_connected' },
          ],
          staticSummary: 'SePay OAuth connection (tokens encrypted)',
        });
        return handle.executeUpdate(beginConsentUpdate, { args: [{ stateHash: sha256(state) }] });
      });
      return { url: options.authorizeUrl(state), state, expiresAt };
    },

    /** SePay's redirect: `code` and `state` (or `error`). The state must be one `authorize` gave, unused and not expired. */
    async completeConsent(query: unknown): Promise<SepayConnectionView> {
      const q = parseOrThrow(SepayCallbackQuerySchema, query);
      if (q.error) throw new ProviderAnswerError('consent_refused', 400, `SePay did not grant access: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}`);
      if (!q.code) throw new ValidationError([{ field: 'code', rule: 'is required' }]);
      const code = q.code;
      return guarded(
        () =>
          handle.executeUpdate(completeConsentUpdate, { args: [{ stateHash: sha256(q.state), code }] }).catch((err: unknown) => {
            if (err instanceof WorkflowNotFoundError) throw new ProviderAnswerError('invalid_state', 400, 'state is unknown: start with GET /v1/sepay/authorize');
            throw err;
          }),
        SEPAY_CALL_TIMEOUT_MS,
      );
    },

    /** The connection's state: never a token. */
    async connection(): Promise<SepayConnectionView> {
      return guarded(() =>
        handle.query(sepayConnectionQuery).catch((err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return connectionView(initialSepayCredentialsState(), Date.now());
          throw err;
        }),
      );
    },

    /** `GET /api/v1/company` through the connection. */
    async getCompany(): Promise<SepayCompany> {
      return guarded(() => handle.executeUpdate(getCompanyUpdate).catch(notConnected), SEPAY_CALL_TIMEOUT_MS);
    },

    /**
     * Replaces the company's payment-code formats. The page's constraints are checked here first: a violation is a
     * ValidationError naming the field and the format's position, and nothing is sent. SePay's own refusal
     * (`HTTP 200`, `data.status: false`) is a 422 with its message.
     */
    async updatePaymentCodeFormats(body: unknown): Promise<SepayCompanyConfigurations> {
      const raw = (body ?? {}) as { paymentCodeFormats?: unknown };
      // The rules first, over every format, so each violation names its format's position.
      const problems = Array.isArray(raw.paymentCodeFormats) ? paymentCodeFormatProblems(raw.paymentCodeFormats) : [];
      if (problems.length > 0) throw new ValidationError(problems);
      const valid = parseOrThrow(PaymentCodeFormatsRequestSchema, body);
      const paymentCodeFormats: PaymentCodeFormat[] = valid.paymentCodeFormats;
      return guarded(() => handle.executeUpdate(updatePaymentCodeFormatsUpdate, { args: [{ paymentCodeFormats }] }).catch(notConnected), SEPAY_CALL_TIMEOUT_MS);
    },

    /** The payment code in a transfer's text by the company's active formats (read from SePay at most every 5 minutes). */
    async findPaymentCode(body: unknown): Promise<{ paymentCode: string | null }> {
      const { text } = parseOrThrow(FindPaymentCodeRequestSchema, body);
      // A query first: the finder runs once per bank transfer, and a query writes nothing to history.
      const cached = await guarded(() => handle.query(cachedPaymentCodeFormatsQuery).catch(notConnected));
      const formats =
        cached && Date.now() - cached.readAt <= formatsMaxAgeMs
          ? cached.formats
          : await guarded(() => handle.executeUpdate(paymentCodeFormatsUpdate, { args: [{ maxAgeMs: formatsMaxAgeMs }] }).catch(notConnected), SEPAY_CALL_TIMEOUT_MS);
      return { paymentCode: findPaymentCode(text, formats) };
    },
  };
}

export type SepayConnectionClient = ReturnType<typeof createSepayConnectionClient>;
