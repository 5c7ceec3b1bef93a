/**
 * VietQR: the NAPAS profile of the EMVCo merchant-presented QR, for bank transfers to an account (QRIBFTTA) or a
 * card (QRIBFTTC). Field order: 00 `01`; 01 `11` static / `12` with an amount; 38 { 00 GUID, 01 { 00 BIN, 01 account },
 * 02 service }; 53 `704` (VND); 54 amount; 58 `VN`; 62 { 08 purpose }; 63 CRC (always last).
 */
import { crcHex } from './crc';
import { VietQrError } from './errors';
import { parseTlv, tlv } from './tlv';
import type { TlvField } from './tlv';

export const NAPAS_GUID = 'A000000727';
export const VIETQR_SERVICES = ['QRIBFTTA', 'QRIBFTTC'] as const;
export type VietQrService = (typeof VIETQR_SERVICES)[number];

export interface VietQrInput {
  /** The bank's 6-digit NAPAS BIN, e.g. `970424` (Shinhan). */
  bin: string;
  /** Account number (QRIBFTTA) or card number (QRIBFTTC): up to 19 letters or digits. */
  accountNumber: string;
  /** Whole VND; omitted for a static QR where the payer types the amount. */
  amount?: number;
  /** The transfer content (field 62.08): printable ASCII, at most 25 characters. */
  purpose?: string;
  service: VietQrService;
}

export interface VietQr extends Omit<VietQrInput, 'amount' | 'purpose'> {
  amount?: number;
  purpose?: string;
  /** Field 01: `11` static (reusable), `12` dynamic (one payment, usually with an amount). */
  pointOfInitiation: 'static' | 'dynamic';
}

const PURPOSE_MAX = 25;
const AMOUNT_MAX_DIGITS = 13; // EMVCo field 54 is at most 13 characters
const BIN = /^\d{6}$/;
const ACCOUNT = /^[0-9A-Za-z]{1,19}$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function encodeVietQr(input: VietQrInput): string {
  const { bin, accountNumber, amount, purpose, service } = input;
  const invalid = (message: string): never => {
    throw new VietQrError('invalid_input', message);
  };
  if (typeof bin !== 'string' || !BIN.test(bin)) invalid('bin must be a 6-digit NAPAS BIN');
  if (typeof accountNumber !== 'string' || !ACCOUNT.test(accountNumber)) invalid('accountNumber must be 1 to 19 letters or digits');
  if (!VIETQR_SERVICES.includes(service)) invalid(`service must be ${VIETQR_SERVICES.join(' or ')}`);
  if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0 || String(amount).length > AMOUNT_MAX_DIGITS)) {
    invalid(`amount must be a positive whole number of VND of at most ${AMOUNT_MAX_DIGITS} digits`);
  }
  if (purpose !== undefined) {
    // Banks' apps show and match the content byte for byte; diacritics would need field 64, which NAPAS does not use here.
    if (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > PURPOSE_MAX || !PRINTABLE_ASCII.test(purpose)) {
      invalid(`purpose must be 1 to ${PURPOSE_MAX} printable ASCII characters (no diacritics)`);
    }
  }

  const merchantAccount = tlv('00', NAPAS_GUID) + tlv('01', tlv('00', bin) + tlv('01', accountNumber)) + tlv('02', service);
  const payload =
    tlv('00', '01') +
    tlv('01', amount === undefined ? '11' : '12') +
    tlv('38', merchantAccount) +
    tlv('53', '704') +
    (amount === undefined ? '' : tlv('54', String(amount))) +
    tlv('58', 'VN') +
    (purpose === undefined ? '' : tlv('62', tlv('08', purpose))) +
    '6304';
  return payload + crcHex(payload);
}

/**
 * Reads and validates a VietQR string: CRC first (a misread QR fails there), then structure, then each field.
 * Fields VietQR does not use (59 merchant name, 60 city, ...) are tolerated and ignored. An amount is not required
 * for `12`, nor refused for `11`: issuers differ, and the payer's app shows whatever the QR holds.
 */
export function decodeVietQr(text: string): VietQr {
  if (typeof text !== 'string') throw new VietQrError('bad_tlv', 'a VietQR must be a string');
  const crcField = /6304([0-9A-Fa-f]{4})$/.exec(text);
  if (!crcField?.[1]) throw new VietQrError('bad_crc', 'the payload does not end with a CRC field 63 (6304 and four hex digits)');
  const expected = crcHex(text.slice(0, -4));
  // Upper case is what EMVCo prints; lower case is accepted because some issuers emit it (and it is the same number).
  if (crcField[1].toUpperCase() !== expected) throw new VietQrError('bad_crc', `CRC is ${crcField[1]}, but the payload's CRC is ${expected}`);

  const fields = parseTlv(text, 'payload');
  const last = fields[fields.length - 1];
  if (last?.id !== '63' || last.value.length !== 4) throw new VietQrError('bad_tlv', 'field 63 (CRC) must be the last field, 4 characters long');
  if (fields[0]?.id !== '00') throw new VietQrError('bad_tlv', 'field 00 (payload format) must come first');
  const top = byId(fields);

  expectValue(top, '00', 'payload format indicator', ['01']);
  const initiation = expectValue(top, '01', 'point of initiation', ['11', '12']);
  expectValue(top, '53', 'currency', ['704']);
  expectValue(top, '58', 'country', ['VN']);

  const account = byId(parseTlv(required(top, '38', 'merchant account information'), 'field 38'));
  const guid = required(account, '00', 'field 38.00 (GUID)');
  if (guid.toUpperCase() !== NAPAS_GUID) throw new VietQrError('wrong_guid', `field 38.00 is ${JSON.stringify(guid)}, not NAPAS's ${NAPAS_GUID}: not a VietQR`);
  const beneficiary = byId(parseTlv(required(account, '01', 'field 38.01 (beneficiary)'), 'field 38.01'));
  const bin = required(beneficiary, '00', 'field 38.01.00 (BIN)');
  if (!BIN.test(bin)) throw new VietQrError('bad_field', `field 38.01.00 (BIN) must be 6 digits, got ${JSON.stringify(bin)}`);
  const accountNumber = required(beneficiary, '01', 'field 38.01.01 (account number)');
  if (!ACCOUNT.test(accountNumber)) throw new VietQrError('bad_field', 'field 38.01.01 (account number) must be 1 to 19 letters or digits');
  const service = expectValue(account, '02', 'field 38.02 (service)', VIETQR_SERVICES);

  const result: VietQr = { bin, accountNumber, service, pointOfInitiation: initiation === '11' ? 'static' : 'dynamic' };
  const amount = top.get('54');
  if (amount !== undefined) {
    // VND has no minor unit: "50000.00" or "0" is not a transfer amount a bank app would accept.
    if (!/^[1-9]\d*$/.test(amount) || !Number.isSafeInteger(Number(amount))) {
      throw new VietQrError('bad_field', `field 54 (amount) must be a positive whole number of VND, got ${JSON.stringify(amount)}`);
    }
    result.amount = Number(amount);
  }
  const additional = top.get('62');
  if (additional !== undefined) {
    const purpose = byId(parseTlv(additional, 'field 62')).get('08');
    if (purpose !== undefined) {
      if (purpose.length > PURPOSE_MAX) throw new VietQrError('bad_field', `field 62.08 (purpose) must be at most ${PURPOSE_MAX} characters`);
      result.purpose = purpose;
    }
  }
  return result;
}

function byId(fields: TlvField[]): Map<string, string> {
  return new Map(fields.map((field) => [field.id, field.value]));
}

function required(fields: Map<string, string>, id: string, name: string): string {
  const value = fields.get(id);
  if (value === undefined) throw new VietQrError('missing_field', `${name.startsWith('field') ? name : `field ${id} (${name})`} is missing`);
  return value;
}

function expectValue<T extends string>(fields: Map<string, string>, id: string, name: string, allowed: readonly T[]): T {
  const value = required(fields, id, name);
  if (!(allowed as readonly string[]).includes(value)) {
    const label = name.startsWith('field') ? name : `field ${id} (${name})`;
    throw new VietQrError('bad_field', `${label} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
