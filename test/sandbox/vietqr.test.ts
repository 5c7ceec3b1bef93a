import fc from 'fast-check';
import { decodeVietQr, encodeVietQr } from '../../providers/vietqr';
import { vietQrForTransfer } from '../../sandbox/finan/vietqr';

// The sandbox's encoder and the provider's codec were written separately: each keeps the other honest.
describe("the sandbox's VietQR", () => {
  it('reproduces a real string of the reference (Vietcombank, 50,000 VND, DH123)', () => {
    expect(vietQrForTransfer({ bin: '970436', accountNumber: '0011001234567', amount: 50000, purpose: 'DH123' })).toBe(
      '00020101021238570010A00000072701270006970436011300110012345670208QRIBFTTA53037045405500005802VN62090805DH123630478C8',
    );
  });

  it('decodes with providers/vietqr to what it was given, and matches its encoder byte for byte', () => {
    const transfer = fc.record({
      bin: fc.stringMatching(/^\d{6}$/),
      accountNumber: fc.stringMatching(/^[0-9A-Za-z]{1,19}$/),
      amount: fc.integer({ min: 1, max: 9_999_999_999_999 }),
      purpose: fc.stringMatching(/^[\x20-\x7e]{1,25}$/),
    });
    fc.assert(
      fc.property(transfer, (qr) => {
        const text = vietQrForTransfer(qr);
        expect(decodeVietQr(text)).toEqual({ ...qr, service: 'QRIBFTTA', pointOfInitiation: 'dynamic' });
        expect(text).toBe(encodeVietQr({ ...qr, service: 'QRIBFTTA' }));
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a purpose a bank app could not match (too long, or with diacritics)', () => {
    expect(() => vietQrForTransfer({ bin: '970424', accountNumber: '1', amount: 1, purpose: 'x'.repeat(26) })).toThrow(/purpose/);
    expect(() => vietQrForTransfer({ bin: '970424', accountNumber: '1', amount: 1, purpose: 'Chuyển tiền' })).toThrow(/purpose/);
  });
});
