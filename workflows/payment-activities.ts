/** How the payment flows call Finan: one retry profile per purpose, shared by payment requests and invoices. */
import type { Duration, RetryPolicy } from '@temporalio/common';
import { proxyActivities } from '@temporalio/workflow';
import type { FinanPaymentActivities } from '../activities/finan-payments';
import { FINAN_TASK_QUEUE, NON_RETRYABLE_FINAN_FAILURES } from './definitions';

const retryOn = (initialInterval: Duration, maximumInterval: Duration): RetryPolicy => ({
  initialInterval,
  backoffCoefficient: 2,
  maximumInterval,
  nonRetryableErrorTypes: NON_RETRYABLE_FINAN_FAILURES,
});

/** A payer is waiting for the QR: retry briefly, then report that Finan could not be reached. */
export const creation = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 minute',
  retry: retryOn('1 second', '10 seconds'),
});

/** A read prompted by a notice: a failed one is retried by the next notice, the reconciliation or the final read. */
export const reads = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '5 minutes',
  retry: retryOn('1 second', '1 minute'),
});

/** The final read decides the outcome: it waits out a Finan outage (up to a day) rather than guess. */
export const finalReads = proxyActivities<FinanPaymentActivities>({
  taskQueue: FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '24 hours',
  retry: retryOn('2 seconds', '10 minutes'),
});

/** A renewal has no payer waiting: it retries through a Finan outage, up to the due date. */
export const renewalUntil = (dueAtMs: number) =>
  proxyActivities<FinanPaymentActivities>({
    taskQueue: FINAN_TASK_QUEUE,
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: Math.max(dueAtMs - Date.now(), 60_000),
    retry: retryOn('2 seconds', '5 minutes'),
  });
