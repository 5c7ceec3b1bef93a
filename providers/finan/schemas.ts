/**
 * Zod schemas of Finan's payout API, in Finan's own (snake_case) words. Requests are checked strictly before
 * sending; responses tolerate fields Finan may add later.
 */
import { z } from 'zod';
import { FINAN_TEXT_MAX_CHARACTERS, fitsFinanText } from './rules';

/** Finan's business codes in the envelope (not HTTP statuses): 102000/102001 success, 104000 error. */
export const FINAN_ERROR_CODE = 104000;

/** `{ message: { content, error? }, code, request_id, data? }` on every answer, success or error. */
export const FinanEnvelope = z.looseObject({
  message: z.looseObject({ content: z.string(), error: z.string().optional() }),
  code: z.number().int(),
  request_id: z.string(),
  data: z.unknown().optional(),
});
export type FinanEnvelope = z.infer<typeof FinanEnvelope>;

/** An error answer read leniently: whatever of the envelope is there helps the operator; nothing is required. */
export const FinanErrorBody = z.looseObject({
  message: z.looseObject({ content: z.string().optional().catch(undefined), error: z.string().optional().catch(undefined) }).optional().catch(undefined),
  code: z.number().int().optional().catch(undefined),
  request_id: z.string().optional().catch(undefined),
});
export type FinanErrorBody = z.infer<typeof FinanErrorBody>;

export const PayoutStatus = z.enum(['waiting_confirm', 'processing', 'success', 'failed']);
export type PayoutStatus = z.infer<typeof PayoutStatus>;

/** "is required" for a missing field, else the rule it broke. */
export const orRequired = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : rule);
export const text = () => z.string({ error: orRequired('must be a string') });
export const nonEmpty = () => text().min(1, { error: 'must not be empty' });
/** "tối đa 30 ký tự", counted as `rules.ts` says (code points). */
export const finanText = () => text().refine(fitsFinanText, { error: `must be at most ${FINAN_TEXT_MAX_CHARACTERS} characters` });

/**
 * `POST /api/v1/payouts` body. Strict: an unknown key (say `referenceId` for `reference_id`) would otherwise be
 * dropped silently, and a payout without its reference cannot be found again on retry.
 */
export const CreatePayoutRequest = z.strictObject({
  // Any 8-4-4-4-12 hex id: Finan's ids need not carry RFC 9562 version bits; Finan is the judge of existence.
  account_id: z.guid({ error: orRequired('must be a UUID') }),
  amount: z.number({ error: orRequired('must be a number') }).int({ error: 'must be an integer (smallest currency unit)' }).positive({ error: 'must be positive' }),
  beneficiary_account_name: nonEmpty(),
  beneficiary_account_number: nonEmpty(),
  beneficiary_bank_id: nonEmpty(),
  currency: text().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as VND' }).optional(),
  reference_id: nonEmpty().optional(),
  description: finanText(),
});
export type CreatePayoutRequest = z.infer<typeof CreatePayoutRequest>;

/** `POST /api/v1/payouts/:id/otps` body: Finan types the OTP as an integer. */
export const VerifyOtpRequest = z.strictObject({ code: z.number().int().nonnegative() });
export type VerifyOtpRequest = z.infer<typeof VerifyOtpRequest>;

const remainingTry = z.number().int().nonnegative();

export const PayoutCreated = z.object({ id: z.string().min(1), status: PayoutStatus, remaining_try: remainingTry });
export type PayoutCreated = z.infer<typeof PayoutCreated>;

/** A payout as listed by `GET /api/v1/payouts` and read by `GET /api/v1/payouts/:id`. */
export const Payout = z.object({
  id: z.string().min(1),
  status: PayoutStatus,
  amount: z.number().int(),
  beneficiary_account_name: z.string(),
  beneficiary_account_number: z.string(),
  beneficiary_bank_id: z.string(),
  reference_id: z.string().nullish(),
  remaining_try: remainingTry,
  created_at: z.string(),
  description: z.string().nullish(),
  currency: z.string().nullish(),
});
export type Payout = z.infer<typeof Payout>;

export const PayoutList = z.array(Payout);

export const VerifyOtpResult = z.object({ id: z.string().min(1), status: PayoutStatus, remaining_try: remainingTry });
export type VerifyOtpResult = z.infer<typeof VerifyOtpResult>;
