/**
 * Zod schemas of Finan's payment API (`/api/v1/payments`) and its payment webhook, in Finan's own (snake_case)
 * words. Requests are checked strictly before sending; responses tolerate fields Finan may add later.
 */
import { z } from 'zod';
import { finanText, nonEmpty, orRequired, text } from './schemas';

export const PaymentMethod = z.enum(['bank_transfer', 'card', 'ewallet_momo']);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** The page's four statuses, from the amounts: 0 → unpaid, below → partial_paid, equal → paid, above → extra_paid. */
export const PaymentRequestStatus = z.enum(['unpaid', 'partial_paid', 'paid', 'extra_paid']);
export type PaymentRequestStatus = z.infer<typeof PaymentRequestStatus>;

/** The page's only documented `reference_type`: links the request to a Finan invoice whose id is `reference_id`. */
export const INVOICE_REFERENCE_TYPE = 'invoice';

const vnd = () => z.number({ error: orRequired('must be a number') }).int({ error: 'must be an integer (smallest currency unit)' });
const httpUrl = () => z.url({ protocol: /^https?$/, error: orRequired('must be an http(s) URL') });

export const PaymentMerchant = z.strictObject({
  name: text().optional(),
  phone: text().optional(),
  address: text().optional(),
  email: text().optional(),
});
export type PaymentMerchant = z.infer<typeof PaymentMerchant>;

/** One line: `amount` must be `price × quantity` (checked with the whole request). */
export const PaymentItem = z.strictObject({
  name: nonEmpty(),
  price: vnd().nonnegative({ error: 'must not be negative' }),
  quantity: z.number({ error: orRequired('must be a number') }).int({ error: 'must be an integer' }).positive({ error: 'must be positive' }),
  amount: vnd().nonnegative({ error: 'must not be negative' }),
});
export type PaymentItem = z.infer<typeof PaymentItem>;

export const PaymentCustomer = z.strictObject({
  name: nonEmpty(),
  phone: text().optional(),
  address: text().optional(),
  email: text().optional(),
});
export type PaymentCustomer = z.infer<typeof PaymentCustomer>;

/**
 * `POST /api/v1/payments` body. Interpretations of the page:
 * - `merchant`, `items` and `customer` are optional for every request (the table marks none required; the Go sample
 *   has `omitempty`); the invoice sentence only stresses that an invoice-linked request needs none of them.
 * - `account_id` ("required for Shinhan bank_transfer") is required for every `bank_transfer`: it names the account
 *   the QR pays into, and an invoice-linked request still needs it (the page's own example has both).
 * - `items: []` counts as no items (the Go sample's `omitempty` never sends an empty list), so Σ is not checked.
 */
export const CreatePaymentRequest = z
  .strictObject({
    merchant: PaymentMerchant.optional(),
    items: z.array(PaymentItem, { error: orRequired('must be an array') }).optional(),
    customer: PaymentCustomer.optional(),
    payment_method: z.enum(PaymentMethod.options, { error: orRequired(`must be one of ${PaymentMethod.options.join(', ')}`) }),
    // Any 8-4-4-4-12 hex id: Finan's ids need not carry RFC 9562 version bits; Finan is the judge of existence.
    account_id: z.guid({ error: orRequired('must be a UUID') }).optional(),
    amount: vnd().positive({ error: 'must be positive' }),
    description: finanText().optional(),
    reference_id: nonEmpty(),
    reference_type: nonEmpty().optional(),
    success_redirect_url: httpUrl().optional(),
    failure_redirect_url: httpUrl().optional(),
  })
  .superRefine((req, ctx) => {
    if (req.payment_method === 'bank_transfer' && req.account_id === undefined) {
      ctx.addIssue({ code: 'custom', path: ['account_id'], message: 'is required for bank_transfer' });
    }
    const items = req.items ?? [];
    items.forEach((item, i) => {
      if (item.amount !== item.price * item.quantity) {
        ctx.addIssue({ code: 'custom', path: ['items', i, 'amount'], message: 'must equal price × quantity' });
      }
    });
    const total = items.reduce((sum, item) => sum + item.amount, 0);
    if (items.length > 0 && total !== req.amount) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `must equal the sum of items[].amount (${total})` });
    }
  });
export type CreatePaymentRequest = z.infer<typeof CreatePaymentRequest>;

export const BankTransferDetail = z.object({
  /** The VietQR string itself (not an image URL). */
  qr_code: z.string().min(1),
  /** The beneficiary bank's code as Finan names it ("MB"). */
  bank_name: z.string(),
  account_name: z.string(),
  account_number: z.string(),
  /** The transfer content the payer must use: Finan matches the incoming transfer on it. */
  remark: z.string().min(1),
});
export type BankTransferDetail = z.infer<typeof BankTransferDetail>;

/** `data` of a created payment request. `payment_url` is empty for bank_transfer; the detail is absent for card/MoMo. */
export const PaymentRequestCreated = z.object({
  payment_request_id: z.string().min(1),
  payment_request_code: z.string().min(1),
  payment_url: z.string().nullish().transform((value) => value ?? ''),
  bank_transfer_detail: BankTransferDetail.nullish().transform((value) => value ?? null),
});
export type PaymentRequestCreated = z.infer<typeof PaymentRequestCreated>;

/** Absent, null and "" all mean "none": one spelling (null) for everyone above this layer. */
const optionalText = () =>
  z
    .string()
    .nullish()
    .transform((value) => (value === undefined || value === '' ? null : value));

/** One payment received against a request (`payments[]`). */
export const ReceivedPayment = z.object({
  id: z.string().min(1),
  amount: z.number().int(),
  method: PaymentMethod,
  created_at: z.string(),
});
export type ReceivedPayment = z.infer<typeof ReceivedPayment>;

/** A payment request as `GET /api/v1/payments` lists it and `GET /api/v1/payments/:id` reads it. */
export const PaymentRequest = z.object({
  payment_request_id: z.string().min(1),
  paid_amount: z.number().int().nonnegative(),
  status: PaymentRequestStatus,
  payment_method: PaymentMethod,
  amount: z.number().int(),
  description: optionalText(),
  reference_type: optionalText(),
  reference_id: z.string(),
  payments: z.array(ReceivedPayment).nullish().transform((value) => value ?? []),
  merchant: z.looseObject({}).nullish().transform((value) => value ?? null),
  customer: z.looseObject({}).nullish().transform((value) => value ?? null),
});
export type PaymentRequest = z.infer<typeof PaymentRequest>;

export const PaymentRequestList = z.array(PaymentRequest);

/**
 * The payment webhook's body, as the page shows it (`reference_type` comes from its field table, not its example).
 * A payment that matched no payment request (a transfer to the account's static QR) has no request id or reference:
 * those are null here whether Finan omits them, sends null or sends "".
 */
export const FinanPaymentWebhook = z.looseObject({
  id: z.string().min(1),
  amount: z.number().int().positive(),
  created_at: z.iso.datetime({ offset: true }),
  payment_method: PaymentMethod,
  payment_request_id: optionalText(),
  reference_type: optionalText(),
  reference_id: optionalText(),
});
export type FinanPaymentWebhook = z.infer<typeof FinanPaymentWebhook>;
