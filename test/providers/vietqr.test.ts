import fc from 'fast-check';
import { bankByBin, crc16CcittFalse, crcHex, decodeVietQr, encodeVietQr, NAPAS_BANKS, VietQrError } from '../../providers/vietqr';
import type { VietQrErrorCode, VietQrInput } from '../../providers/vietqr';

/** The reference's real strings, verbatim. */
const REAL = {
  acbWithAmount: '00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA5303704540410005802VN62150811Chuyen tien6304BBB8',
  techcombankStatic: '00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA53037045802VN63040283',
  mbStaticLowerCaseCrc: '00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53037045802VN630479db',
  vietcombankOrder: '00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA53037045405500005802VN62090805DH123630478C8',
};

function refusal(text: string): VietQrError {
  try {
    decodeVietQr(text);
  } catch (error) {
    expect(error).toBeInstanceOf(VietQrError);
    return error as VietQrError;
  }
  throw new Error(`${text} was accepted`);
}

/** Replaces the CRC with the right one, so a test reaches the check it means to exercise. */
const withCrc = (withoutCrc: string): string => `${withoutCrc}6304${crcHex(`${withoutCrc}6304`)}`;

describe('CRC-16/CCITT-FALSE', () => {
  it('has the check value 29B1 for "123456789"', () => {
    expect(crc16CcittFalse('123456789')).toBe(0x29b1);
    expect(crcHex('123456789')).toBe('29B1');
  });

  it('pads to four upper-case hex digits', () => {
    expect(crcHex('')).toBe('FFFF');
    expect(crcHex('00020101021138580010A000000727012800069704070114190304136010180208QRIBFTTA53037045802VN6304')).toBe('0283');
  });
});

describe('decoding the real VietQR strings', () => {
  it('an ACB transfer of 1,000 VND with content "Chuyen tien"', () => {
    expect(decodeVietQr(REAL.acbWithAmount)).toEqual({
      bin: '970416',
      accountNumber: '257678859',
      amount: 1000,
      purpose: 'Chuyen tien',
      service: 'QRIBFTTA',
      pointOfInitiation: 'dynamic',
    });
  });

  it('a static Techcombank QR (no amount, no content)', () => {
    expect(decodeVietQr(REAL.techcombankStatic)).toEqual({ bin: '970407', accountNumber: '19030413601018', service: 'QRIBFTTA', pointOfInitiation: 'static' });
  });

  it('a static MB QR whose CRC is printed in lower case', () => {
    expect(decodeVietQr(REAL.mbStaticLowerCaseCrc)).toEqual({ bin: '970422', accountNumber: '0352350917', service: 'QRIBFTTA', pointOfInitiation: 'static' });
  });

  it('a Vietcombank order DH123 of 50,000 VND', () => {
    expect(decodeVietQr(REAL.vietcombankOrder)).toEqual({
      bin: '970436',
      accountNumber: '0011001234567',
      amount: 50000,
      purpose: 'DH123',
      service: 'QRIBFTTA',
      pointOfInitiation: 'dynamic',
    });
  });

  it.each(Object.entries(REAL))('%s re-encodes to the same string (CRC in upper case)', (_name, text) => {
    const { pointOfInitiation: _initiation, ...input } = decodeVietQr(text);
    expect(encodeVietQr(input)).toBe(text.slice(0, -4) + text.slice(-4).toUpperCase());
  });

  it('names the banks of those BINs', () => {
    expect(['970416', '970407', '970422', '970436'].map((bin) => bankByBin(bin)?.shortName)).toEqual(['ACB', 'Techcombank', 'MB', 'Vietcombank']);
    expect(bankByBin('970424')).toEqual({ bin: '970424', shortName: 'Shinhan', name: 'Ngân hàng TNHH MTV Shinhan Việt Nam' });
    expect(bankByBin('999999')).toBeUndefined();
    expect(new Set(NAPAS_BANKS.map((bank) => bank.bin)).size).toBe(12);
  });
});

describe('refusing what is not a valid VietQR', () => {
  const cases: Array<[string, string, VietQrErrorCode, RegExp]> = [
    ['a CRC that does not match', REAL.techcombankStatic.replace(/0283$/, '0284'), 'bad_crc', /CRC is 0284, but the payload's CRC is 0283/],
    ['one changed digit of the account', REAL.techcombankStatic.replace('1903041', '1903042'), 'bad_crc', /CRC/],
    ['no CRC at all', REAL.techcombankStatic.slice(0, -8), 'bad_crc', /does not end with a CRC field 63/],
    ['a length running past the end', withCrc('000201010211385800'), 'bad_tlv', /field 38 declares 58 characters/],
    ['a non-numeric length', withCrc('0002010102113X'), 'bad_tlv', /expected a 2-digit id and 2-digit length/],
    ['a repeated field', withCrc('000201000201'), 'bad_tlv', /field 00 appears twice/],
    ['another scheme\'s GUID in field 38', withCrc('00020101021138540010A00000072801240006970422011003523509170208QRIBFTTA53037045802VN'), 'wrong_guid', /not NAPAS's A000000727/],
    ['no merchant account field', withCrc('00020101021153037045802VN'), 'missing_field', /field 38 \(merchant account information\) is missing/],
    ['a currency other than VND', withCrc('00020101021138540010A00000072701240006970422011003523509170208QRIBFTTA53038405802VN'), 'bad_field', /field 53 \(currency\) must be 704/],
    ['an unknown service', withCrc('00020101021138540010A00000072701240006970422011003523509170208QRIBFTXX53037045802VN'), 'bad_field', /field 38.02 \(service\) must be QRIBFTTA or QRIBFTTC/],
    ['a fractional amount', withCrc('00020101021238540010A00000072701240006970422011003523509170208QRIBFTTA5303704540750000.05802VN'), 'bad_field', /field 54 \(amount\) must be a positive whole number/],
  ];

  it.each(cases)('%s', (_name, text, code, message) => {
    const error = refusal(text);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('a BIN that is not 6 digits', () => {
    const beneficiary = '0005970422' + '01100352350917';
    const account = `0010A00000072701${beneficiary.length}${beneficiary}0208QRIBFTTA`;
    const error = refusal(withCrc(`00020101021138${account.length}${account}53037045802VN`));
    expect(error).toMatchObject({ code: 'bad_field', message: expect.stringMatching(/field 38.01.00 \(BIN\) must be 6 digits/) });
  });

  it('a string that is not a string', () => {
    expect(refusal(42 as unknown as string).code).toBe('bad_tlv');
  });
});

describe('encoding', () => {
  it('writes 01 = 12 and field 54 when there is an amount, 11 and no 54 without', () => {
    const base = { bin: '970424', accountNumber: '700012345678', service: 'QRIBFTTA' } as const;
    expect(encodeVietQr({ ...base, amount: 6000000, purpose: 'TTVD7ZZS' })).toMatch(/^000201010212.*54076000000.*62120808TTVD7ZZS6304[0-9A-F]{4}$/);
    expect(encodeVietQr(base)).toMatch(/^000201010211/);
    expect(encodeVietQr(base)).not.toContain('5407');
  });

  it.each<[string, Partial<VietQrInput>, RegExp]>([
    ['a 5-digit BIN', { bin: '97042' }, /bin must be a 6-digit NAPAS BIN/],
    ['an account with a dash', { accountNumber: '0933-450210' }, /accountNumber must be 1 to 19 letters or digits/],
    ['a 20-digit account', { accountNumber: '1'.repeat(20) }, /accountNumber/],
    ['a zero amount', { amount: 0 }, /amount must be a positive whole number/],
    ['a fractional amount', { amount: 10.5 }, /amount/],
    ['a 14-digit amount', { amount: 10_000_000_000_000 }, /at most 13 digits/],
    ['a 26-character purpose', { purpose: 'x'.repeat(26) }, /purpose must be 1 to 25 printable ASCII/],
    ['a purpose with diacritics', { purpose: 'Chuyển tiền' }, /no diacritics/],
    ['an empty purpose', { purpose: '' }, /purpose/],
    ['an unknown service', { service: 'QRPUSH' as VietQrInput['service'] }, /service must be QRIBFTTA or QRIBFTTC/],
  ])('refuses %s', (_name, change, message) => {
    const input: VietQrInput = { bin: '970424', accountNumber: '700012345678', amount: 1000, purpose: 'OK', service: 'QRIBFTTA', ...change };
    expect(() => encodeVietQr(input)).toThrow(VietQrError);
    expect(() => encodeVietQr(input)).toThrow(message);
  });

  it('round-trips any valid input', () => {
    const input = fc.record(
      {
        bin: fc.stringMatching(/^\d{6}$/),
        accountNumber: fc.stringMatching(/^[0-9A-Za-z]{1,19}$/),
        amount: fc.integer({ min: 1, max: 9_999_999_999_999 }),
        purpose: fc.stringMatching(/^[\x20-\x7e]{1,25}$/),
        service: fc.constantFrom('QRIBFTTA' as const, 'QRIBFTTC' as const),
      },
      { requiredKeys: ['bin', 'accountNumber', 'service'] },
    );
    fc.assert(
      fc.property(input, (qr) => {
        const text = encodeVietQr(qr);
        expect(decodeVietQr(text)).toEqual({ ...qr, pointOfInitiation: qr.amount === undefined ? 'static' : 'dynamic' });
        expect(text.slice(-4)).toMatch(/^[0-9A-F]{4}$/);
      }),
      { numRuns: 500 },
    );
  });
});
