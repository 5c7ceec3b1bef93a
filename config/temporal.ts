/** How every process reaches Temporal: connection options (local, remote cluster, Temporal Cloud). */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
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
      ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(tls.caPath ? { serverRootCACertificate: readFileSync(tls.caPath) } : {}),
      ...(tls.clientCertPath && tls.clientKeyPath ? { clientCertPair: { crt: readFileSync(tls.clientCertPath), key: readFileSync(tls.clientKeyPath) } } : {}),
    };
  }
  return { address: temporalAddress(config), tls: tlsConfig, ...(apiKey ? { apiKey } : {}) };
}
