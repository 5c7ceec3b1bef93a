/** The REST API of Tingee e-invoice accounts: thin, every rule lives in the client library (`client/einvoice-accounts.ts`). */
import type { EinvoiceAccountsClient } from '../../einvoice-accounts';
import { EinvoiceAccountBodySchema, EinvoiceProviderSchema, TaxCodeSchema } from '../../schemas/einvoice-accounts';
import type { Route } from './route';

const params = { provider: EinvoiceProviderSchema, taxCode: TaxCodeSchema };
const ACCOUNT = "Tingee's account: `{ id, merchantId, provider, taxCode, username, isDefault, isActive }` (never the password)";

export function tingeeRoutes(accounts: EinvoiceAccountsClient): Route[] {
  return [
    {
      method: 'PUT',
      url: '/v1/tingee/einvoice-accounts/:provider/:taxCode',
      tag: 'Tingee',
      summary: 'Create or update an e-invoice provider account',
      description:
        'The first save creates the account at Tingee, later ones update it (Tingee\'s id is remembered, or found again after a lost answer). Saves of one account run one at a time. ' +
        'Omitted `isDefault` / `isActive` take Tingee\'s defaults (false / true). Tingee refusing the request: 422; refusing our credentials (codes 90, 97) or unreachable: 503.',
      params,
      body: EinvoiceAccountBodySchema,
      responses: { 200: { description: ACCOUNT } },
      errors: [400, 409, 422, 503, 504],
      handler: async (request) => accounts.saveAccount(request.params.provider!, request.params.taxCode!, (request.body ?? {}) as never),
    },
    {
      method: 'GET',
      url: '/v1/tingee/einvoice-accounts/:provider/:taxCode',
      tag: 'Tingee',
      summary: 'Read an e-invoice provider account',
      description: 'As Tingee last confirmed it; 404 until a save has succeeded.',
      params,
      responses: { 200: { description: ACCOUNT } },
      errors: [400, 404, 503, 504],
      handler: async (request) => accounts.getAccount(request.params.provider!, request.params.taxCode!),
    },
  ];
}
