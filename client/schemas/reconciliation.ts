/** What operators send about unmatched payments. */
import { z } from 'zod';
import { orRequired } from './common';

export const ResolutionSchema = z
  .object({ resolution: z.string(orRequired('must be a string')).trim().min(1, 'must say what was done').max(500, 'must be at most 500 characters') })
  .strict();
