/**
 * Tingee's e-invoice JSON (camelCase is Tingee's own spelling), from `provider-docs/tingee-einvoice-account.txt`.
 * Requests are checked before anything is signed; answers are checked before anything is believed.
 */
import { z } from 'zod';

/** The e-invoice providers the page lists. */
export const TINGEE_EINVOICE_PROVIDERS = ['x-cyber', 'hilo', 's-invoice'] as const;
export type TingeeEinvoiceProvider = (typeof TINGEE_EINVOICE_PROVIDERS)[number];

/** Tingee's success code in the `{ code, message, data }` envelope. */
export const TINGEE_SUCCESS_CODE = '00';

/** `POST /v1/e-invoice/create-or-update-account`: with `id` it updates that account, without it creates one. */
export const CreateOrUpdateAccountRequest = z.strictObject({
  id: z.number().int().positive().optional(),
  merchantId: z.number().int().positive().optional(),
  provider: z.enum(TINGEE_EINVOICE_PROVIDERS),
  taxCode: z.string().min(1),
  username: z.string().min(1),
  password: z.string().min(1),
  isDefault: z.boolean().optional(),
  isActive: z.boolean().optional(),
});
export type CreateOrUpdateAccountRequest = z.infer<typeof CreateOrUpdateAccountRequest>;

/** An e-invoice provider account as Tingee answers it: never a password. */
export const EinvoiceAccount = z.object({
  id: z.number().int(),
  // Absent or null for an account that is not a Master Merchant's (the page shows one in its example only).
  merchantId: z.number().int().nullish(),
  provider: z.string(),
  taxCode: z.string(),
  username: z.string(),
  isDefault: z.boolean(),
  isActive: z.boolean(),
});
export type EinvoiceAccount = z.infer<typeof EinvoiceAccount>;

/**
 * `POST /v1/e-invoice/get-paging-account` (listed by Tingee's docs, not by the seed page: its shape is the
 * sandbox's invention, see sandbox/INVENTIONS.md): filters and a page, answering `{ items, totalCount }`.
 */
export const AccountPageRequest = z.strictObject({
  merchantId: z.number().int().positive().optional(),
  provider: z.enum(TINGEE_EINVOICE_PROVIDERS).optional(),
  taxCode: z.string().min(1).optional(),
  skipCount: z.number().int().min(0),
  maxResultCount: z.number().int().min(1).max(100),
});
export type AccountPageRequest = z.infer<typeof AccountPageRequest>;

export const AccountPage = z.object({
  items: z.array(EinvoiceAccount),
  totalCount: z.number().int().min(0),
});
export type AccountPage = z.infer<typeof AccountPage>;

const code = z.union([z.string(), z.number()]).transform(String);

/** `{ code, message, data }`: `code` "00" on success. */
export const TingeeCodeEnvelope = z.object({ code, message: z.string().nullish(), data: z.unknown().optional() });
/** The seed page's `{ data, success, error }`: `error` a code (or a text) when `success` is false. */
export const TingeeSuccessEnvelope = z.object({
  success: z.boolean(),
  error: z.union([z.string(), z.number()]).nullish(),
  data: z.unknown().optional(),
  message: z.string().nullish(),
});

export type TingeeEnvelope = { ok: true; data: unknown } | { ok: false; code: string | undefined; message: string | undefined };

/** Reads either envelope into one shape, or undefined when the body is neither. */
export function readTingeeEnvelope(json: unknown): TingeeEnvelope | undefined {
  const seed = TingeeSuccessEnvelope.safeParse(json);
  if (seed.success) {
    if (seed.data.success) return { ok: true, data: seed.data.data };
    const error = seed.data.error === null || seed.data.error === undefined ? undefined : String(seed.data.error);
    const isCode = error !== undefined && /^\d+$/.test(error);
    return { ok: false, code: isCode ? error : undefined, message: isCode ? (seed.data.message ?? undefined) : (error ?? seed.data.message ?? undefined) };
  }
  const coded = TingeeCodeEnvelope.safeParse(json);
  if (coded.success) {
    if (coded.data.code === TINGEE_SUCCESS_CODE) return { ok: true, data: coded.data.data };
    return { ok: false, code: coded.data.code, message: coded.data.message ?? undefined };
  }
  return undefined;
}
