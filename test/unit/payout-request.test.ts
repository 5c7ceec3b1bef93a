import { ValidationError } from '../../client/errors';
import { PayoutRequestSchema } from '../../client/schemas/payouts';
import { parseOrThrow } from '../../client/schemas/common';

const valid = {
  referenceId: 'PAYOUT-001',
  accountId: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6_000_000,
  beneficiaryAccountName: 'NGUYEN VAN A',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  description: 'thanh toan don hang',
};

function problems(body: unknown) {
  try {
    parseOrThrow(PayoutRequestSchema, body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('expected a validation error');
}

describe('a payout request', () => {
  it('accepts the page example and defaults the currency to VND', () => {
    expect(parseOrThrow(PayoutRequestSchema, valid)).toEqual({ ...valid, currency: 'VND' });
  });

  it('names every broken field and its rule', () => {
    expect(problems({ ...valid, amount: 10.5, description: 'x'.repeat(31), referenceId: 'has space', extra: 1 })).toEqual(
      expect.arrayContaining([
        { field: 'amount', rule: 'must be a whole number of VND' },
        { field: 'description', rule: 'must be at most 30 characters (a Finan limit)' },
        { field: 'referenceId', rule: 'must be 1 to 64 characters of letters, digits, ".", "_" or "-"' },
        { field: '(body)', rule: 'unknown field(s): extra' },
      ]),
    );
  });

  it('says "is required" for a missing field and what it must be for a wrong type', () => {
    const { beneficiaryBankId: _omit, ...rest } = valid;
    expect(problems({ ...rest, amount: '6000000' })).toEqual(
      expect.arrayContaining([
        { field: 'beneficiaryBankId', rule: 'is required' },
        { field: 'amount', rule: 'must be a number' },
      ]),
    );
  });

  it('refuses zero, negative and non-VND amounts', () => {
    expect(problems({ ...valid, amount: 0 })).toContainEqual({ field: 'amount', rule: 'must be greater than 0' });
    expect(problems({ ...valid, currency: 'USD' })).toContainEqual({ field: 'currency', rule: 'must be "VND"' });
  });
});
