/**
 * Payments that reach dongflow outside a flow's own reads: Finan's webhooks handed to their flow, the reconciliation
 * (scheduled, or now) and the operators' inbox of unmatched payments. Also what the reconciliation's Temporal-side
 * activities are given (`PaymentFlowLookups`): what each flow counted, and the inbox's signal-with-start.
 */
import type { Client, ScheduleDescription, WorkflowHandle } from '@temporalio/client';
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { PaymentFlowLookups } from '../activities/reconciliation';
import { searchAttributes } from '../workflows/common/search-attributes';
import { WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import type { ConfirmedPayment, PaymentNotice } from '../workflows/payment-request/messages';
import { paymentNoticeSignal } from '../workflows/payment-request/messages';
import type { FlowKnowledge, ReconciliationReport, UnmatchedPayment, UnmatchedPaymentNotice, UnmatchedPaymentsState } from '../workflows/reconciliation/messages';
import {
  RECONCILIATION_SCHEDULE_ID,
  UNMATCHED_PAYMENTS_WORKFLOW_ID,
  resolveUnmatchedPaymentUpdate,
  unmatchedPaymentSignal,
  unmatchedPaymentsQuery,
} from '../workflows/reconciliation/messages';
import { RECONCILIATION_DEFAULTS, flowWorkflowIdForReference, knownUnmatchedIds } from '../workflows/reconciliation/rules';
import type { reconciliationWorkflow, unmatchedPaymentsWorkflow } from '../workflows/reconciliation/workflow';
import { InvalidStateError, NotFoundError } from './errors';
import { parseOrThrow } from './schemas/common';
import { ResolutionSchema } from './schemas/reconciliation';
import type { TemporalCallOptions } from './temporal';
import { guardedCalls, translateTemporalError } from './temporal';

export interface ReconciliationClientOptions extends TemporalCallOptions {
  /** How far back the very first reconciliation looks at Finan's payments. */
  reconcileLookbackMs?: number;
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

export function createReconciliationClient(client: Client, options: ReconciliationClientOptions = {}) {
  const taskQueue = options.taskQueue ?? WORKFLOW_TASK_QUEUE;
  const guarded = guardedCalls(client, options);

  /** The final or current state of a flow that counts payments; undefined when no such flow was ever started. */
  const countingState = async (handle: WorkflowHandle): Promise<{ running: boolean; state: CountingFlowState | undefined } | undefined> => {
    let status: string;
    try {
      status = (await handle.describe()).status.name;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    const running = status === 'RUNNING';
    if (status === 'COMPLETED') {
      // A completed flow's result is its final state, read from its history: no worker needed, unlike a query, which
      // fails while workers restart and would make a payment the flow counted look late.
      return { running, state: (await handle.result()) as CountingFlowState };
    }
    try {
      return { running, state: await handle.query<CountingFlowState>('status') };
    } catch (err) {
      // A flow that cannot answer (a crashed run) is treated as having counted nothing: its payments go to operators.
      if (running) throw err;
      return { running, state: undefined };
    }
  };

  const unmatchedHandle = () => client.workflow.getHandle<typeof unmatchedPaymentsWorkflow>(UNMATCHED_PAYMENTS_WORKFLOW_ID);

  const api = {
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
        args: [{ lookbackMs: options.reconcileLookbackMs ?? RECONCILIATION_DEFAULTS.lookbackMs }],
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

  return api satisfies PaymentFlowLookups;
}

export type ReconciliationClient = ReturnType<typeof createReconciliationClient>;
