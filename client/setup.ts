/** Namespace set-up: dongflow's search attributes, registered once (`npx dongflow setup`) or at every start. */
import type { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/common/search-attributes';

const INDEXED_VALUE_TYPE = { KEYWORD: 2, INT: 3 } as const;

/**
 * Registers dongflow's search attributes. Idempotent: a dev server re-opened on an existing database keeps its
 * namespace, so `--search-attribute` flags alone would not add attributes introduced later.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
  } catch (err) {
    // Another process registered them first.
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
}
