/** The REST API of payouts: thin, every rule lives in the client library (`client/payouts.ts`). */
import { z } from 'zod';
import type { PayoutsClient } from '../../payouts';
import { ReferenceSchema, parseOrThrow } from '../../schemas/common';
import { OtpRequestSchema, PayoutRequestSchema } from '../../schemas/payouts';
import type { Route } from './route';

const params = { referenceId: ReferenceSchema };
const PAYOUT = 'the payout: `{ referenceId, status, payoutId, remainingTry, amount, currency, beneficiaryBankId, beneficiaryAccountLast4, description, providerStatus, otpDeadline, createdAt, updatedAt, failure }`';

export function payoutRoutes(payouts: PayoutsClient): Route[] {
  return [
    {
      method: 'POST',
      url: '/v1/payouts',
      tag: 'Payouts',
      summary: 'Start a payout',
      description: 'A reference pays once, ever: reusing one is refused with 409 (except after a run that ended `unavailable`).',
      body: PayoutRequestSchema,
      responses: { 202: { description: 'Started: `{ referenceId, workflowId, status: "creating" }`' } },
      errors: [400, 409, 503],
      handler: async (request, reply) => reply.status(202).send(await payouts.startPayout(request.body as never)),
    },
    {
      method: 'GET',
      url: '/v1/payouts/:referenceId',
      tag: 'Payouts',
      summary: 'Read a payout',
      params,
      responses: { 200: { description: PAYOUT } },
      errors: [400, 404, 503, 504],
      handler: async (request) => payouts.getPayout(request.params.referenceId!),
    },
    {
      method: 'POST',
      url: '/v1/payouts/:referenceId/otp',
      tag: 'Payouts',
      summary: "Submit the bank's OTP",
      description: 'Answers once Finan has checked it; `accepted: null` with status `confirming` when its answer was lost and is being confirmed.',
      params,
      headers: { 'idempotency-key': { description: 'Makes a retried submission return the first one\'s outcome', schema: z.string().optional() } },
      body: OtpRequestSchema,
      responses: { 200: { description: '`{ accepted, status, remainingTry }`' } },
      errors: [400, 404, 409, 503, 504],
      handler: async (request) => {
        // The whole body, as the document says: an unknown field is refused, not ignored.
        const { code } = parseOrThrow(OtpRequestSchema, request.body ?? {});
        const submissionId = request.headers['idempotency-key'];
        return payouts.submitOtp(request.params.referenceId!, code, {
          submissionId: typeof submissionId === 'string' ? submissionId : undefined,
        });
      },
    },
    {
      method: 'POST',
      url: '/v1/payouts/:referenceId/cancel',
      tag: 'Payouts',
      summary: 'Cancel a payout waiting for its OTP',
      params,
      responses: { 200: { description: `${PAYOUT}, status \`cancelled\`` } },
      errors: [400, 404, 409, 503, 504],
      handler: async (request) => payouts.cancelPayout(request.params.referenceId!),
    },
  ];
}
