/** The REST API of the SePay connection: thin, every rule lives in the client library (`client/sepay.ts`). */
import { z } from 'zod';
import type { SepayConnectionClient } from '../../sepay';
import { FindPaymentCodeRequestSchema, PaymentCodeFormatsRequestSchema } from '../../schemas/sepay';
import type { Route } from './route';

const CONNECTION = 'the connection, never a token: `{ status: "not_connected" | "connected" | "consent_needed", connected, scopes, accessTokenExpiresAt, refreshTokenExpiresAt, connectedAt, lastRefreshedAt, refreshes, consentNeededReason, consentPending }`';
const CONFIGURATIONS = '`{ bankSubAccount, paycode, dataStorageTime, paymentCodeFormats: [{ prefix, suffixFrom, suffixTo, characterType, isActive }] }`';

export const SEPAY_CALLBACK_PATH = '/v1/sepay/callback';

export function sepayRoutes(sepay: SepayConnectionClient): Route[] {
  return [
    {
      method: 'GET',
      url: '/v1/sepay/authorize',
      tag: 'SePay',
      summary: 'Start a consent: the URL a SePay Admin opens once',
      description: 'The `state` is random and accepted by one callback within 10 minutes. Needs the settings:write scope.',
      responses: { 200: { description: '`{ url, state, expiresAt }`' } },
      errors: [503, 504],
      handler: async () => sepay.authorize(),
    },
    {
      method: 'GET',
      url: SEPAY_CALLBACK_PATH,
      tag: 'SePay',
      summary: "SePay's redirect after consent (no API key: the state protects it)",
      description: 'Exchanges the code once; answers the connection. An unknown, used or expired state is a 400.',
      responses: { 200: { description: CONNECTION } },
      errors: [400, 409, 502, 503, 504],
      handler: async (request) => sepay.completeConsent(request.query),
    },
    {
      method: 'GET',
      url: '/v1/sepay/connection',
      tag: 'SePay',
      summary: 'The SePay connection',
      responses: { 200: { description: CONNECTION } },
      errors: [503, 504],
      handler: async () => sepay.connection(),
    },
    {
      method: 'GET',
      url: '/v1/sepay/company',
      tag: 'SePay',
      summary: "SePay's company and its configurations",
      responses: { 200: { description: `\`{ id, fullName, shortName, role, status, subscription, beginDate, endDate, configurations }\`, configurations ${CONFIGURATIONS}` } },
      errors: [403, 409, 502, 503, 504],
      handler: async () => sepay.getCompany(),
    },
    {
      method: 'PUT',
      url: '/v1/sepay/company/payment-code-formats',
      tag: 'SePay',
      summary: "Replace the company's payment-code formats",
      description:
        "Checked before sending: prefix 2-3 letters, suffixFrom/suffixTo integers 1-30 with suffixTo ≥ suffixFrom, characterType NumberOnly | NumberAndLetter, isActive a boolean; each violation a 400 naming the field and the format's position. SePay's refusal (HTTP 200 with data.status false) is a 422 with its message.",
      body: PaymentCodeFormatsRequestSchema,
      responses: { 200: { description: `the configurations SePay now holds: ${CONFIGURATIONS}` } },
      errors: [400, 403, 409, 422, 502, 503, 504],
      handler: async (request) => sepay.updatePaymentCodeFormats(request.body),
    },
    {
      method: 'POST',
      url: '/v1/sepay/payment-codes/find',
      tag: 'SePay',
      summary: "Find the payment code in a bank transfer's description",
      description: "By the company's active formats: prefix without case, one space, '-', '_' or '.' allowed after it, the suffix of an allowed length and characters, standing alone.",
      body: FindPaymentCodeRequestSchema,
      responses: { 200: { description: '`{ paymentCode }`: upper case without separator, or null', schema: z.toJSONSchema(z.object({ paymentCode: z.string().nullable() })) } },
      errors: [400, 409, 503, 504],
      handler: async (request) => sepay.findPaymentCode(request.body),
    },
  ];
}
