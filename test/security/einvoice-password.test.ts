/**
 * The Tingee password, as an attacker with the Temporal server's database or the logs would look for it: `npm start`
 * (every log line at trace level captured) saves an account twice through the gateway; then the workflow history is
 * fetched with a raw client (no codec) and every payload, search attribute, memo and failure is searched for both
 * passwords; with the codec the update's input holds the password (so it is there, AES-GCM encrypted); the API's
 * answers, the process's npm.output() and the Temporal server's log never hold it.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { dataConverterFor } from '../../codec/data-converter';
import { loadOrCreateLocalKeyRing } from '../../codec/keys';
import { einvoiceAccountWorkflowId } from '../../workflows/einvoice-account/messages';
import type { RunningNpmStart } from '../helpers/npm-start';
import { startNpmStart } from '../helpers/npm-start';

const FIRST_PASSWORD = 'Tingee-Pass-1f6e0a';
const SECOND_PASSWORD = 'Tingee-Pass-2c9d4b';
const TAX_CODE = '0312345678';

let child: ChildProcess;
let npm: RunningNpmStart;
let dataDir: string;
let temporalPort: number;
let gatewayUrl: string;
let apiKey: string;

beforeAll(async () => {
  // Everything dongflow and the Temporal SDK would ever log.
  npm = await startNpmStart({ dataDir: mkdtempSync(join(tmpdir(), 'dongflow-tingee-secrets-')), logLevel: 'trace' });
  ({ child, dataDir, gatewayUrl, apiKey } = npm);
  temporalPort = npm.ports.temporal;
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const save = async (password: string) => {
  const response = await fetch(`${gatewayUrl}/v1/tingee/einvoice-accounts/x-cyber/${TAX_CODE}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin@company.vn', password, isDefault: true }),
  });
  return { status: response.status, text: await response.text() };
};

/** Every place `secret` appears in a value: as text, or as UTF-8 bytes inside any byte array (payload data, metadata). */
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

test('the search finds a password in text and in bytes at any depth', () => {
  expect(occurrences({ events: [{ input: { payloads: [{ data: Buffer.from(`{"password":"${FIRST_PASSWORD}"}`) }] } }], memo: 'x' }, FIRST_PASSWORD)).toEqual(['$.events[0].input.payloads[0].data']);
  expect(occurrences({ a: [`..${SECOND_PASSWORD}..`] }, SECOND_PASSWORD)).toEqual(['$.a[0]']);
});

test('the password is in no history payload, search attribute, memo, answer or log line; with the codec it decrypts', async () => {
  const first = await save(FIRST_PASSWORD);
  expect(first.status).toBe(200);
  const second = await save(SECOND_PASSWORD);
  expect(second.status).toBe(200);
  const read = await fetch(`${gatewayUrl}/v1/tingee/einvoice-accounts/x-cyber/${TAX_CODE}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const answers = [first.text, second.text, await read.text()].join('\n');
  expect(JSON.parse(second.text)).toMatchObject({ id: JSON.parse(first.text).id, username: 'admin@company.vn' });

  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const workflowId = einvoiceAccountWorkflowId('x-cyber', TAX_CODE);
    // No data converter: what the server stores, as anyone with its database would read it.
    const raw = new Client({ connection }).workflow.getHandle(workflowId);
    const history = await raw.fetchHistory();
    const description = await raw.describe();
    const events = history.events ?? [];
    expect(events.some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(true);
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(true);
    for (const secret of [FIRST_PASSWORD, SECOND_PASSWORD]) {
      expect(occurrences(history, secret)).toEqual([]);
      expect(occurrences(description.raw, secret)).toEqual([]);
      expect(answers).not.toContain(secret);
    }

    // The updates' inputs are AES-GCM ciphertext; decrypted with the stack's key ring, they hold the passwords.
    const accepted = events.flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.args?.payloads ?? []);
    expect(accepted).toHaveLength(2);
    for (const payload of accepted) expect(Buffer.from(payload.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const codec = dataConverterFor(loadOrCreateLocalKeyRing(dataDir)).payloadCodecs[0]!;
    const decoded = (await codec.decode(accepted)).map((p) => Buffer.from(p.data!).toString('utf8'));
    expect(decoded[0]).toContain(FIRST_PASSWORD);
    expect(decoded[1]).toContain(SECOND_PASSWORD);
  } finally {
    await connection.close();
  }

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  // The logs were on (trace) and saw the saves, but never a password.
  expect(npm.output()).toContain('E-invoice account created at Tingee');
  expect(npm.output()).toContain('E-invoice account updated at Tingee');
  const serverLog = readFileSync(join(dataDir, 'temporal-server.log'), 'utf8');
  for (const secret of [FIRST_PASSWORD, SECOND_PASSWORD]) {
    expect(npm.output()).not.toContain(secret);
    expect(serverLog).not.toContain(secret);
  }
});
