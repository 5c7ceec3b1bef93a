/** SePay's JSON, as its pages write it (snake_case): the OAuth token answer and the company API (sepay-company.txt). */
import { z } from 'zod';

/** `POST /oauth/token`: RFC 6749 §5.1. SePay rotates the refresh token on every refresh. */
export const TokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().regex(/^bearer$/i, 'must be Bearer'),
  expires_in: z.number().int().positive(),
  refresh_token: z.string().min(1),
  /** Space-separated; absent means the scopes asked for. */
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

/** RFC 6749 §5.2 error answer of the token endpoint. */
export const TokenErrorBody = z.object({ error: z.string(), error_description: z.string().optional() });

export const CHARACTER_TYPES = ['NumberOnly', 'NumberAndLetter'] as const;

/** A payment-code format as SePay answers it (`is_active` a boolean). */
export const PaymentCodeFormat = z.object({
  prefix: z.string(),
  suffix_from: z.number().int(),
  suffix_to: z.number().int(),
  character_type: z.enum(CHARACTER_TYPES),
  is_active: z.boolean(),
});
export type PaymentCodeFormat = z.infer<typeof PaymentCodeFormat>;

export const CompanyConfigurations = z.object({
  bank_sub_account: z.boolean(),
  paycode: z.boolean(),
  data_storage_time: z.string(),
  payment_code_formats: z.array(PaymentCodeFormat),
});
export type CompanyConfigurations = z.infer<typeof CompanyConfigurations>;

export const Company = z.object({
  id: z.number().int(),
  full_name: z.string(),
  short_name: z.string(),
  role: z.string(),
  status: z.string(),
  subscription: z.string(),
  begin_date: z.string(),
  end_date: z.string(),
  configurations: CompanyConfigurations,
});
export type Company = z.infer<typeof Company>;

/** `{ "status": "success", "data": ... }` */
export const CompanyEnvelope = z.object({ status: z.literal('success'), data: Company });

/**
 * The answer of `PATCH /api/v1/company/configurations`: HTTP 200 either way; `data.status` says whether it was applied.
 * `data.status: false` carries SePay's message (e.g. "... (Cấu trúc mã thanh toán 1)") and changed nothing.
 */
export const ConfigurationsEnvelope = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('status', [
    z.object({ status: z.literal(true), data: CompanyConfigurations }),
    z.object({ status: z.literal(false), message: z.string() }),
  ]),
});

/** The body SePay is sent (`is_active` an integer 0 or 1, as the page requires). */
export interface PaymentCodeFormatUpdate {
  prefix: string;
  suffix_from: number;
  suffix_to: number;
  character_type: (typeof CHARACTER_TYPES)[number];
  is_active: 0 | 1;
}

/** Error bodies SePay answers besides the token endpoint's; only `message` is read. */
export const SepayErrorBody = z.object({ message: z.string().optional() }).loose();
