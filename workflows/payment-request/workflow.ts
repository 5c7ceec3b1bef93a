/**
 * A payment request through Finan, collected until its link expires:
 * create (VietQR, remark, URL; adopting whatever an earlier attempt or run left at Finan) → count the payments Finan confirms (webhooks and the reconciliation are hints that
 * make the flow re-read Finan) → at the link's expiry read Finan once more → end paid, extra_paid, expired or
 * expired_partial. A creation that could not reach Finan ends `unavailable` and fails the run (type
 * `PaymentRequestUnavailable`), so the reference can be submitted again.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
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
import { searchAttributes } from '../common/search-attributes';
import { creation, finalReads, reads } from './activities';
import type { PaymentRequestInput, PaymentRequestState, PaymentRequestStatus, ProviderPaymentRequest } from './messages';
import {
  PAYMENT_REQUEST_REJECTED_FAILURE,
  PAYMENT_REQUEST_UNAVAILABLE_FAILURE,
  paymentNoticeSignal,
  paymentRequestCreatedUpdate,
  paymentRequestStatusQuery,
} from './messages';
import {
  PAYMENT_REQUEST_DEFAULTS,
  finalPaymentRequestStatus,
  mergeConfirmedPayments,
  paidAmountOf,
  paymentStatusFromAmounts,
  takeNotice,
  unconfirmedView,
} from './rules';

export async function paymentRequestWorkflow(input: PaymentRequestInput): Promise<PaymentRequestState> {
  const ttlMs = input.ttlMs ?? PAYMENT_REQUEST_DEFAULTS.ttlMs;
  const startedAt = new Date().toISOString();
  const state: PaymentRequestState = {
    referenceId: input.referenceId,
    workflowId: workflowInfo().workflowId,
    status: 'creating',
    amount: input.amount,
    paidAmount: 0,
    payments: [],
    paymentMethod: input.paymentMethod,
    description: input.description ?? null,
    paymentRequestId: null,
    paymentRequestCode: null,
    paymentUrl: null,
    bankTransfer: null,
    expiresAt: null,
    unconfirmedPaymentIds: [],
    unconfirmedAmount: 0,
    adoptedPaymentRequestIds: [],
    createdAt: startedAt,
    updatedAt: startedAt,
    failure: null,
  };

  // Only a flow started with dongflow's search attributes upserts them (see the payout workflow).
  const searchable = workflowInfo().typedSearchAttributes.get(searchAttributes.kind) !== undefined;

  const setStatus = (status: PaymentRequestStatus): void => {
    const changed = status !== state.status;
    state.status = status;
    state.updatedAt = new Date().toISOString();
    if (!changed) return;
    if (searchable) {
      upsertSearchAttributes([
        { key: searchAttributes.status, value: status },
        ...(state.paymentRequestId ? [{ key: searchAttributes.providerId, value: state.paymentRequestId }] : []),
      ]);
    }
    log.info('Payment request status changed', { referenceId: state.referenceId, status, paidAmount: state.paidAmount });
  };

  /** Requests whose payments count for this flow: ours, and any an earlier creation attempt made. */
  const requestIds = new Set<string>();
  /** Request ids named by notices but not ours yet: counted only if Finan says they carry our reference. */
  const candidateIds = new Set<string>();
  const counted = new Set<string>();
  /** Payment ids a notice announced and Finan has not listed yet, with the amount the notice claimed. */
  const announced = new Map<string, number | null>();
  let readRequested = false;
  const snapshot = (): PaymentRequestState => ({ ...state, ...unconfirmedView(announced) });

  setHandler(paymentRequestStatusQuery, snapshot);

  setHandler(paymentNoticeSignal, (raw) => {
    const taken = takeNotice(raw, counted, announced);
    // A signal cannot be refused: an unusable one is noted and dropped.
    if (taken.outcome === 'ignored') return log.warn('Payment notice ignored: not a notice', { referenceId: state.referenceId });
    if (taken.outcome === 'duplicate') return log.info('Duplicate payment notice ignored', { referenceId: state.referenceId, paymentIds: taken.notice.paymentIds });
    const { notice } = taken;
    if (notice.paymentRequestId && !requestIds.has(notice.paymentRequestId)) candidateIds.add(notice.paymentRequestId);
    readRequested = true;
  });

  setHandler(paymentRequestCreatedUpdate, async () => {
    await condition(() => state.status !== 'creating');
    if (state.status === 'rejected') {
      throw ApplicationFailure.nonRetryable(state.failure?.message ?? 'Finan refused the payment request', state.failure?.type ?? PAYMENT_REQUEST_REJECTED_FAILURE, state.failure);
    }
    if (state.status === 'unavailable') {
      throw ApplicationFailure.nonRetryable(`Finan could not create the payment request: ${state.failure?.message ?? 'no answer'}`, PAYMENT_REQUEST_UNAVAILABLE_FAILURE, state.failure);
    }
    return snapshot();
  });

  const applyProvider = (request: ProviderPaymentRequest): void => {
    const { payments, added } = mergeConfirmedPayments(state.payments, request.payments);
    for (const payment of request.payments) announced.delete(payment.paymentId);
    if (added.length === 0) return;
    for (const payment of added) counted.add(payment.paymentId);
    state.payments = payments;
    state.paidAmount = paidAmountOf(payments);
    log.info('Payments confirmed by Finan', { referenceId: state.referenceId, paymentIds: added.map((p) => p.paymentId), paidAmount: state.paidAmount });
  };

  /** Reads Finan for every request of this flow; money state moves only on what Finan lists. */
  const readFinan = async (activities: FinanPaymentActivities): Promise<void> => {
    for (const id of [...requestIds, ...candidateIds]) {
      const request = await activities.getPaymentRequest(id);
      if (candidateIds.delete(id)) {
        if (request.referenceId !== input.referenceId || request.referenceType !== null) {
          log.warn('Notice named a payment request of another reference; ignored', { referenceId: state.referenceId, paymentRequestId: id });
          continue;
        }
        requestIds.add(id);
      }
      applyProvider(request);
    }
  };

  const finish = async (): Promise<PaymentRequestState> => {
    await condition(allHandlersFinished);
    return snapshot();
  };

  // 1. Create the request at Finan (adopting any an earlier attempt or run made): the caller answers its payer with
  // the QR and remark.
  let paidEarlier = false;
  try {
    const created = await creation.createPaymentRequest({
      referenceId: input.referenceId,
      accountId: input.accountId,
      amount: input.amount,
      paymentMethod: input.paymentMethod,
      description: input.description,
      items: input.items,
      customer: input.customer,
      merchant: input.merchant,
      successRedirectUrl: input.successRedirectUrl,
      failureRedirectUrl: input.failureRedirectUrl,
      knownPaymentRequestIds: [],
      paidEnoughAt: input.amount,
    });
    requestIds.add(created.paymentRequestId);
    for (const id of created.abandonedPaymentRequestIds) requestIds.add(id);
    state.adoptedPaymentRequestIds = [...created.abandonedPaymentRequestIds];
    paidEarlier = created.outcome === 'paid_earlier';
    state.paymentRequestId = created.paymentRequestId;
    state.paymentRequestCode = paidEarlier ? null : created.paymentRequestCode;
    state.paymentUrl = paidEarlier ? null : created.paymentUrl;
    state.bankTransfer = created.bankTransfer;
  } catch (err) {
    state.failure = failureInfo(err);
    // Older runs ended `rejected` on any failure; now only Finan's refusal of the request itself is final.
    if (!patched('unavailable-reference-reusable')) {
      setStatus('rejected');
      return finish();
    }
    const status = creationFailureStatus(state.failure.type);
    setStatus(status);
    await finish();
    if (status === 'rejected') return snapshot();
    // Failing (not completing) the run is what lets the start's ALLOW_DUPLICATE_FAILED_ONLY reuse the reference.
    throw ApplicationFailure.nonRetryable(`Payment request ${state.referenceId} unavailable: ${state.failure.message}`, PAYMENT_REQUEST_UNAVAILABLE_FAILURE, state.failure);
  }
  if (paidEarlier) {
    // Requests an earlier run left at Finan already collected the amount: count them and end as Finan says.
    await readFinan(finalReads);
    setStatus(finalPaymentRequestStatus(state.amount, state.paidAmount));
    return finish();
  }
  // The link's lifetime counts from Finan's answer: one timer, however many notices arrive.
  state.expiresAt = new Date(Date.now() + ttlMs).toISOString();
  let expired = false;
  // The rejection handler keeps a cancelled workflow from failing its task on this timer.
  sleep(ttlMs).then(
    () => (expired = true),
    () => undefined,
  );
  setStatus('unpaid');

  // 2. Until the link expires, each notice makes the flow re-read Finan.
  for (;;) {
    await condition(() => readRequested || expired);
    if (expired) break;
    readRequested = false;
    try {
      // Retried until Finan answers (see `reads`): only a refusal no retry can fix lands below.
      await readFinan(reads);
      state.failure = null;
    } catch (err) {
      const failure = failureInfo(err);
      state.failure = failure;
      log.warn('Reading Finan after a payment notice was refused; the final read will settle it', { referenceId: state.referenceId, error: failure.message });
    }
    setStatus(paymentStatusFromAmounts(state.amount, state.paidAmount));
  }

  // 3. At expiry, one reconciliation read, then the final status. A notice that arrived meanwhile gets its read too.
  // The read is retried until Finan answers, however long it is down: the flow never ends on a guess.
  do {
    readRequested = false;
    try {
      await readFinan(finalReads);
      state.failure = null;
    } catch (err) {
      // Only a refusal no retry can fix (Finan no longer knows the request) gets here.
      state.failure = { ...failureInfo(err), message: `The final read of Finan was refused; the status is from the payments confirmed before: ${failureInfo(err).message}` };
    }
  } while (readRequested);
  setStatus(finalPaymentRequestStatus(state.amount, state.paidAmount));
  return finish();
}
