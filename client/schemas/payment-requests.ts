/** The payment requests backends send (camelCase), validated with errors that name the field and the rule. */
import { z } from 'zod';
import { ReferenceSchema, durationSeconds, finanText, orRequired, text, vnd } from './common';

export const paymentMethod = z.enum(['bank_transfer', 'card', 'ewallet_momo'], { error: 'must be one of bank_transfer, card, ewallet_momo' });
export const receivingAccountId = z.guid({ error: 'must be the uuid of the receiving account at Finan' });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

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

/** A bank transfer needs the account its VietQR pays into. */
export function checkAccount(body: { paymentMethod: string; accountId?: string }, ctx: z.RefinementCtx): void {
  if (body.paymentMethod === 'bank_transfer' && body.accountId === undefined) {
    ctx.addIssue({ code: 'custom', path: ['accountId'], message: 'is required for bank_transfer (the account the VietQR pays into)' });
  }
}

export const PaymentRequestSchema = z
  .object({
    referenceId: ReferenceSchema,
    accountId: receivingAccountId.optional(),
    amount: vnd().positive('must be greater than 0'),
    paymentMethod: paymentMethod.default('bank_transfer'),
    description: finanText().optional(),
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
