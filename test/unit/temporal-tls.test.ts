import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../config/env';
import { temporalConnectionOptions } from '../../config/temporal';

const keys = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
const cluster = { TEMPORAL_ADDRESS: '127.0.0.1:7233', DONGFLOW_ENCRYPTION_KEYS: keys };
let dir: string;
let files: { ca: string; cert: string; key: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dongflow-tls-'));
  files = { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), key: join(dir, 'client.key') };
  writeFileSync(files.ca, 'CA PEM');
  writeFileSync(files.cert, 'CLIENT CERT PEM');
  writeFileSync(files.key, 'CLIENT KEY PEM');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const optionsFor = (env: NodeJS.ProcessEnv) => temporalConnectionOptions(loadConfig({ ...cluster, ...env }));

describe('Temporal TLS settings', () => {
  it('connects in plaintext by default, and with the system CAs when TEMPORAL_TLS=true', () => {
    expect(optionsFor({}).tls).toBe(false);
    expect(optionsFor({ TEMPORAL_TLS: 'true' }).tls).toBe(true);
  });

  it('trusts the CA file and checks the server name, without a client certificate', () => {
    const { tls } = optionsFor({ TEMPORAL_TLS_CA_PATH: files.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.dongflow.internal' });
    expect(tls).toEqual({ serverNameOverride: 'temporal.dongflow.internal', serverRootCACertificate: Buffer.from('CA PEM') });
  });

  it('honours a server name alone (the system CAs, another name than the address)', () => {
    expect(optionsFor({ TEMPORAL_TLS_SERVER_NAME: 'frontend.example.com' }).tls).toEqual({ serverNameOverride: 'frontend.example.com' });
  });

  it('presents the client certificate for mTLS, with the CA and server name', () => {
    const { tls } = optionsFor({ TEMPORAL_TLS_CA_PATH: files.ca, TEMPORAL_TLS_SERVER_NAME: 'temporal.dongflow.internal', TEMPORAL_TLS_CERT_PATH: files.cert, TEMPORAL_TLS_KEY_PATH: files.key });
    expect(tls).toEqual({
      serverNameOverride: 'temporal.dongflow.internal',
      serverRootCACertificate: Buffer.from('CA PEM'),
      clientCertPair: { crt: Buffer.from('CLIENT CERT PEM'), key: Buffer.from('CLIENT KEY PEM') },
    });
  });

  it('sends an API key over TLS (Temporal Cloud), with a CA when one is given', () => {
    expect(optionsFor({ TEMPORAL_API_KEY: 'secret-api-key' })).toEqual({ address: '127.0.0.1:7233', tls: true, apiKey: 'secret-api-key' });
    expect(optionsFor({ TEMPORAL_API_KEY: 'secret-api-key', TEMPORAL_TLS_CA_PATH: files.ca })).toEqual({
      address: '127.0.0.1:7233',
      tls: { serverRootCACertificate: Buffer.from('CA PEM') },
      apiKey: 'secret-api-key',
    });
  });

  it('names every TLS file it cannot read, at start-up', () => {
    expect(() => loadConfig({ ...cluster, TEMPORAL_TLS_CA_PATH: join(dir, 'missing-ca.pem'), TEMPORAL_TLS_CERT_PATH: dir, TEMPORAL_TLS_KEY_PATH: files.key })).toThrow(
      new RegExp(`TEMPORAL_TLS_CA_PATH cannot be read: no readable file at .*missing-ca\\.pem\\n.*TEMPORAL_TLS_CERT_PATH cannot be read: no readable file at ${dir}`),
    );
  });

  it('refuses TLS files together with TEMPORAL_TLS=false', () => {
    expect(() => loadConfig({ ...cluster, TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_PATH: files.ca })).toThrow(
      'TEMPORAL_TLS is false but TEMPORAL_TLS_CA_PATH is set: remove it or set TEMPORAL_TLS=true',
    );
  });
});
