/**
 * SePay's payment-code rules, as plain code shared by the gateway, the workflows and the client (no imports):
 * the constraints of `PATCH /api/v1/company/configurations` (sepay-company.txt), checked before anything is sent,
 * and the finder of a payment code in a bank transfer's description.
 */

export type PaymentCodeCharacterType = 'NumberOnly' | 'NumberAndLetter';

/** A payment-code format in our words (SePay's `prefix`, `suffix_from`, `suffix_to`, `character_type`, `is_active`). */
export interface PaymentCodeFormat {
  prefix: string;
  suffixFrom: number;
  suffixTo: number;
  characterType: PaymentCodeCharacterType;
  isActive: boolean;
}

export interface FormatProblem {
  /** `paymentCodeFormats.1.suffixTo` */
  field: string;
  /** The rule, and which format (SePay's own words: "Cấu trúc mã thanh toán 2" is the second). */
  rule: string;
}

export const SUFFIX_MIN = 1;
export const SUFFIX_MAX = 30;
export const PREFIX_PATTERN = /^[A-Za-z]{2,3}$/;

const isSuffixLength = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= SUFFIX_MIN && n <= SUFFIX_MAX;

/**
 * Every way these formats break the page's constraints: prefix letters only, 2–3; suffix lengths integers 1–30 with
 * `suffixTo ≥ suffixFrom`; `characterType` NumberOnly or NumberAndLetter; `isActive` a boolean. Empty when valid.
 */
export function paymentCodeFormatProblems(formats: readonly unknown[]): FormatProblem[] {
  const problems: FormatProblem[] = [];
  formats.forEach((raw, index) => {
    const where = `(format ${index + 1}, Cấu trúc mã thanh toán ${index + 1})`;
    const at = (name: string) => `paymentCodeFormats.${index}.${name}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push({ field: `paymentCodeFormats.${index}`, rule: `must be an object { prefix, suffixFrom, suffixTo, characterType, isActive } ${where}` });
      return;
    }
    const f = raw as Record<string, unknown>;
    if (typeof f.prefix !== 'string' || !PREFIX_PATTERN.test(f.prefix)) {
      problems.push({ field: at('prefix'), rule: `must be 2 to 3 letters (A-Z, a-z) ${where}` });
    }
    if (!isSuffixLength(f.suffixFrom)) problems.push({ field: at('suffixFrom'), rule: `must be an integer from ${SUFFIX_MIN} to ${SUFFIX_MAX} ${where}` });
    if (!isSuffixLength(f.suffixTo)) problems.push({ field: at('suffixTo'), rule: `must be an integer from ${SUFFIX_MIN} to ${SUFFIX_MAX} ${where}` });
    else if (isSuffixLength(f.suffixFrom) && f.suffixTo < f.suffixFrom) {
      problems.push({ field: at('suffixTo'), rule: `must be greater than or equal to suffixFrom (${f.suffixFrom}) ${where}` });
    }
    if (f.characterType !== 'NumberOnly' && f.characterType !== 'NumberAndLetter') {
      problems.push({ field: at('characterType'), rule: `must be NumberOnly or NumberAndLetter ${where}` });
    }
    if (typeof f.isActive !== 'boolean') problems.push({ field: at('isActive'), rule: `must be true or false (sent to SePay as 1 or 0) ${where}` });
  });
  return problems;
}

/** Characters banks put between a code's prefix and suffix when they rewrite a remark: a space, `-`, `_` or `.`. */
const SEPARATOR = '[ \\-_.]?';

function escapeLetters(prefix: string): string {
  // A prefix is letters only (checked above); anything else would be a format SePay refuses.
  return prefix.replace(/[^A-Za-z]/g, '');
}

interface Candidate {
  index: number;
  code: string;
  prefixLength: number;
}

/**
 * The payment code in a bank transfer's description, by the company's **active** formats, or null.
 *
 * Banks rewrite remarks: upper or lower case, accents stripped, a space, `-`, `_` or `.` slipped between prefix and
 * suffix, words glued with `.` or `-` (`MBVCB.3278.DH123456.CT`). So the prefix is matched without case, one
 * separator is allowed after it, and the code must stand alone: no letter or digit right before the prefix, and
 * the suffix is the whole run of its allowed characters, of an allowed length (a longer run is another number,
 * not this code). A `NumberAndLetter` suffix must hold a digit: `HDBANK` is a bank's name, not code `HD` + `BANK`.
 * The earliest code in the text wins; at one position, the longer prefix. Answered upper case, without separator.
 */
export function findPaymentCode(text: string, formats: readonly PaymentCodeFormat[]): string | null {
  const candidates: Candidate[] = [];
  for (const format of formats) {
    if (!format.isActive) continue;
    const prefix = escapeLetters(format.prefix);
    if (prefix.length < 2) continue;
    const charClass = format.characterType === 'NumberOnly' ? '0-9' : '0-9A-Za-z';
    // Lookbehind: the prefix starts a word; the suffix run is greedy and must not continue. All inside a lookahead,
    // so a rejected run (too long) does not swallow a code that starts within it.
    const pattern = new RegExp(`(?<![0-9A-Za-z])(?=(${prefix})${SEPARATOR}([${charClass}]+)(?![${charClass}]))`, 'gi');
    for (const match of text.matchAll(pattern)) {
      const suffix = match[2]!;
      if (suffix.length < format.suffixFrom || suffix.length > format.suffixTo) continue;
      if (format.characterType === 'NumberAndLetter' && !/[0-9]/.test(suffix)) continue;
      candidates.push({ index: match.index, code: `${prefix}${suffix}`.toUpperCase(), prefixLength: prefix.length });
    }
  }
  candidates.sort((a, b) => a.index - b.index || b.prefixLength - a.prefixLength);
  return candidates[0]?.code ?? null;
}
