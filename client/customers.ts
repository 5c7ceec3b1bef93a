/**
 * Finan customers for TypeScript backends and the gateway: upsert by `customer_code` (the whole record), patch some
 * fields (read, merged, the whole record sent back: Finan's PUT clears what it omits), read, list, delete. Every
 * change of a code runs in its flow `customer-{customerCode}`, one at a time: two upserts sent at once make one
 * customer. Each call is an update-with-start: it joins the running flow, or starts one.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowFailedError, WorkflowIdReusePolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureInfo } from '../workflows/common/failures';
import { FinanFailureType } from '../workflows/common/failures';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { CustomerDeleted, CustomerPatch, CustomerRecord, CustomerSummary, CustomerUpserted, CustomerView } from '../workflows/customer/messages';
import {
  CustomerFailureType,
  customerListWorkflowId,
  customerWorkflowId,
  deleteCustomerUpdate,
  getCustomerUpdate,
  patchCustomerUpdate,
  upsertCustomerUpdate,
} from '../workflows/customer/messages';
import type { customerListWorkflow, customerWorkflow } from '../workflows/customer/workflow';
import type { FieldProblem } from './errors';
import { NotFoundError, ProviderConflictError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from './errors';
import { parseOrThrow } from './schemas/common';
import type { CustomerPatchBody, CustomerRecordBody } from './schemas/customers';
import { CustomerCodeSchema, CustomerPatchSchema, CustomerRecordSchema } from './schemas/customers';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls } from './temporal';

export interface CustomersClientOptions extends TemporalCallOptions {
  /** How long a customer's flow waits for another change before it ends (default 2 minutes). */
  idleMs?: number;
}

/** Operations queue behind each other in a flow, and each gives Finan up to 30 s per call: wait long enough. */
const OPERATION_TIMEOUT_MS = 150_000;

/** Finan's answer in the flow's failure, as the caller's error: status, Finan's code and request id kept. */
function providerDetails(cause: ApplicationFailure): Record<string, unknown> {
  const info = (cause.details?.[0] ?? {}) as Partial<FailureInfo> & { providerMessage?: string };
  return {
    type: cause.type ?? null,
    httpStatus: info.httpStatus ?? null,
    providerCode: info.providerCode ?? null,
    requestId: info.requestId ?? null,
    providerMessage: info.providerMessage ?? null,
  };
}

/** How a failed customer operation reads to the caller. */
export function customerFailure(customerCode: string) {
  return (err: unknown): unknown => {
    const cause = err instanceof WorkflowUpdateFailedError || err instanceof WorkflowFailedError ? err.cause : undefined;
    if (!(cause instanceof ApplicationFailure)) return err;
    switch (cause.type) {
      case CustomerFailureType.NotFound:
        return new NotFoundError('customer', customerCode);
      case CustomerFailureType.Invalid:
        return new ValidationError((cause.details?.[0] as FieldProblem[] | undefined) ?? [{ field: '(body)', rule: cause.message }]);
      case FinanFailureType.Conflict: {
        const details = providerDetails(cause);
        return new ProviderConflictError(`Finan refused: ${(details.providerMessage as string | null) ?? cause.message}`, details);
      }
      case FinanFailureType.Validation:
      case FinanFailureType.NotFound:
      case FinanFailureType.Unprocessable:
        return new ProviderRejectedError(`Finan refused the customer: ${cause.message}`, providerDetails(cause));
      default:
        return new ProviderUnavailableError(`Finan could not be reached or refused our credentials: ${cause.message}. Nothing was changed that Finan did not confirm; send the same request again`, providerDetails(cause));
    }
  };
}

export function createCustomersClient(client: Client, options: CustomersClientOptions = {}) {
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const guarded = guardedCalls(client, options);

  /** One operation in the code's flow: joins the running flow, or starts one (update-with-start, USE_EXISTING). */
  async function inFlow<Ret, Args extends unknown[]>(customerCode: string, update: UpdateDefinition<Ret, Args>, args: Args): Promise<Ret> {
    const code = parseOrThrow(CustomerCodeSchema, customerCode, 'customerCode');
    return guarded(
      'customer',
      code,
      () => {
        const start = new WithStartWorkflowOperation<typeof customerWorkflow>('customerWorkflow', {
          workflowId: customerWorkflowId(code),
          taskQueue,
          args: [{ customerCode: code, idleMs: options.idleMs }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          // Never PII: the code is the merchant's own key.
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: 'customer' },
            { key: searchAttributes.reference, value: code },
          ],
          staticSummary: `Finan customer ${code}`,
        });
        return client.workflow.executeUpdateWithStart(update, { args, startWorkflowOperation: start });
      },
      OPERATION_TIMEOUT_MS,
      customerFailure(code),
    );
  }

  return {
    /** Creates the customer, or replaces it with this whole record: `created` says which. */
    async upsertCustomer(customerCode: string, body: CustomerRecordBody): Promise<CustomerUpserted> {
      const record: CustomerRecord = parseOrThrow(CustomerRecordSchema, body);
      return inFlow(customerCode, upsertCustomerUpdate, [record]);
    },

    /** Changes only the fields given (`null` clears an optional one); Finan gets the whole merged record. */
    async patchCustomer(customerCode: string, body: CustomerPatchBody): Promise<CustomerView> {
      const patch: CustomerPatch = parseOrThrow(CustomerPatchSchema, body);
      return inFlow(customerCode, patchCustomerUpdate, [patch]);
    },

    /** The customer as Finan holds it now (after every change accepted before this read). */
    async getCustomer(customerCode: string): Promise<CustomerView> {
      return inFlow(customerCode, getCustomerUpdate, []);
    },

    /** Deletes it at Finan; Finan refuses (409) while the customer has an unpaid invoice. */
    async deleteCustomer(customerCode: string): Promise<CustomerDeleted> {
      return inFlow(customerCode, deleteCustomerUpdate, []);
    },

    /** Every customer Finan holds, in the short form of Finan's list. */
    async listCustomers(): Promise<{ customers: CustomerSummary[] }> {
      const workflowId = customerListWorkflowId(randomUUID());
      const customers = await guarded(
        'customer list',
        workflowId,
        () => client.workflow.execute<typeof customerListWorkflow>('customerListWorkflow', { workflowId, taskQueue, args: [], typedSearchAttributes: [{ key: searchAttributes.kind, value: 'customer-list' }] }),
        OPERATION_TIMEOUT_MS,
        customerFailure(''),
      );
      return { customers };
    },
  };
}

export type CustomersClient = ReturnType<typeof createCustomersClient>;
