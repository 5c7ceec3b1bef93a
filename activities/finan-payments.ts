/**
 * Finan payment activities: one thin function per signed call to `/api/v1/payments`, errors mapped by the one
 * mapping (`toActivityFailure`). They hand the workflows Finan's facts in our words; the decisions stay there.
 */
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import type { FinanClient } from '../providers/finan/client';
import type { CreatePaymentRequest, PaymentRequest, PaymentRequestCreated } from '../providers/finan/payment-schemas';
import type {
  CreatedPaymentRequest,
  PaymentRequestInput,
  ProviderPaymentRequest,
} from '../workflows/definitions';
import { toActivityFailure } from './finan';

async function mapErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toActivityFailure(err);
  }
}

/** What Finan needs to create a payment request: the flow's input without its timing, plus the link to an invoice. */
export type CreatePaymentRequestActivityInput = Omit<PaymentRequestInput, 'ttlMs'> & {
  /** `invoice` links the request to the Finan invoice whose id is `referenceId`. */
  referenceType?: string;
  /**
   * Given for a reference that has exactly these requests so far (a payment flow: none). A retry then lists the
   * reference first: any other request found was made by an earlier attempt whose answer was lost.
   */
  knownPaymentRequestIds?: string[];
};

export interface CreatePaymentRequestActivityResult extends CreatedPaymentRequest {
  /**
   * Requests an earlier attempt created but whose answer (and so its QR) was lost. Finan has no idempotency key and
   * its list omits the QR, so a new one is made; the flow keeps reading these too, so money paid to them counts.
   */
  abandonedPaymentRequestIds: string[];
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

export function createFinanPaymentActivities(finan: FinanClient) {
  return {
    /** `POST /api/v1/payments`; a retry first looks for requests an earlier attempt made (see the input). */
    async createPaymentRequest(input: CreatePaymentRequestActivityInput): Promise<CreatePaymentRequestActivityResult> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        let abandoned: string[] = [];
        if (input.knownPaymentRequestIds && activityInfo().attempt > 1) {
          const known = new Set(input.knownPaymentRequestIds);
          const listed = await finan.listPaymentRequests({ referenceType: input.referenceType, referenceId: input.referenceId }, { signal });
          abandoned = listed.data
            .filter((p) => !known.has(p.payment_request_id) && (p.reference_type ?? undefined) === input.referenceType)
            .map((p) => p.payment_request_id);
          if (abandoned.length > 0) log.warn('Payment request made by an earlier attempt; its answer was lost', { abandoned, attempt: activityInfo().attempt });
        }
        const created = await finan.createPaymentRequest(toFinanRequest(input), { signal });
        log.info('Payment request created', { paymentRequestId: created.data.payment_request_id, requestId: created.requestId });
        return { ...toCreated(created.data), abandonedPaymentRequestIds: abandoned };
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
        const listed = (await finan.listPaymentRequests({}, { signal: cancellationSignal() })).data.map(fromFinanPaymentRequest);
        return listed
          .map((request) => ({ ...request, payments: request.payments.filter((p) => !(Date.parse(p.createdAt) < sinceMs)) }))
          .filter((request) => request.payments.length > 0);
      });
    },
  };
}

export type FinanPaymentActivities = ReturnType<typeof createFinanPaymentActivities>;
