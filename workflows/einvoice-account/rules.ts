/** The e-invoice account flow's rules: pure functions, unit-tested without Temporal. */
import type { EinvoiceAccount, EinvoiceAccountKey, SaveEinvoiceAccountActivityInput, SaveEinvoiceAccountRequest } from './messages';

/** Saves after which a run continues as new, keeping its history short. */
export const SAVES_PER_RUN = 100;

/**
 * Why a save cannot be accepted (names the field and the rule, never a value), or null. The gateway validated the
 * request already; this guards the update against the Temporal CLI and other clients.
 */
export function saveRequestProblem(account: EinvoiceAccount | null, request: unknown): string | null {
  if (typeof request !== 'object' || request === null) return 'the request must be an object { username, password, isDefault, isActive, merchantId? }';
  const r = request as Partial<Record<keyof SaveEinvoiceAccountRequest, unknown>>;
  if (typeof r.username !== 'string' || r.username === '') return 'username must be a non-empty string';
  if (typeof r.password !== 'string' || r.password === '') return 'password must be a non-empty string';
  if (typeof r.isDefault !== 'boolean') return 'isDefault must be true or false';
  if (typeof r.isActive !== 'boolean') return 'isActive must be true or false';
  if (r.merchantId !== undefined && (typeof r.merchantId !== 'number' || !Number.isInteger(r.merchantId) || r.merchantId <= 0)) {
    return 'merchantId must be a positive integer';
  }
  // Tingee keys an account on merchantId + provider + taxCode: another merchant's is another account, not this flow's.
  if (account?.merchantId != null && r.merchantId !== undefined && r.merchantId !== account.merchantId) {
    return `merchantId must be ${account.merchantId}, the merchant this account belongs to at Tingee`;
  }
  return null;
}

/** The activity's input: the whole request, and Tingee's id once known (so Tingee updates instead of creating). */
export function saveActivityInput(key: EinvoiceAccountKey, account: EinvoiceAccount | null, request: SaveEinvoiceAccountRequest): SaveEinvoiceAccountActivityInput {
  return {
    provider: key.provider,
    taxCode: key.taxCode,
    accountId: account?.id,
    username: request.username,
    password: request.password,
    isDefault: request.isDefault,
    isActive: request.isActive,
    // An account Tingee placed under a merchant stays under it.
    merchantId: request.merchantId ?? account?.merchantId ?? undefined,
  };
}

export function shouldContinueAsNew(savesThisRun: number, suggested: boolean, savesPerRun = SAVES_PER_RUN): boolean {
  return suggested || savesThisRun >= savesPerRun;
}
