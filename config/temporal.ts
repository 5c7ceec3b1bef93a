/** How every process reaches Temporal: connection options (local, remote cluster, Temporal Cloud) and namespace set-up. */
import { readFileSync } from 'node:fs';
import type { Connection, TLSConfig } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/definitions';
import type { Config } from './env';

export function temporalAddress(config: Config): string {
  return config.temporal.address ?? `127.0.0.1:${config.temporal.embedded.port}`;
}

/** Options accepted by both `Connection.connect` (client) and `NativeConnection.connect` (worker). */
export function temporalConnectionOptions(config: Config): { address: string; tls: TLSConfig | boolean; apiKey?: string } {
  const { tls, apiKey } = config.temporal;
  let tlsConfig: TLSConfig | boolean = tls === true;
  if (typeof tls === 'object') {
    tlsConfig = {
      serverNameOverride: tls.serverName,
      clientCertPair:
        tls.clientCertPath && tls.clientKeyPath
          ? { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) }
          : undefined,
    };
  }
  return { address: temporalAddress(config), tls: tlsConfig, ...(apiKey ? { apiKey } : {}) };
}

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
