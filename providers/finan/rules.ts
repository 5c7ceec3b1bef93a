/**
 * Finan's rules that every layer checks the same way: the gateway's request schemas, the payout workflow's OTP
 * validator, and the Finan client before it signs anything. Plain code with no imports, so a workflow may import it.
 */

/** "tối đa 30 ký tự" (payouts: `description`; payments: `description`). */
export const FINAN_TEXT_MAX_CHARACTERS = 30;

/**
 * How Finan's pages count a text's length: "ký tự", characters, so Unicode code points. A JavaScript `.length`
 * counts UTF-16 units, which puts an emoji or any character beyond the BMP at 2. Precomposed (NFC) Vietnamese
 * letters such as "ệ" or "đ" are one code point each; text typed in decomposed form (NFD: "e" + two combining
 * marks) counts its marks too, as it is sent: we do not normalize what Finan receives.
 */
export function finanTextLength(text: string): number {
  let count = 0;
  for (const _codePoint of text) count++;
  return count;
}

/** Whether a text fits one of Finan's 30-character fields. */
export function fitsFinanText(text: string, max: number = FINAN_TEXT_MAX_CHARACTERS): boolean {
  return finanTextLength(text) <= max;
}

/**
 * The bank's OTP: exactly 6 digits, kept as a string because it may start with 0 (Finan types it as an integer,
 * so the client sends `"012345"` as `12345`).
 */
export const OTP_PATTERN = /^\d{6}$/;

export function isOtpCode(code: unknown): code is string {
  return typeof code === 'string' && OTP_PATTERN.test(code);
}
