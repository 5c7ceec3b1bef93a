/** The payout requests backends send (camelCase), validated with errors that name the field and the rule. */
import { z } from 'zod';
import { OTP_PATTERN } from '../../providers/finan/rules';
import { ReferenceSchema, durationSeconds, finanText, orRequired } from './common';

export const PayoutRequestSchema = z
  .object({
    referenceId: ReferenceSchema,
    accountId: z.guid({ error: 'must be the uuid of the source Shinhan account at Finan' }),
    amount: z
      .number(orRequired('must be a number'))
      .int('must be a whole number of VND')
      .positive('must be greater than 0')
      .max(Number.MAX_SAFE_INTEGER, 'is too large'),
    currency: z.literal('VND', { error: 'must be "VND"' }).default('VND'),
    beneficiaryAccountName: z.string(orRequired('must be a string')).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    beneficiaryAccountNumber: z.string(orRequired('must be a string')).regex(/^[0-9A-Za-z]{4,34}$/, 'must be 4 to 34 letters or digits'),
    beneficiaryBankId: z.string(orRequired('must be a string')).regex(/^\d{1,10}$/, "must be Finan's numeric bank id, e.g. \"161\""),
    description: finanText().min(1, 'must not be empty'),
    otpTimeoutSeconds: durationSeconds(24 * 3600).optional(),
  })
  .strict();

export type PayoutRequest = z.input<typeof PayoutRequestSchema>;
export type ValidPayoutRequest = z.output<typeof PayoutRequestSchema>;

export const OtpRequestSchema = z.object({ code: z.string(orRequired('must be a string (OTPs can start with 0)')).regex(OTP_PATTERN, 'must be exactly 6 digits') }).strict();
