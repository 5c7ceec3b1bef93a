/**
 * The sandbox's Finan customers against the customers page: its examples, its error answers, full replacement on
 * PUT, and the two 409s (a taken customer_code; a customer with an unpaid invoice).
 */
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { finanClient, sandboxControls } from './finan-test-client';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof finanClient>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  finan = finanClient(sandbox.finanBaseUrl);
  controls = sandboxControls(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => controls.reset());

/** The page's create example, verbatim. */
const PAGE_EXAMPLE_CUSTOMER = {
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
};

/** The page's PUT example: name, email and tag changed, the address cut to two fields, no bank account. */
const PAGE_EXAMPLE_REPLACEMENT = {
  general_info: {
    name: 'Updated Customer Name',
    customer_code: 'CUST20231122',
    phone: '0933456789',
    phone_code: '+84',
    email: 'updated@example.com',
    type: 'personal',
    custom_tag: 'Priority Customer',
  },
  address: { country: 'Vietnam', province: 'Ho Chi Minh' },
};

interface Customer {
  customer_id: string;
  general_info: Record<string, unknown>;
  address?: Record<string, string>;
  bank_accounts?: Array<Record<string, string>>;
  created_at: string;
  updated_at?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

const create = (body: unknown = PAGE_EXAMPLE_CUSTOMER) => finan.call<Customer>({ method: 'POST', path: '/api/v1/customers', body });
const list = () => finan.call<Customer[]>({ method: 'GET', path: '/api/v1/customers' });
const get = (id: string) => finan.call<Customer>({ method: 'GET', path: `/api/v1/customers/${id}` });
const replace = (id: string, body: unknown) => finan.call<Customer>({ method: 'PUT', path: `/api/v1/customers/${id}`, body });
const remove = (id: string) => finan.call<string>({ method: 'DELETE', path: `/api/v1/customers/${id}` });

async function created(body: unknown = PAGE_EXAMPLE_CUSTOMER): Promise<Customer> {
  const response = await create(body);
  if (response.status !== 200 || !response.body.data) throw new Error(JSON.stringify(response.body));
  return response.body.data;
}

const errorBody = (error: string) => ({ message: { content: 'Yêu cầu không hợp lệ', error }, code: 104000, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });

describe('creating a customer', () => {
  it("answers the page's example with 102001 and the customer, the example's fields included", async () => {
    const { status, body } = await create();
    expect(status).toBe(200);
    expect(body).toMatchObject({ message: { content: 'Thực thi API thành công' }, code: 102001, request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // The page's example answer, field for field (it shows a subset of what was sent).
    expect(body.data).toMatchObject({
      customer_id: expect.stringMatching(UUID),
      general_info: { name: 'Nguyen Van B', customer_code: 'CUST20231122', phone: '0933456789', email: 'nguyenvanb@example.com', type: 'personal' },
      address: { country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1' },
      bank_accounts: [{ bank_code: '201', bank_name: 'Vietcombank', account_number: '123456789012' }],
      created_at: expect.stringMatching(ISO_SECONDS),
    });
  });

  it('refuses a customer_code already taken with 409 and the page\'s error body', async () => {
    await created();
    const { status, body } = await create({ ...PAGE_EXAMPLE_CUSTOMER, general_info: { ...PAGE_EXAMPLE_CUSTOMER.general_info, name: 'Someone Else' } });
    expect(status).toBe(409);
    expect(body).toEqual(errorBody('Customer code already exists'));
    expect((await list()).body.data).toHaveLength(1);
  });

  it('needs contact_persons for a company (400), each with name, phone number and email', async () => {
    const company = { ...PAGE_EXAMPLE_CUSTOMER.general_info, type: 'company' };
    const { contact_persons: _none, ...withoutContacts } = company;
    const missing = await create({ general_info: withoutContacts });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual(errorBody('general_info.contact_persons is required for type company'));

    const empty = await create({ general_info: { ...company, contact_persons: [] } });
    expect(empty.body.message.error).toBe('general_info.contact_persons is required for type company');

    const partial = await create({ general_info: { ...company, contact_persons: [{ name: 'Jane Smith', phone_number: '987654321' }] } });
    expect(partial.status).toBe(400);
    expect(partial.body.message.error).toBe('general_info.contact_persons[0].email is required');

    expect((await create({ general_info: company })).status).toBe(200);
  });

  it('a personal customer needs no contact person', async () => {
    const { contact_persons: _none, ...personal } = PAGE_EXAMPLE_CUSTOMER.general_info;
    expect((await create({ general_info: personal })).status).toBe(200);
  });

  it.each(['name', 'customer_code', 'phone', 'phone_code', 'type'])('general_info.%s is required (400)', async (field) => {
    const info: Record<string, unknown> = { ...PAGE_EXAMPLE_CUSTOMER.general_info };
    delete info[field];
    const { status, body } = await create({ general_info: info });
    expect(status).toBe(400);
    expect(body).toEqual(errorBody(`general_info.${field} is required`));
  });

  it('lists every problem; a missing general_info or a non-object body is a 400', async () => {
    const both = await create({ general_info: { name: 'A', phone_code: '+84', type: 'personal' } });
    expect(both.body.message.error).toBe('general_info.customer_code is required; general_info.phone is required');
    expect((await create({ address: {} })).body).toEqual(errorBody('general_info is required'));
    expect((await create([])).status).toBe(400);
    expect((await create('{"general_info":')).body.message.error).toBe('request body must be valid JSON');
  });

  it('a type other than personal or company is a 422 (well-typed, against the rules)', async () => {
    const { status, body } = await create({ general_info: { ...PAGE_EXAMPLE_CUSTOMER.general_info, type: 'vip' } });
    expect(status).toBe(422);
    expect(body).toEqual(errorBody('general_info.type must be one of personal, company'));
  });

  it('refuses an unsigned request with 401 and creates nothing', async () => {
    const { status } = await finan.call({ method: 'POST', path: '/api/v1/customers', body: PAGE_EXAMPLE_CUSTOMER, omit: ['x-signature'] });
    expect(status).toBe(401);
    expect((await list()).body.data).toEqual([]);
  });
});

describe('reading customers', () => {
  it("lists customers in the page's short form, newest first", async () => {
    const first = await created();
    const second = await created({ general_info: { ...PAGE_EXAMPLE_CUSTOMER.general_info, customer_code: 'CUST2', name: 'Tran Thi C' } });
    const { status, body } = await list();
    expect(status).toBe(200);
    expect(body).toMatchObject({ message: { content: 'Thực thi API thành công' }, code: 102000 });
    expect(body.data).toEqual([
      { customer_id: second.customer_id, general_info: { name: 'Tran Thi C', customer_code: 'CUST2', type: 'personal' }, created_at: second.created_at },
      { customer_id: first.customer_id, general_info: { name: 'Nguyen Van B', customer_code: 'CUST20231122', type: 'personal' }, created_at: first.created_at },
    ]);
  });

  it('reads one customer whole by id (102000), 404 for an unknown id', async () => {
    const customer = await created();
    const { status, body } = await get(customer.customer_id);
    expect(status).toBe(200);
    expect(body.code).toBe(102000);
    expect(body.data).toEqual({ customer_id: customer.customer_id, ...PAGE_EXAMPLE_CUSTOMER, created_at: customer.created_at, updated_at: customer.created_at });

    const unknown = await get('550e8400-e29b-41d4-a716-446655440000');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(errorBody('Customer not found'));
  });
});

describe('replacing a customer (PUT is a full replacement)', () => {
  it("takes the page's example and clears every optional field it omits", async () => {
    const customer = await created();
    const { status, body } = await replace(customer.customer_id, PAGE_EXAMPLE_REPLACEMENT);
    expect(status).toBe(200);
    expect(body.code).toBe(102000);
    expect(body.data).toMatchObject({
      customer_id: customer.customer_id,
      general_info: { name: 'Updated Customer Name', email: 'updated@example.com' },
      updated_at: expect.stringMatching(ISO_SECONDS),
    });

    const after = (await get(customer.customer_id)).body.data!;
    expect(after.general_info).toEqual(PAGE_EXAMPLE_REPLACEMENT.general_info);
    expect(after.general_info).not.toHaveProperty('tax_id');
    expect(after.general_info).not.toHaveProperty('contact_persons');
    expect(after.address).toEqual({ country: 'Vietnam', province: 'Ho Chi Minh' });
    expect(after).not.toHaveProperty('bank_accounts');
  });

  it("the page's Go sample (general_info with three fields only) is refused with 422, and the customer is unchanged", async () => {
    const customer = await created();
    const goSample = { general_info: { name: 'Updated Customer Name', email: 'updated@example.com', custom_tag: 'Priority Customer' } };
    const { status, body } = await replace(customer.customer_id, goSample);
    expect(status).toBe(422);
    expect(body.message.error).toBe('general_info.customer_code is required; general_info.phone is required; general_info.phone_code is required; general_info.type is required');
    expect((await get(customer.customer_id)).body.data).toMatchObject(PAGE_EXAMPLE_CUSTOMER);
  });

  it('answers 404 for an unknown customer and 422 for a code held by another customer', async () => {
    expect((await replace('550e8400-e29b-41d4-a716-446655440000', PAGE_EXAMPLE_REPLACEMENT)).status).toBe(404);
    const customer = await created();
    const other = await created({ general_info: { ...PAGE_EXAMPLE_CUSTOMER.general_info, customer_code: 'CUST2' } });
    const taken = await replace(other.customer_id, PAGE_EXAMPLE_REPLACEMENT);
    expect(taken.status).toBe(422);
    expect(taken.body).toEqual(errorBody('Customer code already exists'));
    expect((await get(customer.customer_id)).body.data?.general_info.name).toBe('Nguyen Van B');
  });
});

describe('deleting a customer', () => {
  it("answers 102001 with data \"success\", then the customer is gone", async () => {
    const customer = await created();
    const { status, body } = await remove(customer.customer_id);
    expect(status).toBe(200);
    expect(body).toMatchObject({ message: { content: 'Thực thi API thành công' }, code: 102001, data: 'success' });
    expect((await get(customer.customer_id)).status).toBe(404);
    expect((await remove(customer.customer_id)).status).toBe(404);
  });

  it('answers 409 while the customer has an unpaid invoice, and deletes it once the invoice is settled', async () => {
    const customer = await created();
    const marked = await controls.send('POST', `/finan/customers/${customer.customer_id}/unpaid-invoice`);
    expect(marked).toEqual({ status: 200, body: { customerId: customer.customer_id, unpaidInvoice: true } });

    const refused = await remove(customer.customer_id);
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual(errorBody('Customer has unpaid invoices'));
    expect((await get(customer.customer_id)).status).toBe(200);

    await controls.send('DELETE', `/finan/customers/${customer.customer_id}/unpaid-invoice`);
    expect((await remove(customer.customer_id)).status).toBe(200);
  });

  it('the unpaid-invoice control answers 404 for an unknown customer', async () => {
    expect((await controls.send('POST', '/finan/customers/nobody/unpaid-invoice')).status).toBe(404);
  });
});

describe('faults and controls', () => {
  it('commit then drop on create: the customer exists although the answer never came', async () => {
    await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/customers', commitThenDropRate: 1 }] });
    await expect(create()).rejects.toThrow();
    await controls.clearFaults();
    const stored = await controls.send<{ customers: Array<{ general_info: { customer_code: string }; unpaid_invoice: boolean }> }>('GET', '/finan/customers');
    expect(stored.body.customers.map((c) => c.general_info.customer_code)).toEqual(['CUST20231122']);
    expect((await create()).status).toBe(409);
  });
});
