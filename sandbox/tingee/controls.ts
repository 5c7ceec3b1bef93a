/** Test controls of Tingee, under `/_sandbox/tingee`: read the stored accounts, choose the envelope Tingee answers in, skew its clock. */
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { parse } from '../control-error';
import type { TingeeState } from './state';

const envelopeSchema = z.strictObject({ form: z.enum(['success', 'code']) });
const clockSchema = z.strictObject({ offsetMs: z.int() });

export const tingeeControls: FastifyPluginAsync<{ tingee: TingeeState }> = async (app, { tingee }) => {
  // The password is never shown: its sha256 lets a test check which one Tingee holds.
  app.get('/einvoice-accounts', async () => ({ accounts: tingee.accounts.list() }));
  app.get('/envelope', async () => ({ form: tingee.envelope }));
  app.put('/envelope', async (request) => {
    tingee.envelope = parse(envelopeSchema, request.body).form;
    return { form: tingee.envelope };
  });
  app.get('/clock', async () => ({ offsetMs: tingee.clockOffsetMs }));
  app.put('/clock', async (request) => {
    tingee.clockOffsetMs = parse(clockSchema, request.body).offsetMs;
    return { offsetMs: tingee.clockOffsetMs };
  });
};
