/**
 * The embedded default's development API key: created once under the data folder (mode 0600), printed at start-up,
 * and readable by the README's examples (`$(cat .data/dev-api-key)`). Never used when DONGFLOW_API_KEYS is set.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiKey, ApiKeyScope } from './api-keys';
import { API_KEY_SCOPES, generateApiKey, hashApiKey, parseApiKeys } from './api-keys';

export const DEV_API_KEY_FILE = 'dev-api-key';

export function loadOrCreateDevApiKey(dataDir: string): { key: string; apiKeys: ApiKey[] } {
  const path = join(dataDir, DEV_API_KEY_FILE);
  let key: string;
  if (existsSync(path)) {
    key = readFileSync(path, 'utf8').trim();
  } else {
    mkdirSync(dataDir, { recursive: true });
    key = generateApiKey().key;
    writeFileSync(path, `${key}\n`, { mode: 0o600 });
  }
  chmodSync(path, 0o600);
  const scopes: readonly ApiKeyScope[] = API_KEY_SCOPES;
  return { key, apiKeys: parseApiKeys(JSON.stringify([{ name: 'development', sha256: hashApiKey(key), scopes }])) };
}
