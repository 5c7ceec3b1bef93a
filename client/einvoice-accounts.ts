/**
 * The typed API of Tingee e-invoice accounts for TypeScript backends (and the gateway): save one (create or update)
 * and read it. Each account is one long-lived flow, `einvoice-account-{provider}-{taxCode}`, that remembers Tingee's
 * id and runs one save at a time. The password goes into the flow's encrypted payloads only, and never comes back.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureInfo } from '../workflows/common/failures';
import { TingeeFailureType } from '../workflows/common/failures';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { EinvoiceAccount, EinvoiceAccountKey, EinvoiceAccountState, SaveEinvoiceAccountRequest } from '../workflows/einvoice-account/messages';
import {
  EINVOICE_ACCOUNT_CONFLICT_FAILURE,
  EINVOICE_ACCOUNT_KIND,
  einvoiceAccountReference,
  einvoiceAccountStatusQuery,
  einvoiceAccountWorkflowId,
  saveEinvoiceAccountUpdate,
} from '../workflows/einvoice-account/messages';
import type { einvoiceAccountWorkflow } from '../workflows/einvoice-account/workflow';
import type { FieldProblem } from './errors';
import { InvalidStateError, NotFoundError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from './errors';
import { parseOrThrow } from './schemas/common';
import type { EinvoiceAccountBody, EinvoiceAccountBodySchemaOutput } from './schemas/einvoice-accounts';
import { EinvoiceAccountBodySchema, EinvoiceAccountKeySchema } from './schemas/einvoice-accounts';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls } from './temporal';

export type { EinvoiceAccount, EinvoiceAccountState } from '../workflows/einvoice-account/messages';

const KIND = 'e-invoice account';
/** A save waits for Tingee: up to five attempts of 20 s and their backoff, never longer. */
const SAVE_ANSWER_TIMEOUT_MS = 150_000;

/** The account's key from path parameters, or a 400 naming `provider` or `taxCode`. */
function keyOf(provider: string, taxCode: string): EinvoiceAccountKey {
  return parseOrThrow(EinvoiceAccountKeySchema, { provider, taxCode });
}

/** The key and the body, or one 400 naming every field at fault in either. */
function saveRequestOf(provider: string, taxCode: string, body: unknown): { key: EinvoiceAccountKey; valid: EinvoiceAccountBodySchemaOutput } {
  const problems: FieldProblem[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const key = attempt(() => keyOf(provider, taxCode));
  const valid = attempt(() => parseOrThrow(EinvoiceAccountBodySchema, body));
  if (!key || !valid) throw new ValidationError(problems);
  return { key, valid };
}

/**
 * A failed save, in the library's errors: Tingee's refusal of the request → 422; Tingee refusing our credentials
 * (codes 90, 97) or unreachable → 503 (nothing to fix in the request; send it again once fixed, it adopts whatever
 * Tingee may have created); another merchant's account → 409. Each keeps Tingee's status, code and request id.
 */
export function saveRefusal(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const cause = err.cause;
  const info = (cause.details?.[0] ?? {}) as Partial<FailureInfo>;
  const details = { type: cause.type ?? null, httpStatus: info.httpStatus ?? null, providerCode: info.providerCode ?? null, requestId: info.requestId ?? null };
  if (cause.type === EINVOICE_ACCOUNT_CONFLICT_FAILURE) return new InvalidStateError(cause.message, details);
  if (cause.type === TingeeFailureType.Validation || cause.type === TingeeFailureType.Unprocessable) {
    return new ProviderRejectedError(`Tingee refused the e-invoice account: ${cause.message}`, details);
  }
  if (cause.type === TingeeFailureType.Unauthorized) {
    return new ProviderUnavailableError(`${cause.message}. Nothing was changed at Tingee; fix the configuration, then send the same request again`, details);
  }
  if (cause.type?.startsWith('Tingee') || cause.type === 'Timeout') {
    return new ProviderUnavailableError(`Tingee could not save the e-invoice account: ${cause.message}. Send the same request again: it adopts whatever Tingee may have created`, details);
  }
  return err;
}

export function createEinvoiceAccountsClient(client: Client, options: TemporalCallOptions = {}) {
  const guarded = guardedCalls(client, options);
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;

  const readState = async (key: EinvoiceAccountKey): Promise<EinvoiceAccountState> => {
    const reference = einvoiceAccountReference(key.provider, key.taxCode);
    return guarded(KIND, reference, () => client.workflow.getHandle(einvoiceAccountWorkflowId(key.provider, key.taxCode)).query(einvoiceAccountStatusQuery));
  };

  return {
    /**
     * Creates the account at Tingee, or updates it when this flow (or an earlier attempt, or anyone) already made it:
     * Tingee's id is remembered or looked up, never duplicated. Concurrent saves of one account run one after the other.
     * Answers Tingee's account, without the password.
     */
    async saveAccount(provider: string, taxCode: string, body: EinvoiceAccountBody): Promise<EinvoiceAccount> {
      const { key, valid } = saveRequestOf(provider, taxCode, body);
      // A PUT states the whole account: what it leaves out takes the page's defaults.
      const request: SaveEinvoiceAccountRequest = {
        username: valid.username,
        password: valid.password,
        isDefault: valid.isDefault ?? false,
        isActive: valid.isActive ?? true,
        ...(valid.merchantId === undefined ? {} : { merchantId: valid.merchantId }),
      };
      const reference = einvoiceAccountReference(key.provider, key.taxCode);
      const start = new WithStartWorkflowOperation<typeof einvoiceAccountWorkflow>('einvoiceAccountWorkflow', {
        workflowId: einvoiceAccountWorkflowId(key.provider, key.taxCode),
        taskQueue,
        args: [key],
        // The account's flow runs for as long as the account exists: every save joins it.
        workflowIdConflictPolicy: 'USE_EXISTING',
        typedSearchAttributes: [
          { key: searchAttributes.kind, value: EINVOICE_ACCOUNT_KIND },
          { key: searchAttributes.reference, value: reference },
          { key: searchAttributes.status, value: 'new' },
        ],
        staticSummary: `Tingee e-invoice account ${key.provider} ${key.taxCode}`,
      });
      return guarded(
        KIND,
        reference,
        () => client.workflow.executeUpdateWithStart(saveEinvoiceAccountUpdate, { args: [request], startWorkflowOperation: start }),
        SAVE_ANSWER_TIMEOUT_MS,
        saveRefusal,
      );
    },

    /** Tingee's account as last confirmed (404 until a save has succeeded). */
    async getAccount(provider: string, taxCode: string): Promise<EinvoiceAccount> {
      const key = keyOf(provider, taxCode);
      const state = await readState(key);
      if (!state.account) throw new NotFoundError(KIND, einvoiceAccountReference(key.provider, key.taxCode));
      return state.account;
    },

    /** The flow's whole state: the account, the last save's outcome and its failure. */
    async getAccountState(provider: string, taxCode: string): Promise<EinvoiceAccountState> {
      return readState(keyOf(provider, taxCode));
    },
  };
}

export type EinvoiceAccountsClient = ReturnType<typeof createEinvoiceAccountsClient>;
