/**
 * Tingee's answers. The seed page shows `{ data, success, error }` (`error` the code, null on success); Tingee's other
 * pages answer `{ code, message, data }` with `code "00"`. The sandbox speaks the seed's form unless told otherwise
 * (`PUT /_sandbox/tingee/envelope`), so a client is tested against both.
 */
export type TingeeEnvelopeForm = 'success' | 'code';

/** The codes the page lists (90, 91, 97) and the sandbox's own business codes (see INVENTIONS.md). */
export const TingeeCode = {
  Success: '00',
  TimestampFormat: '90',
  RequestExpired: '91',
  Signature: '97',
  Validation: '1001',
  Duplicate: '1002',
  NotFound: '1003',
} as const;
export type TingeeErrorCode = Exclude<(typeof TingeeCode)[keyof typeof TingeeCode], '00'>;

/** The page's descriptions of 90, 91 and 97; the others are ours. */
const MESSAGES: Record<TingeeErrorCode, string> = {
  '90': 'Sai format timestamp',
  '91': 'Request quá hạn',
  '97': 'Sai chữ ký',
  '1001': 'Dữ liệu không hợp lệ',
  '1002': 'Tài khoản đã tồn tại (merchantId + provider + taxCode)',
  '1003': 'Không tìm thấy tài khoản',
};

/** An error answered in Tingee's envelope (HTTP 200: the code tells what happened). */
export class TingeeApiError extends Error {
  constructor(
    readonly code: TingeeErrorCode,
    /** More precise than the code's description, e.g. which field is missing. */
    detail?: string,
  ) {
    super(detail ?? MESSAGES[code]);
    this.name = 'TingeeApiError';
  }
}

export function successBody(form: TingeeEnvelopeForm, data: unknown): Record<string, unknown> {
  return form === 'code' ? { code: TingeeCode.Success, message: 'Thành công', data } : { data, success: true, error: null };
}

export function errorBody(form: TingeeEnvelopeForm, error: TingeeApiError): Record<string, unknown> {
  return form === 'code' ? { code: error.code, message: error.message, data: null } : { data: null, success: false, error: error.code };
}
