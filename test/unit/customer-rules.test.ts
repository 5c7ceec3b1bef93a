import { fromFinanCustomer, toFinanCustomer } from '../../activities/finan/customers';
import { CustomerRequest, FinanCustomer } from '../../providers/finan/customer-schemas';
import type { CustomerRecord } from '../../workflows/customer/messages';
import { customerProblems, customerView, isEmptyPatch, mergeCustomerPatch } from '../../workflows/customer/rules';

/** The customers page's example, in our words. */
const record: CustomerRecord = {
  type: 'personal',
  name: 'Nguyen Van B',
  phone: '0933456789',
  phoneCode: '+84',
  email: 'nguyenvanb@example.com',
  taxId: '123456789',
  contactPersons: [{ name: 'Jane Smith', phoneNumber: '987654321', email: 'jane.smith@example.com' }],
  customTag: 'VIP',
  address: { country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1', ward: 'Ben Thanh Ward', address: '123 Le Loi Street', zipCode: '100000' },
  bankAccounts: [{ bankCode: '201', bankName: 'Vietcombank', accountHolderName: 'Nguyen Van B', accountNumber: '123456789012' }],
};

describe('a PATCH merged into the record Finan holds', () => {
  it('a PATCH of the email alone keeps the address and the bank accounts (and everything else)', () => {
    const merged = mergeCustomerPatch(record, { email: 'new@example.com' });
    expect(merged).toEqual({ ...record, email: 'new@example.com' });
    expect(merged.address).toEqual(record.address);
    expect(merged.bankAccounts).toEqual(record.bankAccounts);
  });

  it('null clears an optional field', () => {
    const merged = mergeCustomerPatch(record, { taxId: null, customTag: null, bankAccounts: null });
    expect(merged).not.toHaveProperty('taxId');
    expect(merged).not.toHaveProperty('customTag');
    expect(merged).not.toHaveProperty('bankAccounts');
    expect(merged.address).toEqual(record.address);
  });

  it('the address merges field by field; null clears one field, or the whole address', () => {
    expect(mergeCustomerPatch(record, { address: { ward: 'Phuong 1', zipCode: null } }).address).toEqual({
      country: 'Vietnam',
      province: 'Ho Chi Minh',
      district: 'District 1',
      ward: 'Phuong 1',
      address: '123 Le Loi Street',
    });
    expect(mergeCustomerPatch(record, { address: null })).not.toHaveProperty('address');
    const { address: _none, ...withoutAddress } = record;
    expect(mergeCustomerPatch(withoutAddress, { address: { province: 'Ha Noi' } }).address).toEqual({ province: 'Ha Noi' });
    // An address with every field cleared is no address.
    expect(mergeCustomerPatch({ ...record, address: { country: 'Vietnam' } }, { address: { country: null } })).not.toHaveProperty('address');
  });

  it('lists are replaced whole, never merged item by item', () => {
    const accounts = [{ bankCode: '970', bankName: 'MB', accountHolderName: 'Nguyen Van B', accountNumber: '0933450210' }];
    expect(mergeCustomerPatch(record, { bankAccounts: accounts }).bankAccounts).toEqual(accounts);
  });

  it('does not change the record it merges into', () => {
    const before = structuredClone(record);
    mergeCustomerPatch(record, { email: null, address: { ward: null } });
    expect(record).toEqual(before);
  });

  it('an empty patch is recognised (refused: it changes nothing)', () => {
    expect(isEmptyPatch({})).toBe(true);
    expect(isEmptyPatch({ email: undefined })).toBe(true);
    expect(isEmptyPatch({ email: null })).toBe(false);
  });
});

describe("Finan's rules on a whole record", () => {
  it('a valid record has no problems', () => {
    expect(customerProblems(record)).toEqual([]);
  });

  it('contactPersons is required for type company', () => {
    const { contactPersons: _none, ...personal } = record;
    expect(customerProblems({ ...personal, type: 'company' })).toEqual([{ field: 'contactPersons', rule: 'is required for type company' }]);
    expect(customerProblems({ ...record, type: 'company', contactPersons: [] })).toEqual([{ field: 'contactPersons', rule: 'is required for type company' }]);
    expect(customerProblems({ ...record, type: 'company' })).toEqual([]);
  });

  it('a PATCH turning a personal customer without contacts into a company is caught after the merge', () => {
    const { contactPersons: _none, ...personal } = record;
    expect(customerProblems(mergeCustomerPatch(personal, { type: 'company' }))).toEqual([{ field: 'contactPersons', rule: 'is required for type company' }]);
  });

  it('names each missing required field, contact persons included', () => {
    const broken = { ...record, name: '', phoneCode: ' ', contactPersons: [{ name: 'Jane', phoneNumber: '', email: 'jane@example.com' }] };
    expect(customerProblems(broken)).toEqual([
      { field: 'name', rule: 'is required' },
      { field: 'phoneCode', rule: 'is required' },
      { field: 'contactPersons.0.phoneNumber', rule: 'is required' },
    ]);
    expect(customerProblems({ ...record, type: 'vip' as never })).toEqual([{ field: 'type', rule: 'must be one of personal, company' }]);
  });
});

describe('the view the gateway answers', () => {
  it('has every field, null or [] for what Finan holds none of', () => {
    expect(customerView('CUST1', 'id-1', { type: 'personal', name: 'A', phone: '09', phoneCode: '+84' })).toEqual({
      customerCode: 'CUST1',
      customerId: 'id-1',
      type: 'personal',
      name: 'A',
      phone: '09',
      phoneCode: '+84',
      email: null,
      taxId: null,
      contactPersons: [],
      customTag: null,
      address: null,
      bankAccounts: [],
    });
    expect(customerView('CUST1', 'id-1', { ...record, address: { province: 'Ha Noi' } }).address).toEqual({
      country: null,
      province: 'Ha Noi',
      district: null,
      ward: null,
      address: null,
      zipCode: null,
    });
  });
});

describe("one mapping per direction between our record and Finan's", () => {
  it("our record becomes the page's example request, field for field", () => {
    const request = toFinanCustomer('CUST20231122', record);
    expect(CustomerRequest.parse(request)).toEqual(request);
    expect(request).toEqual({
      general_info: {
        name: 'Nguyen Van B',
        customer_code: 'CUST20231122',
        phone: '0933456789',
        phone_code: '+84',
        email: 'nguyenvanb@example.com',
        type: 'personal',
        tax_id: '123456789',
        contact_persons: [{ name: 'Jane Smith', phone_number: '987654321', email: 'jane.smith@example.com' }],
        custom_tag: 'VIP',
      },
      address: { country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1', ward: 'Ben Thanh Ward', address: '123 Le Loi Street', zip_code: '100000' },
      bank_accounts: [{ bank_code: '201', bank_name: 'Vietcombank', account_holder_name: 'Nguyen Van B', account_number: '123456789012' }],
    });
  });

  it('omits what the record does not hold (so Finan clears it), and reads it back the same', () => {
    const minimal: CustomerRecord = { type: 'personal', name: 'A', phone: '09', phoneCode: '+84' };
    expect(toFinanCustomer('C', minimal)).toEqual({ general_info: { name: 'A', customer_code: 'C', phone: '09', phone_code: '+84', type: 'personal' } });
    for (const r of [record, minimal]) {
      const answered = FinanCustomer.parse({ customer_id: 'id-1', ...toFinanCustomer('C', r), created_at: '2024-01-20T14:00:00Z' });
      expect(fromFinanCustomer(answered)).toEqual(r);
    }
  });

  it('reads "" and null in Finan\'s answer as absent', () => {
    const answered = FinanCustomer.parse({
      customer_id: 'id-1',
      general_info: { name: 'A', customer_code: 'C', phone: '09', phone_code: '+84', type: 'personal', email: '', tax_id: null, contact_persons: null },
      address: null,
      bank_accounts: [],
    });
    expect(fromFinanCustomer(answered)).toEqual({ type: 'personal', name: 'A', phone: '09', phoneCode: '+84' });
  });

  it('the provider schema refuses a company without contact persons before anything is sent', () => {
    const parsed = CustomerRequest.safeParse({ general_info: { name: 'A', customer_code: 'C', phone: '09', phone_code: '+84', type: 'company' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['general_info', 'contact_persons'], message: 'is required for type company' });
  });
});
