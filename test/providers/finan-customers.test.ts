/** The Finan client's customer calls against the sandbox (written apart from the client, from the same page). */
import { FinanClient } from '../../providers/finan/client';
import type { CustomerRequest } from '../../providers/finan/customer-schemas';
import { FinanConflictError, FinanNotFoundError, FinanRequestValidationError } from '../../providers/finan/errors';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';

let sandbox: RunningSandbox;
let finan: FinanClient;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
  finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
});
afterAll(() => sandbox.close());

let counter = 0;
const record = (overrides: Partial<CustomerRequest['general_info']> = {}): CustomerRequest => ({
  general_info: { name: 'Nguyen Van B', customer_code: `CUST-${counter++}`, phone: '0933456789', phone_code: '+84', type: 'personal', ...overrides },
  address: { country: 'Vietnam', province: 'Ho Chi Minh' },
  bank_accounts: [{ bank_code: '201', bank_name: 'Vietcombank', account_holder_name: 'Nguyen Van B', account_number: '123456789012' }],
});

async function failure(promise: Promise<unknown>): Promise<FinanConflictError> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: FinanConflictError) => err,
  );
}

test('creates, finds by code, reads whole, replaces, deletes', async () => {
  const req = record();
  const created = await finan.createCustomer(req);
  expect(created.code).toBe(102001);
  const id = created.data.customer_id;
  expect((await finan.findCustomersByCode(req.general_info.customer_code)).data.map((c) => c.customer_id)).toEqual([id]);
  expect((await finan.getCustomer(id)).data).toMatchObject({ customer_id: id, general_info: req.general_info, address: req.address, bank_accounts: req.bank_accounts });

  const { bank_accounts: _gone, ...withoutAccounts } = req;
  await finan.replaceCustomer(id, withoutAccounts);
  expect((await finan.getCustomer(id)).data.bank_accounts).toEqual([]);

  expect((await finan.deleteCustomer(id)).code).toBe(102001);
  expect(await failure(finan.getCustomer(id))).toBeInstanceOf(FinanNotFoundError);
});

test("a taken code is a FinanConflictError with Finan's message, code and request id (not retryable)", async () => {
  const req = record();
  await finan.createCustomer(req);
  const err = await failure(finan.createCustomer(req));
  expect(err).toBeInstanceOf(FinanConflictError);
  expect(err).toMatchObject({ retryable: false, httpStatus: 409, providerCode: 104000, providerMessage: 'Customer code already exists', requestId: expect.stringMatching(/^[0-9a-f]{32}$/) });
});

test('a delete refused for an unpaid invoice is a FinanConflictError', async () => {
  const { data } = await finan.createCustomer(record());
  await fetch(`${sandbox.url}/_sandbox/finan/customers/${data.customer_id}/unpaid-invoice`, { method: 'POST' });
  const err = await failure(finan.deleteCustomer(data.customer_id));
  expect(err).toBeInstanceOf(FinanConflictError);
  expect(err.providerMessage).toBe('Customer has unpaid invoices');
});

test('a company without contact persons is refused before anything is signed or sent', async () => {
  const req = record({ type: 'company' });
  const err = await failure(finan.createCustomer(req));
  expect(err).toBeInstanceOf(FinanRequestValidationError);
  expect(err).toMatchObject({ field: 'general_info.contact_persons', rule: 'is required for type company' });
  expect((await finan.findCustomersByCode(req.general_info.customer_code)).data).toEqual([]);
});
