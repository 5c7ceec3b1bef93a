/**
 * SePay's tokens, as an attacker with the Temporal server's database or the logs would look for them: `npm start`
 * (every log line at trace level captured) connects SePay, reads the company, and refreshes after SePay expired the
 * access token. The tokens are read back from history *with* the codec (they are there, AES-GCM encrypted); then
 * the raw history (no codec), the flow's description (search attributes, memo), the workflow ids, the API's answers,
 * the process's npm.output() and the Temporal server's log are searched for every one of them, and for the one-time code.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../../codec/keys';
import { SEPAY_CREDENTIALS_WORKFLOW_ID } from '../../workflows/sepay/messages';
import type { RunningNpmStart } from '../helpers/npm-start';
import { startNpmStart } from '../helpers/npm-start';

let child: ChildProcess;
let npm: RunningNpmStart;
let dataDir: string;
let temporalPort: number;
let gatewayUrl: string;
let sandboxUrl: string;
let apiKey: string;

beforeAll(async () => {
  // Everything dongflow and the Temporal SDK would ever log.
  npm = await startNpmStart({ dataDir: mkdtempSync(join(tmpdir(), 'dongflow-sepay-secrets-')), logLevel: 'trace' });
  ({ child, dataDir, gatewayUrl, apiKey } = npm);
  temporalPort = npm.ports.temporal;
  sandboxUrl = `http://127.0.0.1:${npm.ports.sandbox}`;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every place `secret` appears in a value: as text, or as UTF-8 bytes inside any byte array. */
function occurrences(value: unknown, secret: string, path = '$', found: string[] = []): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  if (typeof value === 'string') {
    if (value.includes(secret)) found.push(path);
  } else if (value instanceof Uint8Array) {
    if (Buffer.from(value).includes(bytes)) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => occurrences(item, secret, `${path}[${i}]`, found));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) occurrences(item, secret, `${path}.${key}`, found);
  }
  return found;
}

const get = async (path: string) => {
  const response = await fetch(`${gatewayUrl}${path}`, { headers: { authorization: `Bearer ${apiKey}` } });
  return { status: response.status, text: await response.text() };
};

test('no SePay token or code is in history, search attributes, memo, workflow ids, answers or logs; with the codec they decrypt', async () => {
  const authorize = await get('/v1/sepay/authorize');
  const atSepay = await fetch(JSON.parse(authorize.text).url, { redirect: 'manual' });
  const callbackUrl = atSepay.headers.get('location')!;
  const code = new URL(callbackUrl).searchParams.get('code')!;
  const callback = await fetch(callbackUrl);
  const answers = [authorize.text, await callback.text()];
  expect(callback.status).toBe(200);
  answers.push((await get('/v1/sepay/company')).text);
  await fetch(`${sandboxUrl}/_sandbox/sepay/tokens/expire`, { method: 'POST' });
  const afterRefresh = await get('/v1/sepay/company');
  expect(afterRefresh.status).toBe(200);
  answers.push(afterRefresh.text, (await get('/v1/sepay/connection')).text);

  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const raw = new Client({ connection });
    const handle = raw.workflow.getHandle(SEPAY_CREDENTIALS_WORKFLOW_ID);
    const history = await handle.fetchHistory();
    const description = await handle.describe();
    const ids: string[] = [];
    for await (const wf of raw.workflow.list()) ids.push(wf.workflowId);

    // With the stack's key ring: the token activities' results hold two grants (the consent's and the refresh's).
    const codec = dataConverterFor(loadOrCreateLocalKeyRing(dataDir)).payloadCodecs[0]!;
    const results = (history.events ?? []).flatMap((e) => e.activityTaskCompletedEventAttributes?.result?.payloads ?? []);
    const decoded = (await codec.decode(results)).map((p) => JSON.parse(Buffer.from(p.data!).toString('utf8')) as Record<string, unknown>);
    const secrets = decoded.flatMap((r) => [r.accessToken, r.refreshToken]).filter((t): t is string => typeof t === 'string');
    expect(secrets).toHaveLength(4);
    for (const payload of results) expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');

    const serverLog = readFileSync(join(dataDir, 'temporal-server.log'), 'utf8');
    for (const secret of [...secrets, code]) {
      expect(occurrences(history, secret)).toEqual([]);
      expect(occurrences(description.raw, secret)).toEqual([]);
      expect(ids.join('\n')).not.toContain(secret);
      expect(answers.join('\n')).not.toContain(secret);
      expect(serverLog).not.toContain(secret);
    }
    // Search attributes say what it is and how it is, nothing more.
    expect(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])).toEqual(
      expect.arrayContaining([
        ['DongflowKind', 'sepay-credentials'],
        ['DongflowStatus', 'connected'],
      ]),
    );

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    // The callback's request line was logged (trace), with its code and state redacted.
    expect(npm.output()).toContain('"url":"/v1/sepay/callback?state=[redacted]&code=[redacted]"');
    for (const secret of [...secrets, code]) expect(npm.output()).not.toContain(secret);
  } finally {
    await connection.close();
  }
});
