/**
 * One Tingee e-invoice account, for as long as it exists: each `saveEinvoiceAccount` update creates or updates it at
 * Tingee, one at a time, and the flow remembers Tingee's id so the next save updates instead of failing as a
 * duplicate. The password is passed through to the activity and never kept in the flow's state.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TingeeEinvoiceAccountActivities } from '../../activities/tingee/einvoice-accounts';
import { failureInfo } from '../common/failure-info';
import { NON_RETRYABLE_TINGEE_FAILURES } from '../common/failures';
import { searchAttributes } from '../common/search-attributes';
import { TINGEE_TASK_QUEUE } from '../common/task-queues';
import type { EinvoiceAccountState, EinvoiceAccountStatus, EinvoiceAccountWorkflowInput } from './messages';
import { EINVOICE_ACCOUNT_CONFLICT_FAILURE, einvoiceAccountStatusQuery, saveEinvoiceAccountUpdate } from './messages';
import { saveActivityInput, saveRequestProblem, shouldContinueAsNew } from './rules';

// A save is answered to a waiting caller: a few quick retries (code 91 and outages), then the failure is reported.
const { saveTingeeEinvoiceAccount } = proxyActivities<TingeeEinvoiceAccountActivities>({
  taskQueue: TINGEE_TASK_QUEUE,
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_TINGEE_FAILURES },
});

export async function einvoiceAccountWorkflow(input: EinvoiceAccountWorkflowInput): Promise<never> {
  const key = { provider: input.provider, taxCode: input.taxCode };
  const state: EinvoiceAccountState = {
    ...key,
    workflowId: workflowInfo().workflowId,
    status: input.carried?.status ?? (input.carried?.account ? 'saved' : 'new'),
    account: input.carried?.account ?? null,
    lastFailure: input.carried?.lastFailure ?? null,
    saves: input.carried?.saves ?? 0,
    updatedAt: new Date().toISOString(),
  };
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;
  // One save at a time, in arrival order: each takes a ticket and waits for its turn. (A shared `saving` flag would
  // let two waiting saves see it clear in the same activation and both run.)
  let ticketsIssued = 0;
  let nowServing = 0;
  const idle = (): boolean => nowServing === ticketsIssued;
  let savesThisRun = 0;

  const setStatus = (status: EinvoiceAccountStatus): void => {
    state.status = status;
    state.updatedAt = new Date().toISOString();
    if (searchable) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: status },
        ...(state.account ? [{ key: searchAttributes.providerId, value: String(state.account.id) }] : []),
      ]);
    }
  };

  setHandler(einvoiceAccountStatusQuery, () => ({ ...state }));

  setHandler(
    saveEinvoiceAccountUpdate,
    async (request) => {
      // A second save waits for the first, then updates the account the first one created.
      const ticket = ticketsIssued++;
      await condition(() => nowServing === ticket);
      try {
        // Checked again now that earlier saves have finished: the account may have been created meanwhile.
        const problem = saveRequestProblem(state.account, request);
        if (problem) throw ApplicationFailure.nonRetryable(problem, EINVOICE_ACCOUNT_CONFLICT_FAILURE);
        setStatus('saving');
        try {
          state.account = await saveTingeeEinvoiceAccount(saveActivityInput(key, state.account, request));
        } catch (err) {
          const failure = failureInfo(err);
          state.lastFailure = failure.type === 'Timeout' ? { ...failure, message: 'Tingee did not answer in time' } : failure;
          setStatus('failed');
          log.warn('E-invoice account save failed', { provider: key.provider, type: state.lastFailure.type });
          throw ApplicationFailure.nonRetryable(state.lastFailure.message, state.lastFailure.type, state.lastFailure);
        }
        state.lastFailure = null;
        state.saves += 1;
        savesThisRun += 1;
        setStatus('saved');
        return state.account;
      } finally {
        nowServing += 1;
      }
    },
    {
      validator: (request) => {
        const problem = saveRequestProblem(state.account, request);
        if (problem) throw new Error(problem);
      },
    },
  );

  await condition(() => idle() && shouldContinueAsNew(savesThisRun, workflowInfo().continueAsNewSuggested, input.savesPerRun));
  await condition(allHandlersFinished);
  return continueAsNew<typeof einvoiceAccountWorkflow>({
    ...key,
    carried: { account: state.account, saves: state.saves, status: state.status, lastFailure: state.lastFailure },
    ...(input.savesPerRun === undefined ? {} : { savesPerRun: input.savesPerRun }),
  });
}
