/** A few NAPAS member banks by BIN (the number in VietQR field 38.01.00), from the providers reference. */
export interface NapasBank {
  bin: string;
  /** The name customers and Finan use: "MB", "Vietcombank". */
  shortName: string;
  /** Legal name, in Vietnamese. */
  name: string;
}

export const NAPAS_BANKS: readonly NapasBank[] = Object.freeze([
  { bin: '970436', shortName: 'Vietcombank', name: 'Ngân hàng TMCP Ngoại thương Việt Nam' },
  { bin: '970422', shortName: 'MB', name: 'Ngân hàng TMCP Quân đội' },
  { bin: '970424', shortName: 'Shinhan', name: 'Ngân hàng TNHH MTV Shinhan Việt Nam' },
  { bin: '970416', shortName: 'ACB', name: 'Ngân hàng TMCP Á Châu' },
  { bin: '970418', shortName: 'BIDV', name: 'Ngân hàng TMCP Đầu tư và Phát triển Việt Nam' },
  { bin: '970415', shortName: 'VietinBank', name: 'Ngân hàng TMCP Công thương Việt Nam' },
  { bin: '970407', shortName: 'Techcombank', name: 'Ngân hàng TMCP Kỹ thương Việt Nam' },
  { bin: '970405', shortName: 'Agribank', name: 'Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam' },
  { bin: '970432', shortName: 'VPBank', name: 'Ngân hàng TMCP Việt Nam Thịnh Vượng' },
  { bin: '970423', shortName: 'TPBank', name: 'Ngân hàng TMCP Tiên Phong' },
  { bin: '970403', shortName: 'Sacombank', name: 'Ngân hàng TMCP Sài Gòn Thương Tín' },
  { bin: '970441', shortName: 'VIB', name: 'Ngân hàng TMCP Quốc tế Việt Nam' },
].map((bank) => Object.freeze(bank)));

const BY_BIN = new Map(NAPAS_BANKS.map((bank) => [bank.bin, bank]));

/** The bank of a BIN, or undefined for one this table does not hold (the table is small, not NAPAS's full list). */
export function bankByBin(bin: string): NapasBank | undefined {
  return BY_BIN.get(bin);
}
