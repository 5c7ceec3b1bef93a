/** How the payment flows call Finan: one retry profile per purpose, shared by payment requests and invoices. */
import type { Duration, RetryPolicy } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { FinanPaymentActivities } from '../../activities/finan/payments';
import { FINAN_READ_REFUSALS, FINAN_REQUEST_REFUSALS, NON_RETRYABLE_FINAN_FAILURES } from '../common/failures';
import { FINAN_TASK_QUEUE } from '../common/task-queues';

const retryOn = (initialInterval: Duration, maximumInterval: Duration, nonRetryableErrorTypes: string[] = NON_RETRYABLE_FINAN_FAILURES): RetryPolicy => ({
  initialInterval,
  backoffCoefficient: 2,
  maximumInterval,
  nonRetryableErrorTypes,
});

/** A read stops only on a request Finan calls malformed or does not know; renewals retry 401/403 too (an operator's fix). */
const READ_REFUSALS = FINAN_READ_REFUSALS;

/**
 * A payer is waiting for the QR: retry briefly, then report that Finan could not be reached (the flow ends
 * `unavailable` and the reference can be submitted again). 401/403 end it at once: they will not fix themselves.
 */
export const creation = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: retryOn('1 second', '10 seconds'),
});

/**
 * Reads decide money state, so a failed one is retried until Finan answers, however long its outage: no
 * schedule-to-close. The history stays flat (one activity), and the Temporal UI shows the pending read's last error.
 */
export const reads = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  retry: retryOn('1 second', '5 minutes', READ_REFUSALS),
});

/** The final read decides the outcome: like every read it waits out a Finan outage rather than guess. */
export const finalReads = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  retry: retryOn('2 seconds', '10 minutes', READ_REFUSALS),
});

/** A renewal has no payer waiting: it retries through a Finan outage (and a credentials fix), up to the due date. */
export const renewalUntil = (dueAtMs: number) =>
  proxyActivities<FinanPaymentActivities>({
    taskQueue: FINAN_TASK_QUEUE,
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(dueAtMs - Date.now(), 60_000),
    retry: retryOn('2 seconds', '5 minutes', FINAN_REQUEST_REFUSALS),
  });
