/**
 * The constraints of `PATCH /api/v1/company/configurations` (sepay-company.txt): a body that is not the documented
 * shape is a 400; a format breaking a rule is SePay's `HTTP 200` with `data.status: false` and a message naming
 * the format ("Cấu trúc mã thanh toán 1" is the first), as the page's example shows. Nothing changes either way.
 */
import type { SandboxPaymentCodeFormat } from './state';

export type ValidationOutcome =
  | { kind: 'bad_request' }
  | { kind: 'refused'; message: string }
  /** `formats` undefined: the field was not sent ("Bắt buộc nếu được gửi"), nothing to change. */
  | { kind: 'ok'; formats: SandboxPaymentCodeFormat[] | undefined };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const lengthOk = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 30;

export function validateConfigurations(body: unknown): ValidationOutcome {
  if (!isObject(body)) return { kind: 'bad_request' };
  if (body.payment_code_formats === undefined) return { kind: 'ok', formats: undefined };
  if (!Array.isArray(body.payment_code_formats) || !body.payment_code_formats.every(isObject)) return { kind: 'bad_request' };
  const formats = body.payment_code_formats;
  const seen = new Set<string>();
  for (const [i, f] of formats.entries()) {
    const which = `(Cấu trúc mã thanh toán ${i + 1})`;
    if (typeof f.prefix !== 'string' || !/^[A-Za-z]{2,3}$/.test(f.prefix)) return refused(`Tiền tố mã thanh toán chỉ được chứa chữ cái, độ dài từ 2-3 ký tự ${which}`);
    if (!lengthOk(f.suffix_from)) return refused(`Hậu tố mã thanh toán từ phải là số nguyên từ 1-30 ${which}`);
    if (!lengthOk(f.suffix_to)) return refused(`Hậu tố mã thanh toán đến phải là số nguyên từ 1-30 ${which}`);
    if (f.suffix_from > f.suffix_to) return refused(`Hậu tố mã thanh toán từ phải nhỏ hơn hoặc bằng hậu tố mã thanh toán đến ${which}`);
    if (f.character_type !== 'NumberOnly' && f.character_type !== 'NumberAndLetter') return refused(`Loại ký tự của hậu tố chỉ có thể là NumberOnly hoặc NumberAndLetter ${which}`);
    if (f.is_active !== 0 && f.is_active !== 1) return refused(`Trạng thái kích hoạt chỉ có thể là 0 hoặc 1 ${which}`);
    // Ours (INVENTIONS.md): two formats with one prefix could not tell their codes apart.
    const prefix = f.prefix.toUpperCase();
    if (seen.has(prefix)) return refused(`Tiền tố mã thanh toán bị trùng ${which}`);
    seen.add(prefix);
  }
  return {
    kind: 'ok',
    formats: formats.map((f) => ({
      prefix: f.prefix as string,
      suffix_from: f.suffix_from as number,
      suffix_to: f.suffix_to as number,
      character_type: f.character_type as SandboxPaymentCodeFormat['character_type'],
      is_active: f.is_active === 1,
    })),
  };
}

function refused(message: string): ValidationOutcome {
  return { kind: 'refused', message };
}
