/**
 * An invoice collected through Finan payment requests (`reference_type: "invoice"`, `reference_id`: the invoice id):
 * a request for what is owed; when its link expires unpaid and the invoice is not past due, a new one for the rest.
 * The paid amount is Finan's total over every request of the invoice (the list filtered by reference), never a sum
 * of webhooks. Ends paid, extra_paid (a refund decision) or overdue; continues as new so history stays bounded.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { FinanPaymentActivities } from '../../activities/finan/payments';
import { failureInfo } from '../common/failure-info';
import { creationFailureStatus } from '../common/failures';
import { shouldContinueAsNew } from '../common/history';
import { searchAttributes } from '../common/search-attributes';
import { creation, finalReads, reads, renewalUntil } from '../payment-request/activities';
import { PAYMENT_REQUEST_REJECTED_FAILURE, paymentNoticeSignal } from '../payment-request/messages';
import { mergeConfirmedPayments, paidAmountOf, paymentStatusFromAmounts, takeNotice, unconfirmedView } from '../payment-request/rules';
import type { InvoicePaymentInput, InvoicePaymentRequest, InvoiceState, InvoiceStatus } from './messages';
import { INVOICE_REFERENCE_TYPE, INVOICE_UNAVAILABLE_FAILURE, invoiceCreatedUpdate, invoiceStatusQuery } from './messages';
import { INVOICE_DEFAULTS, boundedRequests, invoiceAfterLinkExpiry, isFinalInvoiceStatus } from './rules';

export async function invoicePaymentWorkflow(input: InvoicePaymentInput): Promise<InvoiceState> {
  const linkTtlMs = input.linkTtlMs ?? INVOICE_DEFAULTS.linkTtlMs;
  const maxHistoryEvents = input.maxHistoryEvents ?? INVOICE_DEFAULTS.maxHistoryEvents;
  const dueAtMs = Date.parse(input.dueAt);
  const startedAt = new Date().toISOString();
  const state: InvoiceState = input.carried
    ? { ...input.carried, run: input.carried.run + 1 }
    : {
        invoiceId: input.invoiceId,
        workflowId: workflowInfo().workflowId,
        status: 'creating',
        amount: input.amount,
        paidAmount: 0,
        dueAt: input.dueAt,
        description: input.description ?? null,
        current: null,
        requests: [],
        requestCount: 0,
        payments: [],
        unconfirmedPaymentIds: [],
        run: 1,
        createdAt: startedAt,
        updatedAt: startedAt,
        failure: null,
      };

  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;

  const setStatus = (status: InvoiceStatus): void => {
    const changed = status !== state.status;
    state.status = status;
    state.updatedAt = new Date().toISOString();
    if (changed && searchable) upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
    if (changed) log.info('Invoice status changed', { invoiceId: state.invoiceId, status, paidAmount: state.paidAmount });
  };

  const counted = new Set(state.payments.map((p) => p.paymentId));
  /** Announced payment ids Finan has not listed yet, with the amount claimed; carried (bounded) across runs. */
  const announced = new Map<string, number | null>(state.unconfirmedPaymentIds.map((id) => [id, null]));
  let readRequested = false;
  const snapshot = (): InvoiceState => ({ ...state, ...unconfirmedView(announced) });

  setHandler(invoiceStatusQuery, snapshot);

  setHandler(paymentNoticeSignal, (raw) => {
    const taken = takeNotice(raw, counted, announced);
    if (taken.outcome === 'ignored') return log.warn('Payment notice ignored: not a notice', { invoiceId: state.invoiceId });
    if (taken.outcome === 'duplicate') return log.info('Duplicate payment notice ignored', { invoiceId: state.invoiceId, paymentIds: taken.notice.paymentIds });
    readRequested = true;
  });

  setHandler(invoiceCreatedUpdate, async () => {
    await condition(() => state.current !== null || isFinalInvoiceStatus(state.status));
    if (state.status === 'rejected') {
      throw ApplicationFailure.nonRetryable(state.failure?.message ?? 'Finan refused the payment request', state.failure?.type ?? PAYMENT_REQUEST_REJECTED_FAILURE, state.failure);
    }
    if (state.status === 'unavailable') {
      throw ApplicationFailure.nonRetryable(`Finan could not create the invoice's payment request: ${state.failure?.message ?? 'no answer'}`, INVOICE_UNAVAILABLE_FAILURE, state.failure);
    }
    return snapshot();
  });

  /** Finan's list for the invoice: every request, renewals and lost-answer duplicates included. */
  const readFinan = async (activities: FinanPaymentActivities): Promise<void> => {
    const listed = await activities.listPaymentRequests({ referenceType: INVOICE_REFERENCE_TYPE, referenceId: state.invoiceId });
    for (const request of listed) {
      const mine = state.requests.find((r) => r.paymentRequestId === request.paymentRequestId);
      if (mine) mine.paidAmount = paidAmountOf(request.payments);
      for (const payment of request.payments) announced.delete(payment.paymentId);
      const { payments, added } = mergeConfirmedPayments(state.payments, request.payments);
      if (added.length === 0) continue;
      for (const payment of added) counted.add(payment.paymentId);
      state.payments = payments;
      log.info('Invoice payments confirmed by Finan', { invoiceId: state.invoiceId, paymentIds: added.map((p) => p.paymentId) });
    }
    state.paidAmount = paidAmountOf(state.payments);
  };

  const readOrNote = async (activities: FinanPaymentActivities, what: string): Promise<void> => {
    try {
      await readFinan(activities);
      state.failure = null;
    } catch (err) {
      state.failure = { ...failureInfo(err), message: `${what} failed: ${failureInfo(err).message}` };
      log.warn(`${what} failed`, { invoiceId: state.invoiceId, error: state.failure.message });
    }
  };

  const finish = async (): Promise<InvoiceState> => {
    await condition(allHandlersFinished);
    return snapshot();
  };

  let listTotalTrusted = true;
  for (;;) {
    // 1. A payment request for what is still owed.
    if (state.current === null) {
      const outstanding = state.amount - state.paidAmount;
      try {
        const activities = state.requestCount === 0 ? creation : renewalUntil(dueAtMs);
        // Every attempt lists the invoice's requests first: nothing is created when Finan's total over all of them
        // (an earlier run's included) already covers the invoice; the invoice counts every request of its reference.
        const created = await activities.createPaymentRequest({
          referenceId: state.invoiceId,
          referenceType: INVOICE_REFERENCE_TYPE,
          accountId: input.accountId,
          amount: outstanding,
          paymentMethod: input.paymentMethod,
          description: input.description,
          knownPaymentRequestIds: state.requests.map((r) => r.paymentRequestId),
          // Once only: should Finan's list total and its payments disagree, the next attempt creates a request.
          paidEnoughAt: listTotalTrusted ? state.amount : undefined,
        });
        if (created.outcome === 'paid_earlier') {
          await readOrNote(finalReads, 'The read of Finan before a new request');
          const next = invoiceAfterLinkExpiry({ amount: state.amount, paidAmount: state.paidAmount, nowMs: Date.now(), dueAtMs });
          if (next.action === 'end') {
            setStatus(next.status);
            return finish();
          }
          listTotalTrusted = false;
          continue;
        }
        const now = Date.now();
        const request: InvoicePaymentRequest = {
          paymentRequestId: created.paymentRequestId,
          paymentRequestCode: created.paymentRequestCode,
          paymentUrl: created.paymentUrl,
          bankTransfer: created.bankTransfer,
          amount: outstanding,
          paidAmount: 0,
          createdAt: new Date(now).toISOString(),
          expiresAt: new Date(now + linkTtlMs).toISOString(),
          open: true,
        };
        state.requests.push(request);
        state.requestCount++;
        state.current = request;
        state.failure = null;
        if (searchable) upsertSearchAttributes([{ key: searchAttributes.providerId, value: request.paymentRequestId }]);
        setStatus(paymentStatusFromAmounts(state.amount, state.paidAmount));
      } catch (err) {
        state.failure = failureInfo(err);
        // No request can be made: an operator must look (the invoice keeps what was paid so far).
        if (!patched('unavailable-reference-reusable')) {
          setStatus(state.requestCount > 0 && Date.now() >= dueAtMs ? 'overdue' : 'rejected');
          return finish();
        }
        if (state.requestCount > 0 && Date.now() >= dueAtMs) {
          setStatus('overdue');
          return finish();
        }
        const status = creationFailureStatus(state.failure.type);
        setStatus(status);
        await finish();
        if (status === 'rejected') return snapshot();
        // A failed run lets the invoice be collected again (ALLOW_DUPLICATE_FAILED_ONLY); the new run counts every
        // request Finan lists under the invoice, this run's included.
        throw ApplicationFailure.nonRetryable(`Invoice ${state.invoiceId} unavailable: ${state.failure.message}`, INVOICE_UNAVAILABLE_FAILURE, state.failure);
      }
    }

    // 2. Collect until the link expires; each notice makes the flow re-read Finan.
    const current = state.current;
    let linkExpired = false;
    // The rejection handler keeps a cancelled workflow from failing its task on this timer.
    sleep(Math.max(Date.parse(current.expiresAt) - Date.now(), 0)).then(
      () => (linkExpired = true),
      () => undefined,
    );
    for (;;) {
      await condition(() => readRequested || linkExpired);
      if (linkExpired) break;
      readRequested = false;
      await readOrNote(reads, 'Reading Finan after a payment notice');
      setStatus(paymentStatusFromAmounts(state.amount, state.paidAmount));
    }

    // 3. The link expired: the invoice's total from Finan, then end or renew.
    do {
      readRequested = false;
      await readOrNote(finalReads, 'The read of Finan at the link expiry');
    } while (readRequested);
    current.open = false;
    state.current = null;
    state.requests = boundedRequests(state.requests, INVOICE_DEFAULTS.keptUnpaidRequests);
    const next = invoiceAfterLinkExpiry({ amount: state.amount, paidAmount: state.paidAmount, nowMs: Date.now(), dueAtMs });
    if (next.action === 'end') {
      setStatus(next.status);
      return finish();
    }
    setStatus(paymentStatusFromAmounts(state.amount, state.paidAmount));

    // Nothing is awaited between the last read and here, so no notice can be pending; one arriving while the run
    // closes makes Temporal replay this task with it, and the read loop above takes it.
    if (shouldContinueAsNew(workflowInfo(), maxHistoryEvents)) {
      await continueAsNew<typeof invoicePaymentWorkflow>({ ...input, carried: snapshot() });
    }
  }
}
