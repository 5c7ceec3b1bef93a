import type { EinvoiceAccount, SaveEinvoiceAccountRequest } from '../../workflows/einvoice-account/messages';
import { einvoiceAccountReference, einvoiceAccountWorkflowId } from '../../workflows/einvoice-account/messages';
import { SAVES_PER_RUN, saveActivityInput, saveRequestProblem, shouldContinueAsNew } from '../../workflows/einvoice-account/rules';

const REQUEST: SaveEinvoiceAccountRequest = { username: 'admin@company.vn', password: 'your_password', isDefault: true, isActive: true };
const ACCOUNT: EinvoiceAccount = { id: 7, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', isDefault: true, isActive: true };

describe('e-invoice account rules', () => {
  it('names the flow and its reference after the account, never its username or password', () => {
    expect(einvoiceAccountWorkflowId('x-cyber', '0101234567')).toBe('einvoice-account-x-cyber-0101234567');
    expect(einvoiceAccountReference('s-invoice', '0101234567-001')).toBe('s-invoice-0101234567-001');
  });

  it.each([
    [null, 'the request must be an object'],
    [{ ...REQUEST, username: '' }, 'username must be a non-empty string'],
    [{ ...REQUEST, password: 42 }, 'password must be a non-empty string'],
    [{ ...REQUEST, isDefault: 'yes' }, 'isDefault must be true or false'],
    [{ ...REQUEST, isActive: undefined }, 'isActive must be true or false'],
    [{ ...REQUEST, merchantId: 1.5 }, 'merchantId must be a positive integer'],
  ])('refuses %j: %s', (request, problem) => {
    expect(saveRequestProblem(null, request)).toContain(problem);
  });

  it("refuses another merchant's id for an account Tingee placed under a merchant, without echoing the password", () => {
    const problem = saveRequestProblem(ACCOUNT, { ...REQUEST, merchantId: 20002 });
    expect(problem).toBe('merchantId must be 10001, the merchant this account belongs to at Tingee');
    expect(saveRequestProblem(ACCOUNT, { ...REQUEST, merchantId: 10001 })).toBeNull();
    expect(saveRequestProblem(ACCOUNT, REQUEST)).toBeNull();
  });

  it("sends Tingee's id once known, and keeps the account's merchant", () => {
    expect(saveActivityInput({ provider: 'x-cyber', taxCode: '0101234567' }, null, REQUEST)).toEqual({ provider: 'x-cyber', taxCode: '0101234567', accountId: undefined, ...REQUEST, merchantId: undefined });
    expect(saveActivityInput({ provider: 'x-cyber', taxCode: '0101234567' }, ACCOUNT, REQUEST)).toMatchObject({ accountId: 7, merchantId: 10001, password: 'your_password' });
  });

  it('continues as new when Temporal suggests it or after a hundred saves', () => {
    expect(shouldContinueAsNew(0, false)).toBe(false);
    expect(shouldContinueAsNew(SAVES_PER_RUN - 1, false)).toBe(false);
    expect(shouldContinueAsNew(SAVES_PER_RUN, false)).toBe(true);
    expect(shouldContinueAsNew(1, true)).toBe(true);
    expect(shouldContinueAsNew(2, false, 2)).toBe(true);
    expect(shouldContinueAsNew(1, false, 2)).toBe(false);
  });
});
