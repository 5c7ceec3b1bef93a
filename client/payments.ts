/**
 * The typed payment-collection API for TypeScript backends, the gateway and the reconciliation's activities:
 * payment requests and invoices (answered with the VietQR once Finan made it), Finan's payment webhooks handed to
 * their flow, the operators' inbox of unmatched payments, and the reconciliation (scheduled, or now).
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  WithStartWorkflowOperation,
  WorkflowIdReusePolicy,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { ScheduleDescription } from '@temporalio/client';
import type { invoicePaymentWorkflow } from '../workflows/invoice-payment';
import type { paymentRequestWorkflow } from '../workflows/payment-request';
import type { reconciliationWorkflow, unmatchedPaymentsWorkflow } from '../workflows/reconciliation';
import type {
  BankTransferDetails,
  ConfirmedPayment,
  FlowKnowledge,
  InvoicePaymentInput,
  InvoiceState,
  FailureInfo,
  PaymentNotice,
  PaymentRequestInput,
  PaymentRequestState,
  ReconciliationReport,
  UnmatchedPayment,
  UnmatchedPaymentNotice,
  UnmatchedPaymentsState,
} from '../workflows/definitions';
import {
  INVOICE_UNAVAILABLE_FAILURE,
  PAYMENT_REQUEST_UNAVAILABLE_FAILURE,
  RECONCILIATION_SCHEDULE_ID,
  UNMATCHED_PAYMENTS_WORKFLOW_ID,
  WORKFLOW_TASK_QUEUE,
  invoiceCreatedUpdate,
  invoiceStatusQuery,
  invoiceWorkflowId,
  paymentNoticeSignal,
  paymentRequestCreatedUpdate,
  paymentRequestStatusQuery,
  paymentWorkflowId,
  resolveUnmatchedPaymentUpdate,
  searchAttributes,
  unmatchedPaymentSignal,
  unmatchedPaymentsQuery,
} from '../workflows/definitions';
import { PAYMENT_DEFAULTS, flowWorkflowIdForReference, knownUnmatchedIds } from '../workflows/payment-rules';
import { DongflowError, InvalidStateError, NotFoundError, ProviderRejectedError } from './errors';
import type { InvoiceCollectionBody, PaymentRequestBody } from './payment-schemas';
import { InvoiceCollectionSchema, PaymentRequestSchema, ResolutionSchema, dueInstant } from './payment-schemas';
import { callTemporal, translateTemporalError } from './payouts';
import { ReferenceSchema, parseOrThrow } from './schemas';

export interface PaymentsClientOptions {
  taskQueue?: string;
  /** How long a read may wait for Temporal before answering TemporalUnavailableError. Default 10 s. */
  rpcTimeoutMs?: number;
  /** Default link lifetime (DONGFLOW_PAYMENT_TTL); a request may override it. */
  paymentTtlMs?: number;
  /** How far back each reconciliation looks at Finan's payments. */
  reconcileLookbackMs?: number;
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

/** The answer of `POST /v1/invoices/{invoiceId}/collect` (201): the invoice's first payment request. */
export interface InvoiceCollectionView extends CreatedPaymentRequestView {
  invoiceId: string;
  workflowId: string;
  status: InvoiceState['status'];
  amount: number;
  dueAt: string;
}

/** A verified Finan payment webhook, in our words. */
export interface FinanPaymentEvent {
  paymentId: string;
  amount: number;
  method: string;
  createdAt: string;
  paymentRequestId: string | null;
  referenceId: string | null;
  referenceType: string | null;
}

/** Where a webhook's payment went: its running flow, or the operators' inbox (late, orphan); `duplicate`: already counted. */
export interface PaymentHandOff {
  outcome: 'signalled' | 'duplicate' | 'late' | 'orphan';
  workflowId: string;
}

type CountingFlowState = { payments: ConfirmedPayment[] };

const FLOW_INSPECTION_CONCURRENCY = 8;

function createdView(referenceId: string, state: Pick<PaymentRequestState, 'paymentRequestId' | 'paymentRequestCode' | 'paymentUrl' | 'bankTransfer' | 'expiresAt'>): CreatedPaymentRequestView {
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
 * Finan could not be reached (or refused our credentials / IP) while creating: nothing usable was created, the
 * reference stays usable, and the same request may be sent again (it adopts whatever the first attempt left).
 */
export class ProviderUnavailableError extends DongflowError {
  readonly code = 'provider_unavailable';
  readonly httpStatus = 503;
}

/**
 * A failed creation update: Finan's refusal of the request becomes a 422 (the reference is spent); an outage or a
 * refusal of our credentials a 503 (send the same request again). Both carry Finan's status, code and request id.
 */
function rejection(err: unknown): unknown {
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

/** Every run a Schedule has started that its description still lists (running or recent). */
function scheduledRuns(description: ScheduleDescription): { workflowId: string; firstExecutionRunId: string }[] {
  return [...description.info.runningActions, ...description.info.recentActions.map((a) => a.action)].map((a) => a.workflow);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function createPaymentsClient(client: Client, options: PaymentsClientOptions = {}) {
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const creationDeadlineMs = (options.creationWaitMs ?? 70_000) + 10_000;

  // A deadline so an unreachable Temporal is reported quickly; creations wait for Finan's answer, so longer.
  const guarded = <T>(kind: string, referenceId: string, call: () => Promise<T>, timeoutMs = options.rpcTimeoutMs ?? 10_000): Promise<T> =>
    callTemporal(client, timeoutMs, kind, referenceId, call, rejection);

  /** The final or current state of a flow that counts payments; undefined when no such flow was ever started. */
  const countingState = async (handle: WorkflowHandle): Promise<{ running: boolean; state: CountingFlowState | undefined } | undefined> => {
    let running: boolean;
    try {
      running = (await handle.describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    try {
      return { running, state: await handle.query<CountingFlowState>('status') };
    } catch (err) {
      // A flow that cannot answer (a crashed run) is treated as having counted nothing: its payments go to operators.
      if (running) throw err;
      return { running, state: undefined };
    }
  };

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

  const pending = (referenceId: string, workflowId: string): PendingCreation => ({ referenceId, workflowId, status: 'creating' });

  const unmatchedHandle = () => client.workflow.getHandle<typeof unmatchedPaymentsWorkflow>(UNMATCHED_PAYMENTS_WORKFLOW_ID);

  const api = {
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
      return guarded('payment request', valid.referenceId, async () => {
        const state = await awaitCreation(client.workflow.executeUpdateWithStart(paymentRequestCreatedUpdate, { startWorkflowOperation: start }), paymentWorkflowId(valid.referenceId));
        return state === undefined ? pending(valid.referenceId, paymentWorkflowId(valid.referenceId)) : createdView(valid.referenceId, state);
      }, creationDeadlineMs);
    },

    /** The payment request's state: status, amounts, confirmed payments, VietQR (also after it ended). */
    async getPaymentRequest(referenceId: string): Promise<PaymentRequestState> {
      const ref = parseOrThrow(ReferenceSchema, referenceId, 'referenceId');
      return guarded('payment request', ref, () => client.workflow.getHandle(paymentWorkflowId(ref)).query(paymentRequestStatusQuery));
    },

    /** Starts collecting an invoice; answers with its first payment request once Finan made it. */
    async collectInvoice(invoiceId: string, body: InvoiceCollectionBody): Promise<InvoiceCollectionView | PendingCreation> {
      const id = parseOrThrow(ReferenceSchema, invoiceId, 'invoiceId');
      const valid = parseOrThrow(InvoiceCollectionSchema, body);
      const input: InvoicePaymentInput = {
        invoiceId: id,
        accountId: valid.accountId,
        amount: valid.amount,
        dueAt: new Date(dueInstant(valid.dueDate)).toISOString(),
        paymentMethod: valid.paymentMethod,
        description: valid.description,
        linkTtlMs: valid.linkTtlSeconds !== undefined ? valid.linkTtlSeconds * 1000 : options.paymentTtlMs,
      };
      const start = new WithStartWorkflowOperation<typeof invoicePaymentWorkflow>('invoicePaymentWorkflow', {
        workflowId: invoiceWorkflowId(id),
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        typedSearchAttributes: [
          { key: searchAttributes.kind, value: 'invoice' },
          { key: searchAttributes.reference, value: id },
          { key: searchAttributes.amount, value: valid.amount },
          { key: searchAttributes.status, value: 'creating' },
        ],
        staticSummary: `Invoice ${valid.amount.toLocaleString('en-US')} VND due ${input.dueAt}`,
      });
      return guarded('invoice', id, async () => {
        const state = await awaitCreation(client.workflow.executeUpdateWithStart(invoiceCreatedUpdate, { startWorkflowOperation: start }), invoiceWorkflowId(id));
        if (state === undefined) return pending(id, invoiceWorkflowId(id));
        const current = state.current ?? state.requests[state.requests.length - 1];
        return {
          ...createdView(id, {
            paymentRequestId: current?.paymentRequestId ?? null,
            paymentRequestCode: current?.paymentRequestCode ?? null,
            paymentUrl: current?.paymentUrl ?? null,
            bankTransfer: current?.bankTransfer ?? null,
            expiresAt: current?.expiresAt ?? null,
          }),
          invoiceId: id,
          workflowId: state.workflowId,
          status: state.status,
          amount: state.amount,
          dueAt: state.dueAt,
        };
      }, creationDeadlineMs);
    },

    async getInvoice(invoiceId: string): Promise<InvoiceState> {
      const id = parseOrThrow(ReferenceSchema, invoiceId, 'invoiceId');
      return guarded('invoice', id, () => client.workflow.getHandle(invoiceWorkflowId(id)).query(invoiceStatusQuery));
    },

    /**
     * Hands a verified webhook to its flow as a notice (the flow confirms it with Finan before counting). A payment
     * no running flow can take goes to the operators' inbox. Resolves once Temporal has recorded it: only then may
     * the webhook be acknowledged.
     */
    async handFinanPayment(event: FinanPaymentEvent): Promise<PaymentHandOff> {
      const target = flowWorkflowIdForReference(event.referenceType, event.referenceId);
      let reason: UnmatchedPaymentNotice['reason'] = 'orphan';
      if (target !== null) {
        const handle = client.workflow.getHandle(target);
        const notice: PaymentNotice = { source: 'webhook', paymentIds: [event.paymentId], paymentRequestId: event.paymentRequestId, amount: event.amount };
        try {
          await handle.signal(paymentNoticeSignal, notice);
          return { outcome: 'signalled', workflowId: target };
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw translateTemporalError(err, 'payment flow', target);
        }
        // Not running: it ended (the payment is late, unless it counted it) or never existed (an orphan).
        const flow = await countingState(handle).catch((err: unknown) => {
          throw translateTemporalError(err, 'payment flow', target);
        });
        if (flow?.state?.payments.some((p) => p.paymentId === event.paymentId)) return { outcome: 'duplicate', workflowId: target };
        if (flow) reason = 'late';
      }
      await api.recordUnmatchedPayments(
        [
          {
            paymentId: event.paymentId,
            reason,
            source: 'webhook',
            flowWorkflowId: reason === 'late' ? target : null,
            paymentRequestId: event.paymentRequestId,
            referenceId: event.referenceId,
            referenceType: event.referenceType,
            amount: event.amount,
            method: event.method,
            createdAt: event.createdAt,
          },
        ],
        { skipKnown: false },
      );
      return { outcome: reason, workflowId: UNMATCHED_PAYMENTS_WORKFLOW_ID };
    },

    /** What each flow has counted (for the reconciliation). */
    async inspectPaymentFlows(workflowIds: readonly string[]): Promise<FlowKnowledge[]> {
      return mapLimited(workflowIds, FLOW_INSPECTION_CONCURRENCY, async (workflowId) => {
        const flow = await countingState(client.workflow.getHandle(workflowId));
        if (!flow) return { workflowId, state: 'missing' as const, countedPaymentIds: [] };
        return { workflowId, state: flow.running ? ('running' as const) : ('closed' as const), countedPaymentIds: flow.state?.payments.map((p) => p.paymentId) ?? [] };
      });
    },

    /**
     * Records payments in the operators' inbox (started on first use), once each. With `skipKnown` (default) the
     * inbox is asked first, so a reconciliation that sees the same late payment again adds nothing to its history.
     * Returns the payment ids sent.
     */
    async recordUnmatchedPayments(notices: readonly UnmatchedPaymentNotice[], opts: { skipKnown?: boolean } = {}): Promise<string[]> {
      let fresh = [...notices];
      if (opts.skipKnown !== false && fresh.length > 0) {
        const inbox = await countingInbox();
        if (inbox) {
          const known = knownUnmatchedIds(inbox);
          fresh = fresh.filter((n) => !known.has(n.paymentId));
        }
      }
      if (fresh.length === 0) return [];
      await guarded('unmatched payments inbox', UNMATCHED_PAYMENTS_WORKFLOW_ID, () =>
        client.workflow.signalWithStart<typeof unmatchedPaymentsWorkflow, [UnmatchedPaymentNotice[]]>('unmatchedPaymentsWorkflow', {
          workflowId: UNMATCHED_PAYMENTS_WORKFLOW_ID,
          taskQueue,
          args: [{}],
          signal: unmatchedPaymentSignal,
          signalArgs: [fresh],
          typedSearchAttributes: [
            { key: searchAttributes.kind, value: 'unmatched_payments' },
            { key: searchAttributes.status, value: 'needs_attention' },
          ],
          staticSummary: 'Payments that matched no running flow: orphans and late payments, for operators',
        }),
      );
      return fresh.map((n) => n.paymentId);
    },

    /** The operators' inbox; empty when nothing was ever unmatched. */
    async getUnmatchedPayments(): Promise<UnmatchedPaymentsState> {
      return (await countingInbox()) ?? { open: [], resolved: [], openAmount: 0, unconfirmedAmount: 0 };
    },

    /** Closes an inbox entry with what the operator did (refund, credit, linked to an order). */
    async resolveUnmatchedPayment(paymentId: string, body: { resolution: string }): Promise<UnmatchedPayment> {
      const { resolution } = parseOrThrow(ResolutionSchema, body);
      return guarded('unmatched payment', paymentId, async () => {
        try {
          return await unmatchedHandle().executeUpdate(resolveUnmatchedPaymentUpdate, { args: [{ paymentId, resolution }] });
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) throw new NotFoundError('unmatched payment', paymentId);
          if (err instanceof WorkflowUpdateFailedError) throw new InvalidStateError(err.cause?.message ?? err.message);
          throw err;
        }
      });
    },

    /**
     * Runs a reconciliation now and answers with its findings. The run is the Schedule's own (triggered), so it
     * reads from the mark the last run left and leaves its own for the next: an on-demand run never loses or skips
     * a period. With a run in progress, it waits for that one and then the next.
     */
    async reconcileNow(): Promise<ReconciliationReport> {
      return guarded('reconciliation', RECONCILIATION_SCHEDULE_ID, async () => {
        const schedule = client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID);
        // By run id: triggered runs within one minute share their workflow id (the Schedule names them by minute).
        const before = new Set(scheduledRuns(await schedule.describe()).map((run) => run.firstExecutionRunId));
        await schedule.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
        for (;;) {
          const started = scheduledRuns(await schedule.describe()).find((run) => !before.has(run.firstExecutionRunId));
          if (started) {
            return client.workflow.getHandle<typeof reconciliationWorkflow>(started.workflowId, undefined, { firstExecutionRunId: started.firstExecutionRunId }).result();
          }
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      },
      // A run lists Finan's payments and asks every flow concerned (and may wait for a run in progress): give it time.
      10 * 60_000);
    },

    /**
     * Creates the reconciliation Schedule, or brings an existing one to `everyMs` and the current action: safe to
     * call at every start-up, by every process.
     */
    async ensureReconciliationSchedule({ everyMs }: { everyMs: number }): Promise<'created' | 'updated'> {
      const spec = { intervals: [{ every: everyMs }] };
      const action = {
        type: 'startWorkflow' as const,
        workflowType: 'reconciliationWorkflow',
        workflowId: RECONCILIATION_SCHEDULE_ID,
        taskQueue,
        // The first run's lookback only: later runs read from the mark the previous run left (its result).
        args: [{ lookbackMs: options.reconcileLookbackMs ?? PAYMENT_DEFAULTS.reconcileLookbackMs }],
        typedSearchAttributes: [{ key: searchAttributes.kind, value: 'reconciliation' }],
      };
      try {
        await client.schedule.create({
          scheduleId: RECONCILIATION_SCHEDULE_ID,
          spec,
          action,
          // One run at a time. Runs missed while the server was down are not replayed one by one: the next run reads
          // everything since the last mark anyway.
          policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
          state: { note: 'Compares Finan payments with the flows; see each run\'s result' },
        });
        return 'created';
      } catch (err) {
        if (!(err instanceof ScheduleAlreadyRunning)) throw translateTemporalError(err, 'schedule', RECONCILIATION_SCHEDULE_ID);
      }
      await client.schedule.getHandle(RECONCILIATION_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
      return 'updated';
    },
  };

  /** The running inbox's state, or undefined when none runs. */
  async function countingInbox(): Promise<UnmatchedPaymentsState | undefined> {
    const handle = unmatchedHandle();
    try {
      if ((await handle.describe()).status.name !== 'RUNNING') return undefined;
      return await handle.query(unmatchedPaymentsQuery);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw translateTemporalError(err, 'unmatched payments inbox', UNMATCHED_PAYMENTS_WORKFLOW_ID);
    }
  }

  return api;
}

export type PaymentsClient = ReturnType<typeof createPaymentsClient>;
