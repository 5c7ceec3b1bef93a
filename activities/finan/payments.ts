/**
 * Finan payment activities: one thin function per signed call to `/api/v1/payments`, errors mapped by the one
 * mapping (`toActivityFailure`). They hand the workflows Finan's facts in our words; the decisions stay there.
 */
import { activityInfo, ApplicationFailure, cancellationSignal, log } from '@temporalio/activity';
import type { FinanClient } from '../../providers/finan/client';
import type { CreatePaymentRequest, PaymentRequest, PaymentRequestCreated } from '../../providers/finan/payment-schemas';
import { decodeVietQr } from '../../providers/vietqr';
import { FinanFailureType } from '../../workflows/common/failures';
import type { CreatedPaymentRequest, PaymentRequestInput, ProviderPaymentRequest } from '../../workflows/payment-request/messages';
import { MAX_INVALID_ANSWER_ATTEMPTS, boundedInvalidAnswers, mapFinanErrors } from './failures';

/** Finan's QR did not pass our check (CRC, account, amount): never handed to a payer. */
export const FINAN_INVALID_QR = FinanFailureType.InvalidQr;
export { MAX_INVALID_ANSWER_ATTEMPTS };

const mapErrors = <T>(call: () => Promise<T>): Promise<T> => mapFinanErrors(call, boundedInvalidAnswers);

/** What Finan needs to create a payment request: the flow's input without its timing, plus the link to an invoice. */
export type CreatePaymentRequestActivityInput = Omit<PaymentRequestInput, 'ttlMs'> & {
  /** `invoice` links the request to the Finan invoice whose id is `referenceId`. */
  referenceType?: string;
  /**
   * Requests of this reference the flow already knows (a payment flow: none; an invoice: those it made). Any other
   * request Finan lists under the reference was made by an earlier attempt or run whose answer was lost.
   */
  knownPaymentRequestIds?: string[];
  /**
   * When Finan's payments over every request of the reference reach this amount, nothing is created: the money
   * an earlier attempt's request collected already covers it. Default: no such check.
   */
  paidEnoughAt?: number;
};

export interface CreatePaymentRequestActivityResult extends CreatedPaymentRequest {
  /**
   * Requests an earlier attempt (or run) made under this reference, adopted: the flow reads them and counts their
   * payments. Finan's list omits the QR, the remark and the creation time, so none of them can be shown to a payer.
   */
  abandonedPaymentRequestIds: string[];
  /**
   * `created` (absent in histories of older versions): a new request, with its QR. `paid_earlier`: nothing was
   * created, because the adopted requests are already paid; the fields above name the most recent adopted one.
   */
  outcome?: 'created' | 'paid_earlier';
}

/**
 * Checks Finan's VietQR before a payer sees it: its CRC, and that it pays the account Finan names, the amount asked.
 * A QR that fails is Finan's fault, never shown: the creation fails with `FinanInvalidQr`.
 */
export function checkFinanQr(created: CreatedPaymentRequest, expected: { amount: number; paymentMethod: string }): void {
  if (expected.paymentMethod !== 'bank_transfer') return;
  const invalid = (reason: string) =>
    ApplicationFailure.create({ message: `Finan's VietQR for payment request ${created.paymentRequestId} ${reason}`, type: FINAN_INVALID_QR });
  const detail = created.bankTransfer;
  if (detail === null) throw invalid('is missing (a bank_transfer request must carry bank_transfer_detail)');
  let qr;
  try {
    qr = decodeVietQr(detail.qrCode);
  } catch (err) {
    throw invalid(`is not a valid VietQR: ${(err as Error).message}`);
  }
  if (qr.accountNumber !== detail.accountNumber) throw invalid(`pays account ****${qr.accountNumber.slice(-4)}, not the account Finan named (****${detail.accountNumber.slice(-4)})`);
  if (qr.amount !== expected.amount) throw invalid(`asks ${qr.amount ?? 'no amount'} VND, not the ${expected.amount} VND requested`);
}

function toCreated(data: PaymentRequestCreated): CreatedPaymentRequest {
  const detail = data.bank_transfer_detail;
  return {
    paymentRequestId: data.payment_request_id,
    paymentRequestCode: data.payment_request_code,
    paymentUrl: data.payment_url,
    bankTransfer: detail
      ? { qrCode: detail.qr_code, bankName: detail.bank_name, accountName: detail.account_name, accountNumber: detail.account_number, remark: detail.remark }
      : null,
  };
}

/** Finan's view, without merchant and customer (PII stays out of history and queries). */
export function fromFinanPaymentRequest(p: PaymentRequest): ProviderPaymentRequest {
  return {
    paymentRequestId: p.payment_request_id,
    referenceId: p.reference_id,
    referenceType: p.reference_type,
    amount: p.amount,
    paidAmount: p.paid_amount,
    status: p.status,
    payments: p.payments.map((payment) => ({
      paymentId: payment.id,
      paymentRequestId: p.payment_request_id,
      amount: payment.amount,
      method: payment.method,
      createdAt: payment.created_at,
    })),
  };
}

function toFinanRequest(input: CreatePaymentRequestActivityInput): CreatePaymentRequest {
  return {
    ...(input.merchant ? { merchant: input.merchant } : {}),
    ...(input.items && input.items.length > 0 ? { items: input.items } : {}),
    ...(input.customer ? { customer: input.customer } : {}),
    payment_method: input.paymentMethod,
    ...(input.accountId ? { account_id: input.accountId } : {}),
    amount: input.amount,
    ...(input.description ? { description: input.description } : {}),
    reference_id: input.referenceId,
    ...(input.referenceType ? { reference_type: input.referenceType } : {}),
    ...(input.successRedirectUrl ? { success_redirect_url: input.successRedirectUrl } : {}),
    ...(input.failureRedirectUrl ? { failure_redirect_url: input.failureRedirectUrl } : {}),
  };
}

/** What the payment activities need: the Finan client. */
export interface FinanPaymentActivityDeps {
  finan: FinanClient;
}

export function createFinanPaymentActivities({ finan }: FinanPaymentActivityDeps) {
  return {
    /**
     * `POST /api/v1/payments`, idempotent by reference. Finan publishes no idempotency key, so **every** attempt (the
     * first of a new run too) first lists the reference: a request an earlier attempt or run made is adopted (read
     * and counted by the flow), and if what was paid to those already covers `paidEnoughAt`, nothing is created.
     * Finan's QR is checked before it is returned.
     */
    async createPaymentRequest(input: CreatePaymentRequestActivityInput): Promise<CreatePaymentRequestActivityResult> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        // Stryker disable next-line ArrayDeclaration: equivalent, a made-up id in an empty list matches no Finan request
        const known = new Set(input.knownPaymentRequestIds ?? []);
        const listed = (await finan.listPaymentRequests({ referenceType: input.referenceType, referenceId: input.referenceId }, { signal })).data.filter(
          (p) => p.reference_id === input.referenceId && (p.reference_type ?? undefined) === input.referenceType,
        );
        const earlier = listed.filter((p) => !known.has(p.payment_request_id)).map((p) => p.payment_request_id);
        if (earlier.length > 0) log.warn('Payment requests made earlier under this reference: adopted', { earlier, attempt: activityInfo().attempt });
        const paid = listed.reduce((sum, p) => sum + p.paid_amount, 0);
        if (input.paidEnoughAt !== undefined && earlier.length > 0 && paid >= input.paidEnoughAt) {
          log.info('Earlier requests already collected the amount: nothing created', { earlier, paid });
          return { paymentRequestId: earlier[0]!, paymentRequestCode: '', paymentUrl: '', bankTransfer: null, abandonedPaymentRequestIds: earlier, outcome: 'paid_earlier' };
        }
        const created = await finan.createPaymentRequest(toFinanRequest(input), { signal });
        log.info('Payment request created', { paymentRequestId: created.data.payment_request_id, requestId: created.requestId });
        const result = toCreated(created.data);
        checkFinanQr(result, input);
        return { ...result, abandonedPaymentRequestIds: earlier, outcome: 'created' };
      });
    },

    /** `GET /api/v1/payments/:id`: Finan's word on what was paid to one request. */
    async getPaymentRequest(paymentRequestId: string): Promise<ProviderPaymentRequest> {
      return mapErrors(async () => fromFinanPaymentRequest((await finan.getPaymentRequest(paymentRequestId, { signal: cancellationSignal() })).data));
    },

    /** `GET /api/v1/payments?reference_type=…&reference_id=…`: every request of a reference (an invoice's renewals). */
    async listPaymentRequests(filter: { referenceType?: string; referenceId?: string }): Promise<ProviderPaymentRequest[]> {
      return mapErrors(async () => (await finan.listPaymentRequests(filter, { signal: cancellationSignal() })).data.map(fromFinanPaymentRequest));
    },

    /**
     * `GET /api/v1/payments`, keeping requests with a payment made at or after `since` (ISO) and only those payments:
     * the reconciliation's input stays small however long the merchant's history at Finan grows.
     */
    async listRecentlyPaidRequests(since: string): Promise<ProviderPaymentRequest[]> {
      const sinceMs = Date.parse(since);
      return mapErrors(async () => {
        const listed = (await finan.listPaymentRequestsPaidSince(since, { signal: cancellationSignal() })).data.map(fromFinanPaymentRequest);
        return listed
          .map((request) => ({ ...request, payments: request.payments.filter((p) => !(Date.parse(p.createdAt) < sinceMs)) }))
          .filter((request) => request.payments.length > 0);
      });
    },
  };
}

export type FinanPaymentActivities = ReturnType<typeof createFinanPaymentActivities>;
