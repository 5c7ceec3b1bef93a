/**
 * SePay's payment-code rules (providers/sepay/rules.ts): the page's constraints on a format, and the finder of a
 * payment code in a bank transfer's description, by example and by property (fast-check).
 */
import fc from 'fast-check';
import type { PaymentCodeFormat } from '../../providers/sepay/rules';
import { findPaymentCode, paymentCodeFormatProblems } from '../../providers/sepay/rules';

const DH: PaymentCodeFormat = { prefix: 'DH', suffixFrom: 6, suffixTo: 8, characterType: 'NumberOnly', isActive: true };
const HD: PaymentCodeFormat = { prefix: 'HD', suffixFrom: 4, suffixTo: 6, characterType: 'NumberAndLetter', isActive: true };
const PAGE_FORMATS = [DH, HD];

describe("the page's constraints", () => {
  test("the page's example formats are valid", () => {
    expect(paymentCodeFormatProblems(PAGE_FORMATS)).toEqual([]);
  });

  test.each([
    [{ prefix: 'D' }, 'prefix', /2 to 3 letters/],
    [{ prefix: 'DHAB' }, 'prefix', /2 to 3 letters/],
    [{ prefix: 'D1' }, 'prefix', /letters/],
    [{ prefix: 'ĐH' }, 'prefix', /A-Z/],
    [{ suffixFrom: 0 }, 'suffixFrom', /integer from 1 to 30/],
    [{ suffixFrom: 6.5 }, 'suffixFrom', /integer/],
    [{ suffixTo: 31 }, 'suffixTo', /integer from 1 to 30/],
    [{ suffixFrom: 8, suffixTo: 6 }, 'suffixTo', /greater than or equal to suffixFrom \(8\)/],
    [{ characterType: 'Digits' }, 'characterType', /NumberOnly or NumberAndLetter/],
    [{ isActive: 1 }, 'isActive', /true or false/],
  ])('%j breaks the rule of %s, named with the format\'s position', (change, field, rule) => {
    const problems = paymentCodeFormatProblems([DH, { ...HD, ...change }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe(`paymentCodeFormats.1.${field}`);
    expect(problems[0]!.rule).toMatch(rule);
    expect(problems[0]!.rule).toContain('format 2');
  });

  test('every problem of every format is listed at once', () => {
    const problems = paymentCodeFormatProblems([{ ...DH, prefix: '' }, null, { ...HD, suffixTo: 0, isActive: 'yes' }]);
    expect(problems.map((p) => p.field)).toEqual(['paymentCodeFormats.0.prefix', 'paymentCodeFormats.1', 'paymentCodeFormats.2.suffixTo', 'paymentCodeFormats.2.isActive']);
  });
});

describe('the finder, by example', () => {
  test.each([
    ['DH123456', 'DH123456'],
    ['Thanh toan don hang DH123456', 'DH123456'],
    ['thanh toan dh123456', 'DH123456'],
    ['DH 1234567 chuyen khoan', 'DH1234567'],
    ['MBVCB.3278.DH-12345678.CT tu 0123456789', 'DH12345678'],
    ['IBFT DH_123456 FT24123', 'DH123456'],
    ['hd 12ab thanh toan', 'HD12AB'],
    ['Chuyen tien HD3A5C7', 'HD3A5C7'.slice(0, 7)],
    ['DH123456CHUYEN TIEN', 'DH123456'],
  ])('%s → %s', (text, code) => {
    expect(findPaymentCode(text, PAGE_FORMATS)).toBe(code);
  });

  test.each([
    ['chuyen tien qua HDBANK', 'a bank name is not code HD + BANK (no digit)'],
    ['DH12345', 'a suffix shorter than 6'],
    ['DH123456789', 'a run longer than 8 is another number'],
    ['ADH123456', 'a prefix glued to a word'],
    ['1DH123456', 'a prefix glued to a number'],
    ['DH  123456', 'two separators'],
    ['', 'nothing'],
  ])('%s → null (%s)', (text) => {
    expect(findPaymentCode(text, PAGE_FORMATS)).toBeNull();
  });

  test('inactive formats are ignored; the earliest code wins', () => {
    expect(findPaymentCode('DH123456', [{ ...DH, isActive: false }])).toBeNull();
    expect(findPaymentCode('HD12AB roi DH123456', PAGE_FORMATS)).toBe('HD12AB');
    expect(findPaymentCode('DH123456 roi HD12AB', PAGE_FORMATS)).toBe('DH123456');
  });

  test('a run too long does not hide a code that starts after the separator inside it', () => {
    // At the first HD, "HD12AB" is one letter too long for 4-5; the second HD then holds the code.
    expect(findPaymentCode('HD HD12AB', [{ ...HD, suffixTo: 5 }])).toBe('HD12AB');
  });
});

describe('the finder, by property', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split(''));
  const digit = fc.constantFrom(...'0123456789'.split(''));
  const alnum = fc.oneof(letter, digit);

  const format = fc
    .record({
      prefix: fc.array(letter, { minLength: 2, maxLength: 3 }).map((l) => l.join('')),
      suffixFrom: fc.integer({ min: 1, max: 12 }),
      extra: fc.integer({ min: 0, max: 6 }),
      characterType: fc.constantFrom('NumberOnly' as const, 'NumberAndLetter' as const),
    })
    .map(({ extra, ...f }): PaymentCodeFormat => ({ ...f, suffixTo: f.suffixFrom + extra, isActive: true }));

  /** A suffix the format allows: its characters, a length within bounds, a digit in a NumberAndLetter one. */
  const suffixOf = (f: PaymentCodeFormat) =>
    fc.integer({ min: f.suffixFrom, max: f.suffixTo }).chain((length) =>
      fc
        .record({ chars: fc.array(f.characterType === 'NumberOnly' ? digit : alnum, { minLength: length, maxLength: length }), at: fc.nat(length - 1), d: digit })
        // A NumberAndLetter suffix holds at least one digit.
        .map(({ chars, at, d }) => chars.map((c, i) => (i === at ? d : c)).join('')),
    );

  /** What banks put around a code: words of 4+ letters (no digit: never a code), numbers, and separators. */
  const filler = fc.array(
    fc.oneof(
      fc.constantFrom('CHUYEN', 'TIEN', 'THANH', 'TOAN', 'MBVCB', 'IBFT', 'chuyen', 'khoan', 'Nguyen'),
      fc.array(digit, { minLength: 4, maxLength: 12 }).map((d) => d.join('')),
    ),
    { maxLength: 4 },
  );
  const boundary = fc.constantFrom(' ', '.', '-', ' - ', '/', ': ');
  const between = fc.constantFrom('', ' ', '-', '_', '.');
  const caseOf = fc.constantFrom((s: string) => s, (s: string) => s.toUpperCase(), (s: string) => s.toLowerCase());

  const planted = format.chain((f) =>
    fc.record({ format: fc.constant(f), suffix: suffixOf(f), left: filler, right: filler, b1: boundary, b2: boundary, sep: between, recase: caseOf }),
  );
  const textOf = (p: { format: PaymentCodeFormat; suffix: string; left: string[]; right: string[]; b1: string; b2: string; sep: string; recase: (s: string) => string }, suffix = p.suffix) =>
    p.recase([...p.left, `${p.format.prefix}${p.sep}${suffix}`].join(p.b1) + p.b2 + p.right.join(p.b2));

  test('a code of an active format is found in any case, with any one separator, among any words', () => {
    fc.assert(
      fc.property(planted, (p) => {
        expect(findPaymentCode(textOf(p), [p.format])).toBe(`${p.format.prefix}${p.suffix}`.toUpperCase());
      }),
    );
  });

  test('the same text finds nothing when the format is inactive', () => {
    fc.assert(fc.property(planted, (p) => findPaymentCode(textOf(p), [{ ...p.format, isActive: false }]) === null));
  });

  test('a suffix longer than suffixTo or shorter than suffixFrom is not a code', () => {
    fc.assert(
      fc.property(planted, fc.integer({ min: 1, max: 3 }), (p, by) => {
        const longer = p.suffix + '7'.repeat(p.format.suffixTo - p.suffix.length + by);
        expect(findPaymentCode(textOf(p, longer), [p.format])).toBeNull();
        if (p.format.suffixFrom > 1) {
          const shorter = p.format.characterType === 'NumberOnly' ? p.suffix.slice(0, p.format.suffixFrom - 1) : `1${p.suffix.slice(1, p.format.suffixFrom - 1)}`;
          expect(findPaymentCode(textOf(p, shorter), [p.format])).toBeNull();
        }
      }),
    );
  });

  test('a prefix glued to a letter or digit before it is not a code', () => {
    fc.assert(
      fc.property(planted, alnum, (p, glue) => {
        expect(findPaymentCode(p.recase(`${glue}${p.format.prefix}${p.sep}${p.suffix}`), [p.format])).toBeNull();
      }),
    );
  });

  test('whatever the text, an answer is an active format\'s prefix and an allowed suffix, upper case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.array(format, { minLength: 1, maxLength: 3 }), (text, formats) => {
        const code = findPaymentCode(text, formats);
        if (code === null) return;
        expect(code).toBe(code.toUpperCase());
        const fits = formats.some((f) => {
          if (!code.startsWith(f.prefix.toUpperCase())) return false;
          const suffix = code.slice(f.prefix.length);
          const chars = f.characterType === 'NumberOnly' ? /^[0-9]+$/ : /^[0-9A-Z]*[0-9][0-9A-Z]*$/;
          return chars.test(suffix) && suffix.length >= f.suffixFrom && suffix.length <= f.suffixTo;
        });
        expect(fits).toBe(true);
      }),
    );
  });

  test('text without a digit never holds a code', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }).map((s) => s.replace(/[0-9]/g, '')), fc.array(format, { minLength: 1, maxLength: 3 }), (text, formats) => findPaymentCode(text, formats) === null));
  });
});
