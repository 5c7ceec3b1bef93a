/**
 * Payment requests for TypeScript backends and the gateway: create one (answered with the VietQR once Finan made
 * it) and read it. A thin starter and reader over the payment request flow.
 */
import type { Client } from '@temporalio/client';
import { WithStartWorkflowOperation, WorkflowIdReusePolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { FailureInfo } from '../workflows/common/failures';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import { INVOICE_UNAVAILABLE_FAILURE } from '../workflows/invoice/messages';
import type { BankTransferDetails, PaymentRequestInput, PaymentRequestState } from '../workflows/payment-request/messages';
import { PAYMENT_REQUEST_UNAVAILABLE_FAILURE, paymentRequestCreatedUpdate, paymentRequestStatusQuery, paymentWorkflowId } from '../workflows/payment-request/messages';
import type { paymentRequestWorkflow } from '../workflows/payment-request/workflow';
import { ProviderRejectedError, ProviderUnavailableError } from './errors';
import { ReferenceSchema, parseOrThrow } from './schemas/common';
import type { PaymentRequestBody } from './schemas/payment-requests';
import { PaymentRequestSchema } from './schemas/payment-requests';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls } from './temporal';

export interface PaymentRequestsClientOptions extends TemporalCallOptions {
  /** Default link lifetime (DONGFLOW_PAYMENT_TTL); a request may override it. */
  paymentTtlMs?: number;
  /**
   * How long a create call waits for Finan's answer before answering "accepted, still creating" (202) instead:
   * a stopped worker must not hang the caller. Default 70 s, above the creation's own 1-minute limit.
   */
  creationWaitMs?: number;
}

/** A request whose flow is started but whose Finan answer is not in yet (no worker running): read it later. */
export interface PendingCreation {
  referenceId: string;
  workflowId: string;
  status: 'creating';
}

export function isPendingCreation(value: object): value is PendingCreation {
  return (value as Partial<PendingCreation>).status === 'creating' && !('paymentRequestId' in value);
}

/** The answer of `POST /v1/payment-requests` (201): what the payer needs. */
export interface CreatedPaymentRequestView {
  referenceId: string;
  paymentRequestId: string;
  paymentRequestCode: string;
  paymentUrl: string;
  bankTransfer: BankTransferDetails | null;
  expiresAt: string;
}

export function createdView(referenceId: string, state: Pick<PaymentRequestState, 'paymentRequestId' | 'paymentRequestCode' | 'paymentUrl' | 'bankTransfer' | 'expiresAt'>): CreatedPaymentRequestView {
  return {
    referenceId,
    paymentRequestId: state.paymentRequestId ?? '',
    paymentRequestCode: state.paymentRequestCode ?? '',
    paymentUrl: state.paymentUrl ?? '',
    bankTransfer: state.bankTransfer,
    expiresAt: state.expiresAt ?? '',
  };
}

/**
 * A failed creation update: Finan's refusal of the request becomes a 422 (the reference is spent); an outage or a
 * refusal of our credentials a 503 (send the same request again). Both carry Finan's status, code and request id.
 */
export function creationRefusal(err: unknown): unknown {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return err;
  const info = (err.cause.details?.[0] ?? {}) as Partial<FailureInfo>;
  if (err.cause.type === PAYMENT_REQUEST_UNAVAILABLE_FAILURE || err.cause.type === INVOICE_UNAVAILABLE_FAILURE) {
    return new ProviderUnavailableError(`${err.cause.message}. Nothing usable was created; send the same request again (the reference is still yours)`, {
      type: info.type ?? null,
      httpStatus: info.httpStatus ?? null,
      providerCode: info.providerCode ?? null,
      requestId: info.requestId ?? null,
      referenceReusable: true,
    });
  }
  return new ProviderRejectedError(`Finan refused the payment request: ${err.cause.message}`, {
    type: err.cause.type,
    httpStatus: info.httpStatus ?? null,
    providerCode: info.providerCode ?? null,
    requestId: info.requestId ?? null,
  });
}

/**
 * What every flow created through an update-with-start shares: the creation deadline, the wait for Finan's answer
 * (or 202 once it takes too long) and the reading of a refused creation.
 */
export function creationCalls(client: Client, options: PaymentRequestsClientOptions) {
  const calls = guardedCalls(client, options);
  const creationDeadlineMs = (options.creationWaitMs ?? 70_000) + 10_000;
  /**
   * The creation update's answer, or undefined when it takes longer than `creationWaitMs` while the flow is started
   * (its worker is not running): the caller then gets 202 and reads the request later; nothing is lost.
   */
  const awaitCreation = async <T>(update: Promise<T>, workflowId: string): Promise<T | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), options.creationWaitMs ?? 70_000)));
    update.catch(() => undefined); // still observed below, or dropped after the caller was answered
    try {
      const outcome = await Promise.race([update, late]);
      if (outcome !== 'late') return outcome;
    } finally {
      clearTimeout(timer);
    }
    // Started? (A start that never reached Temporal fails the describe: 404 or 503, never a false 202.)
    await client.workflow.getHandle(workflowId).describe();
    return undefined;
  };

  return {
    /** A call that waits for Finan's answer to a creation: a longer deadline, refusals read as 422 or 503. */
    creating: <T>(kind: string, referenceId: string, call: () => Promise<T>): Promise<T> => calls(kind, referenceId, call, creationDeadlineMs, creationRefusal),
    awaitCreation,
    pending: (referenceId: string, workflowId: string): PendingCreation => ({ referenceId, workflowId, status: 'creating' }),
  };
}

export function createPaymentRequestsClient(client: Client, options: PaymentRequestsClientOptions = {}) {
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const guarded = guardedCalls(client, options);
  const { creating, awaitCreation, pending } = creationCalls(client, options);
  return {
    /**
     * Creates a payment request and answers once Finan has (VietQR, remark, payment URL). A reference is used once:
     * reusing one, even after its request ended, is refused (409), except after a run that ended `unavailable`
     * (ProviderUnavailableError, 503): the only failed close, so `ALLOW_DUPLICATE_FAILED_ONLY` lets it be retried.
     */
    async createPaymentRequest(body: PaymentRequestBody): Promise<CreatedPaymentRequestView | PendingCreation> {
      const valid = parseOrThrow(PaymentRequestSchema, body);
      const input: PaymentRequestInput = {
        referenceId: valid.referenceId,
        accountId: valid.accountId,
        amount: valid.amount,
        paymentMethod: valid.paymentMethod,
        description: valid.description,
        items: valid.items,
        customer: valid.customer,
        merchant: valid.merchant,
        successRedirectUrl: valid.successRedirectUrl,
        failureRedirectUrl: valid.failureRedirectUrl,
        ttlMs: valid.ttlSeconds !== undefined ? valid.ttlSeconds * 1000 : options.paymentTtlMs,
      };
      const start = new WithStartWorkflowOperation<typeof paymentRequestWorkflow>('paymentRequestWorkflow', {
        workflowId: paymentWorkflowId(valid.referenceId),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        // A run fails only when it ended `unavailable` (or an operator cancelled or terminated it): then the
        // reference may be used again, and the new run adopts what Finan already has under it.
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: searchAttributes.kind, value: 'payment' },
          { key: searchAttributes.reference, value: valid.referenceId },
          { key: searchAttributes.amount, value: valid.amount },
          { key: searchAttributes.status, value: 'creating' },
        ],
        staticSummary: `Payment request ${valid.amount.toLocaleString('en-US')} VND by ${valid.paymentMethod}`,
      });
      return creating('payment request', valid.referenceId, async () => {
        const state = await awaitCreation(client.workflow.executeUpdateWithStart(paymentRequestCreatedUpdate, { startWorkflowOperation: start }), paymentWorkflowId(valid.referenceId));
        return state === undefined ? pending(valid.referenceId, paymentWorkflowId(valid.referenceId)) : createdView(valid.referenceId, state);
      });
    },

    /** The payment request's state: status, amounts, confirmed payments, VietQR (also after it ended). */
    async getPaymentRequest(referenceId: string): Promise<PaymentRequestState> {
      const ref = parseOrThrow(ReferenceSchema, referenceId, 'referenceId');
      return guarded('payment request', ref, () => client.workflow.getHandle(paymentWorkflowId(ref)).query(paymentRequestStatusQuery));
    },

  };
}

export type PaymentRequestsClient = ReturnType<typeof createPaymentRequestsClient>;
