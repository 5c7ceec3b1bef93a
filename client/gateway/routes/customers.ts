/** The REST API of Finan customers: thin, every rule lives in the client library (`client/customers.ts`). */
import type { CustomersClient } from '../../customers';
import { CustomerCodeSchema, CustomerPatchSchema, CustomerRecordSchema } from '../../schemas/customers';
import type { Route } from './route';

const params = { customerCode: CustomerCodeSchema };
const CUSTOMER =
  '`{ customerCode, customerId, type, name, phone, phoneCode, email, taxId, contactPersons[]{ name, phoneNumber, email }, customTag, address{ country, province, district, ward, address, zipCode }, bankAccounts[]{ bankCode, bankName, accountHolderName, accountNumber } }`: `null` (or `[]`) for what Finan holds none of';

export function customerRoutes(customers: CustomersClient): Route[] {
  return [
    {
      method: 'PUT',
      url: '/v1/customers/:customerCode',
      tag: 'Customers',
      summary: 'Create or replace a Finan customer (the whole record)',
      description:
        "Finan's PUT is a full replacement: every optional field this body omits is cleared. To change some fields only, use PATCH. Two upserts of one code sent at once make one customer.",
      params,
      body: CustomerRecordSchema,
      responses: { 200: { description: `Replaced: ${CUSTOMER}, plus \`created: false\`` }, 201: { description: 'Created: the same, `created: true`' } },
      errors: [400, 409, 422, 503, 504],
      handler: async (request, reply) => {
        const upserted = await customers.upsertCustomer(request.params.customerCode!, request.body as never);
        return reply.status(upserted.created ? 201 : 200).send(upserted);
      },
    },
    {
      method: 'PATCH',
      url: '/v1/customers/:customerCode',
      tag: 'Customers',
      summary: 'Change some fields of a Finan customer',
      description:
        'JSON Merge Patch (RFC 7386): only the fields given change; `null` clears an optional field; `address` merges field by field; lists are replaced whole. dongflow reads Finan\'s record, merges, and sends Finan the whole record.',
      params,
      body: CustomerPatchSchema,
      responses: { 200: { description: `The customer after the change: ${CUSTOMER}` } },
      errors: [400, 404, 409, 422, 503, 504],
      handler: async (request) => customers.patchCustomer(request.params.customerCode!, request.body as never),
    },
    {
      method: 'GET',
      url: '/v1/customers/:customerCode',
      tag: 'Customers',
      summary: 'Read a Finan customer by its code',
      params,
      responses: { 200: { description: CUSTOMER } },
      errors: [400, 404, 503, 504],
      handler: async (request) => customers.getCustomer(request.params.customerCode!),
    },
    {
      method: 'GET',
      url: '/v1/customers',
      tag: 'Customers',
      summary: "List Finan's customers",
      responses: { 200: { description: '`{ customers: [{ customerCode, customerId, name, type, createdAt }] }` (the short form of Finan\'s list)' } },
      errors: [503, 504],
      handler: async () => customers.listCustomers(),
    },
    {
      method: 'DELETE',
      url: '/v1/customers/:customerCode',
      tag: 'Customers',
      summary: 'Delete a Finan customer',
      description: "Finan refuses while the customer has an unpaid invoice: 409 `provider_conflict` with Finan's message, code and `request_id`.",
      params,
      responses: { 200: { description: '`{ customerCode, customerId, deleted: true }`' } },
      errors: [400, 404, 409, 503, 504],
      handler: async (request) => customers.deleteCustomer(request.params.customerCode!),
    },
  ];
}
