/**
 * Finan customers end to end, as a backend uses them: through the gateway, on a real Temporal dev server, against
 * the Finan sandbox (whose stored customers are the truth every test checks).
 */
import { searchAttributes } from '../../workflows/common/search-attributes';
import { createCustomersClient } from '../../client/customers';
import { customerWorkflowId } from '../../workflows/customer/messages';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';
import { sandboxControls } from '../helpers/sandbox-controls';

let stack: TestStack;
let api: ReturnType<typeof gatewayApi>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  stack = await startTestStack({ env: { DONGFLOW_RECONCILE_EVERY: '1 day' } });
  api = gatewayApi(stack);
  controls = sandboxControls(stack.sandboxUrl!);
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(async () => {
  await controls.clearFaults();
});

let counter = 0;
const newCode = () => `CUST-${process.pid}-${Date.now().toString(36)}-${counter++}`;

/** The customers page's example, in the gateway's words. */
const RECORD = {
  type: 'personal' as const,
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

interface StoredCustomer {
  customer_id: string;
  general_info: Record<string, unknown>;
  address?: Record<string, string>;
  bank_accounts?: Array<Record<string, string>>;
}

/** What Finan (the sandbox) holds under a code. */
async function atFinan(customerCode: string): Promise<StoredCustomer[]> {
  const response = await fetch(`${stack.sandboxUrl}/_sandbox/finan/customers`);
  const { customers } = (await response.json()) as { customers: StoredCustomer[] };
  return customers.filter((c) => c.general_info.customer_code === customerCode);
}

const put = (code: string, body: unknown) => api.call('PUT', `/v1/customers/${code}`, body);
const patch = (code: string, body: unknown) => api.call('PATCH', `/v1/customers/${code}`, body);
const remove = (code: string) => api.call('DELETE', `/v1/customers/${code}`);

test('PUT creates the customer (201, created: true), then replaces it (200, created: false) with the whole record', async () => {
  const code = newCode();
  const created = await put(code, RECORD);
  expect(created.status).toBe(201);
  expect(created.body).toEqual({ customerCode: code, customerId: expect.stringMatching(/^[0-9a-f-]{36}$/), created: true, ...RECORD });

  const { address: _address, bankAccounts: _accounts, ...withoutAddressOrAccounts } = RECORD;
  const replaced = await put(code, { ...withoutAddressOrAccounts, name: 'Updated Customer Name' });
  expect(replaced.status).toBe(200);
  expect(replaced.body).toMatchObject({ customerId: created.body.customerId, created: false, name: 'Updated Customer Name', address: null, bankAccounts: [] });

  // PUT is the whole record, as Finan's: what it omitted is gone at Finan too.
  const [stored] = await atFinan(code);
  expect(stored).not.toHaveProperty('address');
  expect(stored).not.toHaveProperty('bank_accounts');
  expect((await api.get(`/v1/customers/${code}`)).body).toEqual({ ...replaced.body, created: undefined });

  // Operators find the flow by code; no name, phone or email in its search attributes.
  const description = await stack.client.workflow.getHandle(customerWorkflowId(code)).describe();
  expect(description.typedSearchAttributes.get(searchAttributes.kind)).toBe('customer');
  expect(description.typedSearchAttributes.get(searchAttributes.reference)).toBe(code);
  expect(description.typedSearchAttributes.get(searchAttributes.providerId)).toBe(created.body.customerId);
  expect(JSON.stringify(description.typedSearchAttributes)).not.toMatch(/Nguyen|0933456789|example\.com/);
});

test('two upserts of one code sent at once make one customer at Finan', async () => {
  const code = newCode();
  const [first, second] = await Promise.all([put(code, RECORD), put(code, { ...RECORD, customTag: 'Priority Customer' })]);
  expect([first.status, second.status].sort()).toEqual([200, 201]);
  expect([first.body.created, second.body.created].sort()).toEqual([false, true]);
  expect(first.body.customerId).toBe(second.body.customerId);
  const stored = await atFinan(code);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.customer_id).toBe(first.body.customerId);
});

test('a PATCH of the email alone keeps the address and the bank accounts', async () => {
  const code = newCode();
  await put(code, RECORD);
  const patched = await patch(code, { email: 'new.address@example.com' });
  expect(patched.status).toBe(200);
  expect(patched.body).toEqual({ customerCode: code, customerId: expect.any(String), ...RECORD, email: 'new.address@example.com' });

  const [stored] = await atFinan(code);
  expect(stored!.general_info.email).toBe('new.address@example.com');
  expect(stored!.address).toEqual({ country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1', ward: 'Ben Thanh Ward', address: '123 Le Loi Street', zip_code: '100000' });
  expect(stored!.bank_accounts).toEqual([{ bank_code: '201', bank_name: 'Vietcombank', account_holder_name: 'Nguyen Van B', account_number: '123456789012' }]);
});

test('PATCH: null clears an optional field, the address merges field by field; a company needs contact persons', async () => {
  const code = newCode();
  const { contactPersons: _contacts, ...personal } = RECORD;
  await put(code, personal);
  const patched = await patch(code, { taxId: null, address: { ward: 'Phuong 1' } });
  expect(patched.body).toMatchObject({ taxId: null, address: { ...RECORD.address, ward: 'Phuong 1' }, bankAccounts: RECORD.bankAccounts });
  expect((await atFinan(code))[0]!.general_info).not.toHaveProperty('tax_id');

  // Turning it into a company without contact persons is refused after the merge, and nothing changes at Finan.
  const refused = await patch(code, { type: 'company' });
  expect(refused.status).toBe(400);
  expect(refused.body.error).toMatchObject({ code: 'validation_failed', details: [{ field: 'contactPersons', rule: 'is required for type company' }] });
  expect((await atFinan(code))[0]!.general_info.type).toBe('personal');
});

test('bad input is a 400 naming the field and the rule, and nothing reaches Finan', async () => {
  const code = newCode();
  const { contactPersons: _contacts, ...withoutContacts } = RECORD;
  const company = await put(code, { ...withoutContacts, type: 'company' });
  expect(company.status).toBe(400);
  expect(company.body.error).toEqual({ code: 'validation_failed', message: expect.any(String), details: [{ field: 'contactPersons', rule: 'is required for type company' }] });
  const noPhone = await put(code, { ...RECORD, phone: undefined, email: 'not-an-email' });
  expect(noPhone.body.error.details).toEqual([
    { field: 'phone', rule: 'is required' },
    { field: 'email', rule: 'must be an email address' },
  ]);
  expect((await patch(code, {})).body.error.details).toEqual([{ field: '(body)', rule: 'must change at least one field' }]);
  expect((await put('bad code!', RECORD)).status).toBe(400);
  expect(await atFinan(code)).toEqual([]);
});

test('an unknown code: 404 for GET, PATCH and DELETE', async () => {
  const code = newCode();
  for (const response of [await api.get(`/v1/customers/${code}`), await patch(code, { email: 'a@example.com' }), await remove(code)]) {
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  }
});

test("DELETE answers 409 with Finan's message while the customer has an unpaid invoice, then 200 once it is paid", async () => {
  const code = newCode();
  const { body } = await put(code, RECORD);
  const marked = await fetch(`${stack.sandboxUrl}/_sandbox/finan/customers/${body.customerId}/unpaid-invoice`, { method: 'POST' });
  expect(marked.status).toBe(200);

  const refused = await remove(code);
  expect(refused.status).toBe(409);
  expect(refused.body.error).toEqual({
    code: 'provider_conflict',
    message: 'Finan refused: Customer has unpaid invoices',
    details: { type: 'FinanConflict', httpStatus: 409, providerCode: 104000, requestId: expect.stringMatching(/^[0-9a-f]{32}$/), providerMessage: 'Customer has unpaid invoices' },
  });
  expect(await atFinan(code)).toHaveLength(1);

  await fetch(`${stack.sandboxUrl}/_sandbox/finan/customers/${body.customerId}/unpaid-invoice`, { method: 'DELETE' });
  const deleted = await remove(code);
  expect(deleted.status).toBe(200);
  expect(deleted.body).toEqual({ customerCode: code, customerId: body.customerId, deleted: true });
  expect(await atFinan(code)).toEqual([]);
  expect((await api.get(`/v1/customers/${code}`)).status).toBe(404);
});

test("the create's answer dropped after Finan committed it: still exactly one customer, reported created", async () => {
  const code = newCode();
  await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/customers', commitThenDropRate: 1 }] });
  const pending = put(code, RECORD);
  // The first POST is committed and its answer lost; the retry then finds the code and adopts the customer.
  await eventually(() => atFinan(code), (stored) => stored.length === 1);
  const created = await pending;
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ created: true, customerId: (await atFinan(code))[0]!.customer_id });
  expect(await atFinan(code)).toHaveLength(1);
});

test("GET /v1/customers lists Finan's customers in the short form", async () => {
  const code = newCode();
  const { body } = await put(code, RECORD);
  const listed = await api.get('/v1/customers');
  expect(listed.status).toBe(200);
  expect(listed.body.customers).toContainEqual({ customerCode: code, customerId: body.customerId, name: 'Nguyen Van B', type: 'personal', createdAt: expect.any(String) });
});

test('without a valid API key nothing changes (401)', async () => {
  const code = newCode();
  const refused = await api.call('PUT', `/v1/customers/${code}`, RECORD, { authorization: 'Bearer not-a-key' });
  expect(refused.status).toBe(401);
  expect(await atFinan(code)).toEqual([]);
});

test('a change arriving while the flow ends after its idle time is run by the next run, never lost', async () => {
  // A flow that ends 1 ms after each change: a change sent at once reaches it as it ends; one sent after it
  // ended starts the next run.
  const customers = createCustomersClient(stack.client, { idleMs: 1 });
  const code = newCode();
  const flow = () => stack.client.workflow.getHandle(customerWorkflowId(code));
  const runIds = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const upserted = await customers.upsertCustomer(code, { ...RECORD, customTag: `T${i}` });
    expect(upserted).toMatchObject({ customTag: `T${i}`, created: i === 0 });
    if (i % 4 === 3) runIds.add((await eventually(() => flow().describe(), (d) => d.status.name === 'COMPLETED')).runId);
  }
  const stored = await atFinan(code);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.general_info.custom_tag).toBe('T19');
  expect(runIds.size).toBe(5);
});
