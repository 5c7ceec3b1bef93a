/**
 * One Finan customer, keyed by its `customer_code` (`customer-{customerCode}`): every change of the code runs here,
 * one at a time in arrival order, so two upserts sent at once make one customer. Each operation reads Finan first
 * (find by code), then creates, or replaces with the whole record. The flow ends once idle; the next change starts
 * a new run (update-with-start), so nothing is kept that Finan does not hold.
 */
import {
  ActivityFailure,
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
import type { FinanCustomerActivities } from '../../activities/finan/customers';
import { failureInfo } from '../common/failure-info';
import { FINAN_READ_REFUSALS, NON_RETRYABLE_FINAN_FAILURES } from '../common/failures';
import { shouldContinueAsNew } from '../common/history';
import { searchAttributes } from '../common/search-attributes';
import { FINAN_TASK_QUEUE } from '../common/task-queues';
import type { CustomerDeleted, CustomerFlowInput, CustomerFlowState, CustomerPatch, CustomerRecord, CustomerSummary, CustomerUpserted, CustomerView } from './messages';
import {
  CustomerFailureType,
  customerFlowStatusQuery,
  deleteCustomerUpdate,
  getCustomerUpdate,
  patchCustomerUpdate,
  upsertCustomerUpdate,
} from './messages';
import { CUSTOMER_DEFAULTS, customerProblems, customerView, isEmptyPatch, mergeCustomerPatch } from './rules';

/** A caller waits on every operation: Finan gets a bounded window, then the operation fails `FinanUnavailable`. */
const finan = proxyActivities<FinanCustomerActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', nonRetryableErrorTypes: NON_RETRYABLE_FINAN_FAILURES },
});

/** Reads retry through 401/403 (fixed by an operator) within the same window. */
const reads = proxyActivities<FinanCustomerActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds', nonRetryableErrorTypes: FINAN_READ_REFUSALS },
});

/** An activity's failure as the operation's own: Finan's type, status, code, request id and message kept. */
function operationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ActivityFailure)) return err;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({ type: cause.type ?? 'Error', message: cause.message, nonRetryable: true, details: cause.details ? [...cause.details] : undefined });
  }
  const info = failureInfo(err);
  return ApplicationFailure.create({ type: 'FinanUnavailable', message: info.message, nonRetryable: true, details: [info] });
}

function invalid(problems: { field: string; rule: string }[]): ApplicationFailure {
  return ApplicationFailure.create({
    type: CustomerFailureType.Invalid,
    message: problems.map((p) => `${p.field}: ${p.rule}`).join('; '),
    nonRetryable: true,
    details: [problems],
  });
}

export async function customerWorkflow(input: CustomerFlowInput): Promise<CustomerFlowState> {
  const { customerCode } = input;
  const idleMs = input.idleMs ?? CUSTOMER_DEFAULTS.idleMs;
  const state: CustomerFlowState = { customerCode, customerId: null, operations: 0, queued: 0 };
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;

  // One operation at a time, in arrival order: a ticket per operation, served in turn.
  let nextTicket = 0;
  let serving = 0;
  let received = 0;
  async function exclusively<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const ticket = nextTicket++;
    received++;
    state.queued++;
    await condition(() => serving === ticket);
    state.queued--;
    try {
      return await run();
    } catch (err) {
      log.info('Customer operation failed', { customerCode, operation, type: err instanceof ApplicationFailure ? err.type : undefined });
      throw operationFailure(err);
    } finally {
      state.operations++;
      serving++;
    }
  }

  function known(customerId: string, status: 'active' | 'deleted'): void {
    state.customerId = customerId;
    if (searchable) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: status },
        { key: searchAttributes.providerId, value: customerId },
      ]);
    }
  }

  const notFound = (): ApplicationFailure =>
    ApplicationFailure.create({ type: CustomerFailureType.NotFound, message: `Finan holds no customer with code ${customerCode}`, nonRetryable: true });

  /** Finan's id and whole record for the code, or a `CustomerNotFound` failure. */
  async function current(): Promise<{ customerId: string; record: CustomerRecord }> {
    const customerId = await reads.findFinanCustomerByCode(customerCode);
    if (customerId === null) throw notFound();
    const record = await reads.getFinanCustomer({ customerCode, customerId });
    if (record === null) throw notFound();
    return { customerId, record };
  }

  setHandler(
    upsertCustomerUpdate,
    (record: CustomerRecord): Promise<CustomerUpserted> =>
      exclusively('upsert', async () => {
        let customerId = await reads.findFinanCustomerByCode(customerCode);
        const created = customerId === null;
        if (customerId === null) {
          const made = await finan.createFinanCustomer({ customerCode, record });
          customerId = made.customerId;
          // Adopted: made by a lost earlier attempt or by someone else meanwhile; either way it gets this record.
          if (made.adopted) await finan.replaceFinanCustomer({ customerCode, customerId, record });
        } else {
          await finan.replaceFinanCustomer({ customerCode, customerId, record });
        }
        known(customerId, 'active');
        log.info('Customer upserted', { customerCode, customerId, created });
        return { ...customerView(customerCode, customerId, record), created };
      }),
    {
      validator: (record: CustomerRecord) => {
        const problems = customerProblems(record);
        if (problems.length > 0) throw invalid(problems);
      },
    },
  );

  setHandler(
    patchCustomerUpdate,
    (patch: CustomerPatch): Promise<CustomerView> =>
      exclusively('patch', async () => {
        const { customerId, record } = await current();
        const merged = mergeCustomerPatch(record, patch);
        const problems = customerProblems(merged);
        if (problems.length > 0) throw invalid(problems);
        await finan.replaceFinanCustomer({ customerCode, customerId, record: merged });
        known(customerId, 'active');
        log.info('Customer patched', { customerCode, customerId, fields: Object.keys(patch) });
        return customerView(customerCode, customerId, merged);
      }),
    {
      validator: (patch: CustomerPatch) => {
        if (typeof patch !== 'object' || patch === null || isEmptyPatch(patch)) throw invalid([{ field: '(body)', rule: 'must change at least one field' }]);
      },
    },
  );

  setHandler(deleteCustomerUpdate, (): Promise<CustomerDeleted> =>
    exclusively('delete', async () => {
      const customerId = await reads.findFinanCustomerByCode(customerCode);
      if (customerId === null) throw notFound();
      await finan.deleteFinanCustomer({ customerCode, customerId });
      known(customerId, 'deleted');
      log.info('Customer deleted', { customerCode, customerId });
      return { customerCode, customerId, deleted: true as const };
    }),
  );

  setHandler(getCustomerUpdate, (): Promise<CustomerView> =>
    exclusively('get', async () => {
      const { customerId, record } = await current();
      state.customerId = customerId;
      return customerView(customerCode, customerId, record);
    }),
  );

  setHandler(customerFlowStatusQuery, () => ({ ...state }));

  // Wait for changes; once they are done, continue as new if the history grew long; end after `idleMs` without one.
  for (;;) {
    const seen = received;
    if (!(await condition(() => received !== seen, idleMs))) break;
    await condition(allHandlersFinished);
    if (shouldContinueAsNew(workflowInfo(), input.maxHistoryEvents ?? CUSTOMER_DEFAULTS.maxHistoryEvents)) {
      log.info('Customer flow continues as new', { customerCode, historyLength: workflowInfo().historyLength });
      await continueAsNew<typeof customerWorkflow>(input);
    }
  }
  await condition(allHandlersFinished);
  return state;
}

/** `GET /customers` as one read: the list is Finan's, short form. */
export async function customerListWorkflow(): Promise<CustomerSummary[]> {
  return reads.listFinanCustomers().catch((err: unknown) => {
    throw operationFailure(err);
  });
}
