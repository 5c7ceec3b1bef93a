import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { authenticatedClientId } from './auth';
import { FinanApiError, FinanCode } from './envelope';
import { jsonBodyOf } from './request';
import { sendFinanError, sendFinanSuccess } from './reply';
import type { FinanState } from './state';

const DESCRIPTION_MAX_CHARACTERS = 30;

/** "<field> is required" when absent, "<field> <rule>" when present but wrong. */
const fieldError =
  (field: string, rule: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? `${field} is required` : `${field} ${rule}`;

const nonEmptyString = (field: string) =>
  z.string({ error: fieldError(field, 'must be a string') }).min(1, `${field} must not be empty`);

/** `POST /api/v1/payouts` body, per the page's request table. Unknown fields are ignored, as a JSON decoder would. */
const createPayoutSchema = z.object(
  {
    account_id: z.guid({ error: fieldError('account_id', 'must be a UUID') }),
    amount: z
      .int({ error: fieldError('amount', 'must be a positive integer') })
      .positive('amount must be a positive integer'),
    beneficiary_account_name: nonEmptyString('beneficiary_account_name'),
    beneficiary_account_number: nonEmptyString('beneficiary_account_number'),
    beneficiary_bank_id: nonEmptyString('beneficiary_bank_id'),
    currency: z.literal('VND', { error: 'currency must be VND' }).default('VND'),
    reference_id: z.string({ error: 'reference_id must be a string' }).optional(),
    description: z
      .string({ error: fieldError('description', 'must be a string') })
      // "tối đa 30 ký tự": characters, i.e. code points, not UTF-16 units.
      .refine(
        (text) => [...text].length <= DESCRIPTION_MAX_CHARACTERS,
        `description must be at most ${DESCRIPTION_MAX_CHARACTERS} characters`,
      ),
  },
  { error: 'request body must be a JSON object' },
);

/** `POST /api/v1/payouts/:id/otps` body: `code` is an integer on the page, so "123456" (a string) is malformed. */
const verifyOtpSchema = z.object({ code: z.int().min(0).max(999_999) });

const idParams = z.object({ id: z.string() });

export interface PayoutRoutesOptions {
  finan: FinanState;
}

export const payoutRoutes: FastifyPluginAsync<PayoutRoutesOptions> = async (app, { finan }) => {
  // The whitelist is a setting of the client's Open API account (book.finan.one/setting → Open API), so Finan must
  // know the client before it knows which list applies: authentication (401) runs first, in the parent scope, then
  // this 403. It guards every payout route: the page requires the whitelist "before using the Payout API".
  app.addHook('preHandler', async (request) => {
    if (!finan.settings.isAllowed(request.ip)) throw new FinanApiError(403, 'IP address not whitelisted');
  });

  app.post('/api/v1/payouts', async (request, reply) => {
    const parsed = createPayoutSchema.safeParse(jsonBodyOf(request));
    if (!parsed.success) {
      const messages = [...new Set(parsed.error.issues.map((issue) => issue.message))];
      return sendFinanError(request, reply, new FinanApiError(400, messages.join('; ')));
    }
    const { reference_id, ...fields } = parsed.data;
    const created = finan.payouts.create(authenticatedClientId(request), { ...fields, reference_id: reference_id ?? null });
    return sendFinanSuccess(request, reply, FinanCode.Created, created);
  });

  // The page publishes no filter or pagination: any query string is signed but otherwise ignored.
  app.get('/api/v1/payouts', async (request, reply) =>
    sendFinanSuccess(request, reply, FinanCode.Ok, finan.payouts.list(authenticatedClientId(request))),
  );

  app.get('/api/v1/payouts/:id', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    return sendFinanSuccess(request, reply, FinanCode.Ok, finan.payouts.get(authenticatedClientId(request), id));
  });

  app.post('/api/v1/payouts/:id/otps', async (request, reply) => {
    const { id } = idParams.parse(request.params);
    const parsed = verifyOtpSchema.safeParse(jsonBodyOf(request, 'Invalid OTP format'));
    if (!parsed.success) return sendFinanError(request, reply, new FinanApiError(400, 'Invalid OTP format'));
    const verified = finan.payouts.verifyOtp(authenticatedClientId(request), id, parsed.data.code);
    return sendFinanSuccess(request, reply, FinanCode.Ok, verified);
  });
};
