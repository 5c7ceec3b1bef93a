/** Why a VietQR string was refused, or why one could not be made. */
export type VietQrErrorCode =
  /** Field 63 is missing, malformed, or does not match the payload. */
  | 'bad_crc'
  /** The id-length-value structure is broken (truncated field, bad length, repeated id). */
  | 'bad_tlv'
  /** Field 38's GUID is not NAPAS's `A000000727`: not a VietQR (maybe another EMVCo scheme). */
  | 'wrong_guid'
  | 'missing_field'
  | 'bad_field'
  /** `encodeVietQr` was given a value it cannot put in a VietQR. */
  | 'invalid_input';

export class VietQrError extends Error {
  override readonly name = 'VietQrError';
  constructor(
    readonly code: VietQrErrorCode,
    message: string,
  ) {
    super(message);
  }
}
