/**
 * API keys of the REST API as configured (env `DONGFLOW_API_KEYS`, hashes only, so the configuration never holds a
 * usable secret): `[{ "name": "shop-backend", "sha256": "<hex sha256 of the key>", "scopes": ["payouts:write", "read"] }]`.
 * The gateway checks them (`client/gateway/api-keys.ts`).
 */
import { z } from 'zod';

export const API_KEY_SCOPES = ['read', 'payouts:write', 'payments:write', 'customers:write', 'settings:write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKey {
  /** Who holds the key, for logs and audit; never secret. */
  readonly name: string;
  /** sha256 of the key, 32 bytes. */
  readonly sha256: Buffer;
  readonly scopes: ReadonlySet<ApiKeyScope>;
}

export class ApiKeysConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid DONGFLOW_API_KEYS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ApiKeysConfigError';
  }
}

const ApiKeysSchema = z
  .array(
    z.object(
      {
        name: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ : -'),
        sha256: z
          .string({ error: 'must be a string' })
          .regex(/^[0-9a-fA-F]{64}$/, 'must be the 64-hex-digit sha256 of the key, not the key itself'),
        scopes: z
          .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(', ')}` }), { error: 'must be an array of scopes' })
          .min(1, 'must grant at least one scope'),
      },
      { error: 'must be an object { name, sha256, scopes }' },
    ),
    { error: 'must be a JSON array of { name, sha256, scopes }' },
  )
  .superRefine((keys, ctx) => {
    const names = new Set<string>();
    const hashes = new Set<string>();
    keys.forEach((key, index) => {
      if (names.has(key.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate name "${key.name}"` });
      const hash = key.sha256.toLowerCase();
      if (hashes.has(hash)) ctx.addIssue({ code: 'custom', path: [index, 'sha256'], message: 'the same key is configured twice' });
      names.add(key.name);
      hashes.add(hash);
    });
  });

/**
 * Parses `DONGFLOW_API_KEYS` (a JSON array). Unset or blank means no keys, so every `/v1/*` request is refused.
 * Throws `ApiKeysConfigError` with one line per problem, e.g. `[0].scopes.1 must be one of read, ...`.
 */
export function parseApiKeys(json: string | undefined): ApiKey[] {
  if (json === undefined || json.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new ApiKeysConfigError([`is not valid JSON (${(err as Error).message})`]);
  }
  const parsed = ApiKeysSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ApiKeysConfigError(parsed.error.issues.map((issue) => `${issue.path.map((p) => `[${String(p)}]`).join('')} ${issue.message}`.trim()));
  }
  return parsed.data.map((key) => ({ name: key.name, sha256: Buffer.from(key.sha256, 'hex'), scopes: new Set(key.scopes) }));
}

