/**
 * Temporal-side activities of the reconciliation: what the flows have counted (queries) and the operators' inbox
 * (signal-with-start). They run on the workflow worker's task queue: they call Temporal, not a provider.
 */
import type { PaymentsClient } from '../client/payments';
import type { FlowKnowledge, UnmatchedPaymentNotice } from '../workflows/definitions';

export function createPaymentFlowActivities(payments: Pick<PaymentsClient, 'inspectPaymentFlows' | 'recordUnmatchedPayments'>) {
  return {
    async inspectPaymentFlows(workflowIds: string[]): Promise<FlowKnowledge[]> {
      return payments.inspectPaymentFlows(workflowIds);
    },

    /** Returns the payment ids newly recorded (those the inbox did not hold yet). */
    async recordUnmatchedPayments(notices: UnmatchedPaymentNotice[]): Promise<string[]> {
      return payments.recordUnmatchedPayments(notices);
    },
  };
}

export type PaymentFlowActivities = ReturnType<typeof createPaymentFlowActivities>;
