/**
 * The building blocks of the request schemas (what backends send, camelCase): one rule per kind of field, with
 * errors that name the field and the rule. The same schemas validate requests and generate `GET /openapi.json`.
 */
import { z } from 'zod';
import { FINAN_TEXT_MAX_CHARACTERS, fitsFinanText } from '../../providers/finan/rules';
import { ValidationError } from '../errors';

/** A type error that says "is required" when the field is absent, else the rule (e.g. "must be a string"). */
export const orRequired = (rule: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : rule) });

/** Letters, digits and `._-`: a reference becomes part of a workflow id and of Finan's `reference_id`. */
export const ReferenceSchema = z
  .string(orRequired('must be a string'))
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 characters of letters, digits, ".", "_" or "-"');

export const durationSeconds = (max: number) =>
  z.number(orRequired('must be a number of seconds')).int('must be a whole number of seconds').min(1, 'must be at least 1 second').max(max, `must be at most ${max} seconds`);

/** Integer VND. */
export const vnd = () => z.number(orRequired('must be a number')).int('must be a whole number of VND').max(Number.MAX_SAFE_INTEGER, 'is too large');

export const text = (max: number) => z.string(orRequired('must be a string')).max(max, `must be at most ${max} characters`);

/** A text Finan limits to 30 characters, counted as Finan counts them (code points: see `providers/finan/rules.ts`). */
export const finanText = () =>
  z
    .string(orRequired('must be a string'))
    .refine(fitsFinanText, `must be at most ${FINAN_TEXT_MAX_CHARACTERS} characters (a Finan limit)`)
    // For the OpenAPI document: JSON Schema's maxLength counts code points too.
    .meta({ maxLength: FINAN_TEXT_MAX_CHARACTERS });

/** Parses `value` or throws a ValidationError listing every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => {
      const field = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)';
      let rule = issue.message;
      if (issue.code === 'unrecognized_keys') rule = `unknown field(s): ${issue.keys.join(', ')}`;
      return { field, rule };
    }),
  );
}
