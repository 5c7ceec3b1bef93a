/** Validation of what backends send (camelCase), with errors that name the field and the rule. */
import { z } from 'zod';
import { ValidationError } from './errors';

/** A type error that says "is required" when the field is absent, else what it must be. */
const typeError = (expected: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : `must be ${expected}`),
});

/** Letters, digits and `._-`: a reference becomes part of a workflow id and of Finan's `reference_id`. */
const reference = z
  .string(typeError('a string'))
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 characters of letters, digits, ".", "_" or "-"');

const durationSeconds = (max: number) =>
  z.number(typeError('a number of seconds')).int('must be a whole number of seconds').min(1, 'must be at least 1 second').max(max, `must be at most ${max} seconds`);

export const PayoutRequestSchema = z
  .object({
    referenceId: reference,
    accountId: z.guid({ error: 'must be the uuid of the source Shinhan account at Finan' }),
    amount: z
      .number(typeError('a number'))
      .int('must be a whole number of VND')
      .positive('must be greater than 0')
      .max(Number.MAX_SAFE_INTEGER, 'is too large'),
    currency: z.literal('VND', { error: 'must be "VND"' }).default('VND'),
    beneficiaryAccountName: z.string(typeError('a string')).trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    beneficiaryAccountNumber: z.string(typeError('a string')).regex(/^[0-9A-Za-z]{4,34}$/, 'must be 4 to 34 letters or digits'),
    beneficiaryBankId: z.string(typeError('a string')).regex(/^\d{1,10}$/, "must be Finan's numeric bank id, e.g. \"161\""),
    description: z.string(typeError('a string')).min(1, 'must not be empty').max(30, 'must be at most 30 characters (a Finan limit)'),
    otpTimeoutSeconds: durationSeconds(24 * 3600).optional(),
  })
  .strict();

export type PayoutRequest = z.input<typeof PayoutRequestSchema>;
export type ValidPayoutRequest = z.output<typeof PayoutRequestSchema>;

export const OtpRequestSchema = z.object({ code: z.string(typeError('a string (OTPs can start with 0)')).regex(/^\d{6}$/, 'must be exactly 6 digits') }).strict();

export const ReferenceSchema = reference;

/** Parses `value` or throws a ValidationError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
      let rule = issue.message;
      if (issue.code === 'unrecognized_keys') rule = `unknown field(s): ${issue.keys.join(', ')}`;
      return { field, rule };
    }),
  );
}
