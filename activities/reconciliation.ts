/**
 * Temporal-side activities of the reconciliation: what the flows have counted (queries) and the operators' inbox
 * (signal-with-start). They run on the workflow worker's task queue: they call Temporal, not a provider. Temporal is
 * reached through the injected `PaymentFlowLookups`, implemented by the client library (`client/reconciliation.ts`)
 * and wired by the worker: activities never import the client.
 */
import type { FlowKnowledge, UnmatchedPaymentNotice } from '../workflows/reconciliation/messages';

export interface PaymentFlowLookups {
  /** What each flow has counted, and whether it still runs. */
  inspectPaymentFlows(workflowIds: string[]): Promise<FlowKnowledge[]>;
  /** Records notices in the operators' inbox; returns the payment ids newly recorded. */
  recordUnmatchedPayments(notices: UnmatchedPaymentNotice[]): Promise<string[]>;
}

export function createPaymentFlowActivities({ flows }: { flows: PaymentFlowLookups }) {
  return {
    async inspectPaymentFlows(workflowIds: string[]): Promise<FlowKnowledge[]> {
      return flows.inspectPaymentFlows(workflowIds);
    },

    /** Returns the payment ids newly recorded (those the inbox did not hold yet). */
    async recordUnmatchedPayments(notices: UnmatchedPaymentNotice[]): Promise<string[]> {
      return flows.recordUnmatchedPayments(notices);
    },
  };
}

export type PaymentFlowActivities = ReturnType<typeof createPaymentFlowActivities>;
