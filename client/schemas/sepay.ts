/** What backends send to the SePay routes (camelCase), checked before anything reaches Temporal or SePay. */
import { z } from 'zod';
import { orRequired } from './common';

export const PaymentCodeFormatSchema = z.strictObject({
  prefix: z.string(orRequired('must be a string')).regex(/^[A-Za-z]{2,3}$/, 'must be 2 to 3 letters (A-Z, a-z)'),
  suffixFrom: z.number(orRequired('must be a number')).int('must be an integer').min(1, 'must be from 1 to 30').max(30, 'must be from 1 to 30'),
  suffixTo: z.number(orRequired('must be a number')).int('must be an integer').min(1, 'must be from 1 to 30').max(30, 'must be from 1 to 30').describe('≥ suffixFrom'),
  characterType: z.enum(['NumberOnly', 'NumberAndLetter'], orRequired('must be NumberOnly or NumberAndLetter')),
  isActive: z.boolean(orRequired('must be true or false')),
});

export const PaymentCodeFormatsRequestSchema = z.strictObject({
  paymentCodeFormats: z
    .array(PaymentCodeFormatSchema, orRequired('must be an array of formats'))
    // An empty list would remove every format at SePay: turn one off with isActive false instead.
    .min(1, 'must hold at least one format (to stop one, set its isActive to false)')
    .max(50, 'must hold at most 50 formats'),
});
export type PaymentCodeFormatsRequest = z.infer<typeof PaymentCodeFormatsRequestSchema>;

export const FindPaymentCodeRequestSchema = z.strictObject({
  text: z.string(orRequired('must be a string')).max(2000, 'must be at most 2000 characters'),
});

export const SepayCallbackQuerySchema = z.object({
  code: z.string().min(1).max(2048).optional(),
  state: z.string(orRequired('must be a string')).min(1, 'is required').max(512),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});
