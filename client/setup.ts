/**
 * Namespace set-up: dongflow's search attributes. `npx dongflow setup` registers them once per cluster (the embedded
 * dev server at every start); every other start-up only checks them, with calls Temporal Cloud also answers.
 */
import type { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/common/search-attributes';

/** A client `Connection` or a worker's `NativeConnection`: only the WorkflowService is needed. */
type VisibilityConnection = Pick<Connection, 'workflowService'>;

const INDEXED_VALUE_TYPE = { KEYWORD: 2, INT: 3 } as const;
const GRPC_INVALID_ARGUMENT = 3;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNIMPLEMENTED = 12;

/** The search attributes as `Name=Type`, the spelling of `tcld` and `temporal operator search-attribute create`. */
const declared = (names?: string[]) =>
  ALL_SEARCH_ATTRIBUTES.filter((key) => !names || names.includes(key.name)).map((key) => `${key.name}=${key.type === 'INT' ? 'Int' : 'Keyword'}`);

export class SearchAttributesMissingError extends Error {
  constructor(
    readonly namespace: string,
    readonly missing: string[],
  ) {
    super(
      `Temporal namespace "${namespace}" lacks dongflow's search attributes ${declared(missing).join(', ')}: run \`npx dongflow setup\` once ` +
        `(on Temporal Cloud: tcld namespace search-attributes add --namespace ${namespace} ${declared(missing).map((d) => `--sa ${d}`).join(' ')})`,
    );
    this.name = 'SearchAttributesMissingError';
  }
}

/**
 * dongflow's search attributes the namespace does not know, found by visibility queries (WorkflowService: allowed on
 * Temporal Cloud, where OperatorService calls are refused). A query naming an unknown attribute is an invalid argument.
 */
export async function missingSearchAttributes(connection: VisibilityConnection, namespace: string): Promise<string[]> {
  const missing: string[] = [];
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query: `${key.name} IS NOT NULL` });
    } catch (err) {
      if ((err as { code?: number }).code !== GRPC_INVALID_ARGUMENT) throw err;
      missing.push(key.name);
    }
  }
  return missing;
}

/** Start-up's check: one error naming every missing attribute and the command that adds them. */
export async function checkSearchAttributes(connection: VisibilityConnection, namespace: string): Promise<void> {
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length > 0) throw new SearchAttributesMissingError(namespace, missing);
}

/**
 * Registers dongflow's search attributes through the OperatorService. Idempotent: a dev server re-opened on an existing
 * database keeps its namespace, so `--search-attribute` flags alone would not add attributes introduced later.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  let known: Set<string>;
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    known = new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (err) {
    throw operatorRefused(err, namespace);
  }
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]])),
    });
  } catch (err) {
    // Another process registered them first.
    if (!/already exists/i.test((err as Error).message)) throw operatorRefused(err, namespace);
  }
}

/**
 * `npx dongflow setup`: registers, then waits until visibility queries see every attribute (the frontend refreshes its
 * namespace cache every few seconds), so processes started next pass their start-up check.
 */
export async function setUpNamespace(connection: Connection, namespace: string, timeoutMs = 60_000): Promise<void> {
  await ensureSearchAttributes(connection, namespace);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const missing = await missingSearchAttributes(connection, namespace);
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new SearchAttributesMissingError(namespace, missing);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function operatorRefused(err: unknown, namespace: string): Error {
  const code = (err as { code?: number }).code;
  if (code !== GRPC_PERMISSION_DENIED && code !== GRPC_UNIMPLEMENTED) return err as Error;
  return new Error(
    `the server refused to register search attributes (${(err as Error).message}); on Temporal Cloud add them with ` +
      `tcld namespace search-attributes add --namespace ${namespace} ${declared().map((d) => `--sa ${d}`).join(' ')}`,
  );
}
