/**
 * The sandbox's own VietQR encoder (NAPAS EMVCo profile, bank transfer to an account), written from the reference
 * independently of `providers/vietqr`: tests decode its strings with the provider decoder to keep both honest.
 */

// CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, MSB first, no final XOR.
const CRC_TABLE = Array.from({ length: 256 }, (_, high) => {
  let value = high << 8;
  for (let i = 0; i < 8; i++) value = (value & 0x8000 ? (value << 1) ^ 0x1021 : value << 1) & 0xffff;
  return value;
});

function crc16(data: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(data, 'ascii')) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc.toString(16).toUpperCase().padStart(4, '0');
}

/** One EMVCo field: id, two-digit length, value. */
function field(id: string, value: string): string {
  if (value.length === 0 || value.length > 99) throw new Error(`VietQR field ${id} must hold 1–99 characters`);
  return id + value.length.toString().padStart(2, '0') + value;
}

export interface SandboxVietQr {
  bin: string;
  accountNumber: string;
  /** Whole VND; a dynamic QR (point of initiation 12) always carries one here. */
  amount: number;
  /** Transfer content (62.08): ASCII, ≤ 25 characters. */
  purpose: string;
}

/** A dynamic VietQR paying `amount` VND to an account (service QRIBFTTA), with `purpose` as transfer content. */
export function vietQrForTransfer({ bin, accountNumber, amount, purpose }: SandboxVietQr): string {
  if (!/^\d{6}$/.test(bin)) throw new Error('VietQR BIN must be 6 digits');
  if (!/^[\x20-\x7e]{1,25}$/.test(purpose)) throw new Error('VietQR purpose must be 1–25 ASCII characters');
  const beneficiary = field('00', bin) + field('01', accountNumber);
  const withoutCrc = [
    field('00', '01'),
    field('01', '12'),
    field('38', field('00', 'A000000727') + field('01', beneficiary) + field('02', 'QRIBFTTA')),
    field('53', '704'),
    field('54', String(amount)),
    field('58', 'VN'),
    field('62', field('08', purpose)),
  ].join('') + '6304';
  return withoutCrc + crc16(withoutCrc);
}
