/** What backends send to manage Tingee e-invoice accounts (camelCase), with errors naming the field and the rule. */
import { z } from 'zod';
import { TINGEE_EINVOICE_PROVIDERS } from '../../providers/tingee/schemas';
import { orRequired } from './common';

export const EinvoiceProviderSchema = z.enum(TINGEE_EINVOICE_PROVIDERS, { error: `must be one of ${TINGEE_EINVOICE_PROVIDERS.join(', ')}` });

/** A Vietnamese enterprise tax code: 10 digits, or 13 for a branch (`0101234567-001`). It becomes part of a workflow id. */
export const TaxCodeSchema = z
  .string(orRequired('must be a string'))
  .regex(/^\d{10}(-\d{3})?$/, 'must be a tax code of 10 digits, or 10 digits, "-" and 3 digits for a branch (0101234567-001)');

export const EinvoiceAccountKeySchema = z.strictObject({ provider: EinvoiceProviderSchema, taxCode: TaxCodeSchema });

export const EinvoiceAccountBodySchema = z.strictObject({
  username: z.string(orRequired('must be a string')).min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  password: z.string(orRequired('must be a string')).min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  isDefault: z.boolean({ error: 'must be true or false' }).optional().describe("Tingee's default account for the provider (default false)"),
  isActive: z.boolean({ error: 'must be true or false' }).optional().describe('Active (default true)'),
  merchantId: z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .positive('must be positive')
    .max(Number.MAX_SAFE_INTEGER, 'is too large')
    .optional()
    .describe("Tingee's merchant id: required when dongflow connects with a Master Merchant account"),
});
export type EinvoiceAccountBody = z.input<typeof EinvoiceAccountBodySchema>;
export type EinvoiceAccountBodySchemaOutput = z.output<typeof EinvoiceAccountBodySchema>;
