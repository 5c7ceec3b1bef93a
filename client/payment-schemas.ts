/** Validation of payment requests and invoice collections as backends send them (camelCase): field and rule named. */
import { z } from 'zod';
import { ReferenceSchema } from './schemas';

const orRequired = (rule: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : rule) });

const vnd = () =>
  z.number(orRequired('must be a number')).int('must be a whole number of VND').max(Number.MAX_SAFE_INTEGER, 'is too large');
const text = (max: number) => z.string(orRequired('must be a string')).max(max, `must be at most ${max} characters`);
const DESCRIPTION_MAX = 30;
// Finan counts characters: code points, so "đ" or an emoji counts once.
const description = z
  .string(orRequired('must be a string'))
  .refine((value) => [...value].length <= DESCRIPTION_MAX, `must be at most ${DESCRIPTION_MAX} characters (a Finan limit)`);
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const paymentMethod = z.enum(['bank_transfer', 'card', 'ewallet_momo'], { error: 'must be one of bank_transfer, card, ewallet_momo' });
const accountId = z.guid({ error: 'must be the uuid of the receiving account at Finan' });
const durationSeconds = (max: number) =>
  z.number(orRequired('must be a number of seconds')).int('must be a whole number of seconds').min(1, 'must be at least 1 second').max(max, `must be at most ${max} seconds`);

const ItemSchema = z
  .object({
    name: text(255).min(1, 'must not be empty'),
    price: vnd().nonnegative('must not be negative'),
    quantity: z.number(orRequired('must be a number')).int('must be a whole number').positive('must be at least 1'),
    amount: vnd().nonnegative('must not be negative'),
  })
  .strict();

const PartySchema = z
  .object({ name: text(255).optional(), phone: text(32).optional(), address: text(255).optional(), email: text(255).optional() })
  .strict();

/** Items must add up: each `amount` is `price × quantity`, and their sum is the request's `amount`. */
function checkItems(body: { amount: number; items?: { price: number; quantity: number; amount: number }[] }, ctx: z.RefinementCtx): void {
  const items = body.items ?? [];
  items.forEach((item, i) => {
    if (item.amount !== item.price * item.quantity) {
      ctx.addIssue({ code: 'custom', path: ['items', i, 'amount'], message: `must equal price × quantity (${item.price * item.quantity})` });
    }
  });
  const total = items.reduce((sum, item) => sum + item.amount, 0);
  if (items.length > 0 && total !== body.amount) {
    ctx.addIssue({ code: 'custom', path: ['amount'], message: `must equal the sum of items[].amount (${total})` });
  }
}

function checkAccount(body: { paymentMethod: string; accountId?: string }, ctx: z.RefinementCtx): void {
  if (body.paymentMethod === 'bank_transfer' && body.accountId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required for bank_transfer (the account the VietQR pays into)' });
  }
}

export const PaymentRequestSchema = z
  .object({
    referenceId: ReferenceSchema,
    accountId: accountId.optional(),
    amount: vnd().positive('must be greater than 0'),
    paymentMethod: paymentMethod.default('bank_transfer'),
    description: description.optional(),
    items: z.array(ItemSchema, orRequired('must be an array')).max(100, 'must have at most 100 items').optional(),
    customer: PartySchema.extend({ name: text(255).min(1, 'must not be empty') }).strict().optional(),
    merchant: PartySchema.optional(),
    successRedirectUrl: httpUrl.optional(),
    failureRedirectUrl: httpUrl.optional(),
    /** Overrides DONGFLOW_PAYMENT_TTL for this request. */
    ttlSeconds: durationSeconds(24 * 3600).optional(),
  })
  .strict()
  .superRefine((body, ctx) => {
    checkItems(body, ctx);
    checkAccount(body, ctx);
  });

export type PaymentRequestBody = z.input<typeof PaymentRequestSchema>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Vietnam's offset: a date-only due date ends at midnight in Hà Nội, whatever the server's zone. */
const VIETNAM_OFFSET = '+07:00';

/** `2024-02-01` → overdue from 2024-02-02T00:00+07:00; an instant with an offset is taken as is. */
export function dueInstant(value: string): number {
  if (ISO_DATE.test(value)) return Date.parse(`${value}T00:00:00${VIETNAM_OFFSET}`) + 24 * 3600_000;
  return Date.parse(value);
}

export const InvoiceCollectionSchema = z
  .object({
    accountId: accountId.optional(),
    amount: vnd().positive('must be greater than 0'),
    dueDate: z
      .string(orRequired('must be a string'))
      .refine((value) => ISO_DATE.test(value) || z.iso.datetime({ offset: true }).safeParse(value).success, 'must be a date (2024-02-01) or an ISO 8601 instant with an offset')
      .refine((value) => !Number.isFinite(dueInstant(value)) || dueInstant(value) > Date.now(), 'must be in the future'),
    paymentMethod: paymentMethod.default('bank_transfer'),
    description: description.optional(),
    /** Lifetime of each payment request; overrides DONGFLOW_PAYMENT_TTL. */
    linkTtlSeconds: durationSeconds(24 * 3600).optional(),
  })
  .strict()
  .superRefine(checkAccount);

export type InvoiceCollectionBody = z.input<typeof InvoiceCollectionSchema>;

export const ResolutionSchema = z
  .object({ resolution: z.string(orRequired('must be a string')).trim().min(1, 'must say what was done').max(500, 'must be at most 500 characters') })
  .strict();
