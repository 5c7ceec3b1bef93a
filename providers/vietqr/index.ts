/** VietQR (NAPAS EMVCo profile): encode, decode and validate, plus a small BIN table. */
export { bankByBin, NAPAS_BANKS } from './banks';
export type { NapasBank } from './banks';
export { crc16CcittFalse, crcHex } from './crc';
export { VietQrError } from './errors';
export type { VietQrErrorCode } from './errors';
export { decodeVietQr, encodeVietQr, NAPAS_GUID, VIETQR_SERVICES } from './vietqr';
export type { VietQr, VietQrInput, VietQrService } from './vietqr';
