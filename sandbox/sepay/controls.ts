/** SePay's test controls under `/_sandbox/sepay`: expire tokens, set the test user's role, read the company and counters. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { parse } from '../control-error';
import type { SepayState } from './state';

export const sepayControls: FastifyPluginAsync<{ sepay: SepayState }> = async (app, { sepay }) => {
  app.post('/tokens/expire', async () => ({ expired: sepay.expireAccessTokens() }));
  // Ours: the user removes the app's access at SePay (every refresh token stops working), to test a lost consent.
  app.post('/tokens/revoke', async () => ({ revoked: sepay.revokeRefreshTokens() }));
  app.put('/user', async (request) => {
    sepay.setRole(parse(z.strictObject({ role: z.string().min(1) }), request.body).role);
    return { role: sepay.role };
  });
  app.get('/company', async () => ({ ...sepay.company, role: sepay.role }));
  app.get('/stats', async () => sepay.stats);
};
