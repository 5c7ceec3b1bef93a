/**
 * Finan payment requests and the payments received against them, emulated in memory
 * (https://api.finan.one/open/api/v1/payments).
 *
 * Interpretations of the payments page:
 * - `payment_request_code` and the transfer `remark` are two short codes (the page's example: "PRJXH9KU" and
 *   "TTVD7ZZS"); a bank transfer is matched by a token of its content equal to the remark (or to the code, which
 *   customers copy too), case-insensitively, so "CK TTVD7ZZS thanh toan" matches.
 * - Status comes from the amounts alone (the page's table): unpaid, partial_paid, paid, extra_paid. The page has
 *   no expired status: a link expires 30 minutes after creation (scaled), after which its checkout URL refuses
 *   card/MoMo payments, but a bank transfer can still arrive (the payer's bank pushes it): it is recorded as `late`,
 *   counted in `paid_amount` and webhooked.
 * - A transfer matching no request is recorded as an orphan and webhooked with null request fields: the page says
 *   payments to the account's static QR (no payment request at all) are notified to the same webhook.
 * - `reference_id` is not unique: an invoice gets a new payment request when one expires, with the same reference.
 * - The list and get views show the fields of the page's list example; merchant and customer appear as
 *   `{ name, email }` as they do there.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Scheduler } from '../scheduler';
import type { SourceAccounts } from './accounts';
import { FinanApiError } from './envelope';
import { vietQrForTransfer } from './vietqr';
import type { PaymentWebhookPayload } from './webhooks';

export const PAYMENT_METHODS = ['bank_transfer', 'card', 'ewallet_momo'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export type PaymentRequestStatus = 'unpaid' | 'partial_paid' | 'paid' | 'extra_paid';

/** "Mỗi liên kết thanh toán có hiệu lực trong 30 phút." */
export const PAYMENT_LINK_TTL_MS = 30 * 60_000;

export interface Party {
  name?: string;
  phone?: string;
  address?: string;
  email?: string;
}

export interface PaymentItem {
  name: string;
  price: number;
  quantity: number;
  amount: number;
}

/** A validated `POST /api/v1/payments` body. */
export interface NewPaymentRequest {
  merchant: Party | null;
  items: PaymentItem[] | null;
  customer: Party | null;
  payment_method: PaymentMethod;
  account_id: string | null;
  amount: number;
  description: string | null;
  reference_id: string;
  reference_type: string | null;
  success_redirect_url: string | null;
  failure_redirect_url: string | null;
}

export interface BankTransferDetail {
  qr_code: string;
  bank_name: string;
  account_name: string;
  account_number: string;
  remark: string;
}

/** `data` of the create answer, as in the page's example. */
export interface PaymentRequestCreated {
  payment_request_id: string;
  payment_request_code: string;
  payment_url: string;
  bank_transfer_detail: BankTransferDetail | null;
}

/** One element of `payments[]`. */
export interface PaymentView {
  id: string;
  amount: number;
  method: PaymentMethod;
  created_at: string;
}

/** A payment request as `GET /payments` and `GET /payments/:id` show it. */
export interface PaymentRequestView {
  payment_request_id: string;
  paid_amount: number;
  status: PaymentRequestStatus;
  payment_method: PaymentMethod;
  amount: number;
  description: string | null;
  reference_type: string | null;
  reference_id: string;
  payments: PaymentView[];
  merchant: Party | null;
  customer: Party | null;
}

/** A recorded payment as the test controls show it: matched, late or orphan. */
export interface RecordedPayment extends PaymentView {
  /** The transfer content as the payer typed it (null for card/MoMo). */
  remark: string | null;
  payment_request_id: string | null;
  reference_type: string | null;
  reference_id: string | null;
  /** Matched no payment request. */
  orphan: boolean;
  /** Arrived after the payment request's link expired. */
  late: boolean;
}

/** The sandbox's own view of a payment request, with what the API does not show (codes, expiry). */
export interface PaymentRequestInspection {
  payment_request_id: string;
  payment_request_code: string;
  remark: string | null;
  payment_method: PaymentMethod;
  amount: number;
  paid_amount: number;
  status: PaymentRequestStatus;
  created_at: string;
  expires_at: string;
  expired: boolean;
}

interface PaymentRequestRecord extends NewPaymentRequest {
  payment_request_id: string;
  payment_request_code: string;
  clientId: string;
  created: PaymentRequestCreated;
  createdAtMs: number;
  expiresAtMs: number;
  sequence: number;
  payments: RecordedPayment[];
}

export interface PaymentBookDeps {
  accounts: SourceAccounts;
  scheduler: Scheduler;
  /** Called once per recorded payment, to send the webhook. */
  onPayment: (payload: PaymentWebhookPayload) => void;
}

const CODE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
// Finan's example timestamps carry whole seconds: "2024-01-20T14:30:00Z".
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The page's status table. */
export function statusFromAmounts(amount: number, paidAmount: number): PaymentRequestStatus {
  if (paidAmount === 0) return 'unpaid';
  if (paidAmount < amount) return 'partial_paid';
  return paidAmount === amount ? 'paid' : 'extra_paid';
}

/** A test fault: Finan answering a QR that is not what it claims (wrong amount, or a broken checksum). */
export type QrFault = 'wrong_amount' | 'bad_crc';

export class PaymentBook {
  private requests = new Map<string, PaymentRequestRecord>();
  private qrFault: QrFault | null = null;
  /** Remarks and codes (upper case) of every request, for matching transfers. */
  private byToken = new Map<string, PaymentRequestRecord>();
  private received: RecordedPayment[] = [];
  private sequence = 0;

  constructor(private readonly deps: PaymentBookDeps) {}

  /** Creates a request; `checkoutBase` is where card/MoMo payment pages live (`.../_sandbox/finan/checkout`). */
  create(clientId: string, input: NewPaymentRequest, checkoutBase: string): PaymentRequestCreated {
    // Only a bank transfer pays into the account, so only then must it exist (404 "Không tìm thấy Account ID").
    const bank = input.account_id === null ? undefined : this.deps.accounts.bankOf(input.account_id);
    if (input.payment_method === 'bank_transfer' && bank === undefined) throw new FinanApiError(404, 'Account not found');

    const now = Date.now();
    const id = randomUUID();
    const code = this.freshToken('PR');
    let detail: BankTransferDetail | null = null;
    if (input.payment_method === 'bank_transfer' && bank !== undefined) {
      const remark = this.freshToken('TT');
      const qr = vietQrForTransfer({ bin: bank.bin, accountNumber: bank.account_number, amount: this.qrFault === 'wrong_amount' ? input.amount + 1_000 : input.amount, purpose: remark });
      detail = {
        // A broken checksum: the last hex digit changed.
        qr_code: this.qrFault === 'bad_crc' ? qr.slice(0, -1) + (qr.endsWith('0') ? '1' : '0') : qr,
        bank_name: bank.bank_name,
        account_name: bank.account_name,
        account_number: bank.account_number,
        remark,
      };
    }
    const created: PaymentRequestCreated = {
      payment_request_id: id,
      payment_request_code: code,
      // "URL trang thanh toán (cho card hoặc ewallet_momo, trống cho bank_transfer)".
      payment_url: input.payment_method === 'bank_transfer' ? '' : `${checkoutBase}/${id}`,
      bank_transfer_detail: detail,
    };
    const record: PaymentRequestRecord = {
      ...input,
      payment_request_id: id,
      payment_request_code: code,
      clientId,
      created,
      createdAtMs: now,
      expiresAtMs: now + this.deps.scheduler.scaled(PAYMENT_LINK_TTL_MS),
      sequence: this.sequence++,
      payments: [],
    };
    this.requests.set(id, record);
    this.byToken.set(code, record);
    if (detail !== null) this.byToken.set(detail.remark, record);
    return structuredClone(created);
  }

  /** A client's requests, newest first, filtered by exact `reference_type` / `reference_id` when given. */
  list(clientId: string, filter: { reference_type?: string; reference_id?: string }): PaymentRequestView[] {
    return [...this.requests.values()]
      .filter(
        (request) =>
          request.clientId === clientId &&
          (filter.reference_type === undefined || request.reference_type === filter.reference_type) &&
          (filter.reference_id === undefined || request.reference_id === filter.reference_id),
      )
      .sort((a, b) => b.sequence - a.sequence)
      .map(view);
  }

  get(clientId: string, id: string): PaymentRequestView {
    const request = this.requests.get(id);
    if (request === undefined || request.clientId !== clientId) throw new FinanApiError(404, 'Payment request not found');
    return view(request);
  }

  /** For the test controls: codes and expiry, whatever the client. Undefined for an unknown id. */
  inspect(id: string): PaymentRequestInspection | undefined {
    const request = this.requests.get(id);
    if (request === undefined) return undefined;
    const paid = paidAmount(request);
    return {
      payment_request_id: request.payment_request_id,
      payment_request_code: request.payment_request_code,
      remark: request.created.bank_transfer_detail?.remark ?? null,
      payment_method: request.payment_method,
      amount: request.amount,
      paid_amount: paid,
      status: statusFromAmounts(request.amount, paid),
      created_at: isoSeconds(request.createdAtMs),
      expires_at: new Date(request.expiresAtMs).toISOString(),
      expired: Date.now() >= request.expiresAtMs,
    };
  }

  /** A customer's bank transfer with content `remark`: recorded whether or not it matches, then webhooked. */
  receiveTransfer(remark: string, amount: number): RecordedPayment {
    const tokens = remark.toUpperCase().split(/[^A-Z0-9]+/);
    const request = tokens.map((token) => this.byToken.get(token)).find((found) => found !== undefined);
    if (request?.account_id != null && request.payment_method === 'bank_transfer') this.deps.accounts.credit(request.account_id, amount);
    return this.record(request, 'bank_transfer', amount, remark);
  }

  /** A card or MoMo payment through the payment URL: the request's amount unless told otherwise. */
  payOnline(id: string, amount?: number): RecordedPayment {
    const request = this.requests.get(id);
    if (request === undefined) throw new FinanApiError(404, 'Payment request not found');
    if (request.payment_method === 'bank_transfer') {
      throw new FinanApiError(409, 'This payment request is paid by bank transfer to its VietQR, not through a payment page');
    }
    // A link-based payment cannot start once the link is dead (unlike a bank transfer, pushed by the payer's bank).
    if (Date.now() >= request.expiresAtMs) throw new FinanApiError(410, 'Payment link expired');
    return this.record(request, request.payment_method, amount ?? request.amount, null);
  }

  /** Test control: the QRs of requests created from now on are broken this way (null: correct again). */
  setQrFault(fault: QrFault | null): void {
    this.qrFault = fault;
  }

  /** Every payment received, oldest first, orphans and late ones included. */
  payments(): RecordedPayment[] {
    return this.received.map((payment) => ({ ...payment }));
  }

  clear(): void {
    this.qrFault = null;
    this.requests.clear();
    this.byToken.clear();
    this.received = [];
    this.sequence = 0;
  }

  private record(request: PaymentRequestRecord | undefined, method: PaymentMethod, amount: number, remark: string | null): RecordedPayment {
    const now = Date.now();
    const payment: RecordedPayment = {
      id: `PAY-${randomUUID()}`,
      amount,
      method,
      created_at: isoSeconds(now),
      remark,
      payment_request_id: request?.payment_request_id ?? null,
      reference_type: request?.reference_type ?? null,
      reference_id: request?.reference_id ?? null,
      orphan: request === undefined,
      late: request !== undefined && now >= request.expiresAtMs,
    };
    request?.payments.push(payment);
    this.received.push(payment);
    this.deps.onPayment({
      id: payment.id,
      reference_id: payment.reference_id,
      reference_type: payment.reference_type,
      payment_method: payment.method,
      payment_request_id: payment.payment_request_id,
      amount: payment.amount,
      created_at: payment.created_at,
    });
    return { ...payment };
  }

  /** An 8-character code (`PR…` or `TT…` like the page's examples), unique among codes and remarks. */
  private freshToken(prefix: string): string {
    for (;;) {
      let token = prefix;
      while (token.length < 8) token += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
      if (!this.byToken.has(token)) return token;
    }
  }
}

function paidAmount(request: PaymentRequestRecord): number {
  return request.payments.reduce((sum, payment) => sum + payment.amount, 0);
}

function summaryParty(party: Party | null): Party | null {
  if (party === null) return null;
  const summary: Party = {};
  if (party.name !== undefined) summary.name = party.name;
  if (party.email !== undefined) summary.email = party.email;
  return summary;
}

function view(request: PaymentRequestRecord): PaymentRequestView {
  const paid = paidAmount(request);
  return {
    payment_request_id: request.payment_request_id,
    paid_amount: paid,
    status: statusFromAmounts(request.amount, paid),
    payment_method: request.payment_method,
    amount: request.amount,
    description: request.description,
    reference_type: request.reference_type,
    reference_id: request.reference_id,
    payments: request.payments.map(({ id, amount, method, created_at }) => ({ id, amount, method, created_at })),
    merchant: summaryParty(request.merchant),
    customer: summaryParty(request.customer),
  };
}
