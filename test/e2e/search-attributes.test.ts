/**
 * Search attributes on a namespace we may not change (a self-hosted cluster, Temporal Cloud): start-up only checks
 * them, through visibility queries Temporal Cloud answers, and names every missing one in one line;
 * `npx dongflow setup` registers them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { checkSearchAttributes, SearchAttributesMissingError, setUpNamespace } from '../../client/setup';
import { freePort } from '../helpers/ports';
import type { TestStack } from '../helpers/stack';
import { eventually, startTestStack } from '../helpers/stack';

let stack: TestStack;
let connection: Connection;

async function freshNamespace(namespace: string): Promise<void> {
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  await eventually(
    () => connection.workflowService.describeNamespace({ namespace }).then(() => true, () => false),
    (ok) => ok,
  );
}

beforeAll(async () => {
  stack = await startTestStack();
  connection = await Connection.connect({ address: stack.temporalAddress });
});

afterAll(async () => {
  await connection?.close();
  await stack?.stop();
});

it('passes on a namespace that has them', async () => {
  await expect(checkSearchAttributes(connection, 'default')).resolves.toBeUndefined();
});

it('names every missing attribute and the command that adds them, then setup registers them', async () => {
  await freshNamespace('bare-namespace');
  const check = checkSearchAttributes(connection, 'bare-namespace');
  await expect(check).rejects.toThrow(SearchAttributesMissingError);
  await expect(check).rejects.toThrow(
    'Temporal namespace "bare-namespace" lacks dongflow\'s search attributes DongflowKind=Keyword, DongflowStatus=Keyword, DongflowReference=Keyword, ' +
      'DongflowProviderId=Keyword, DongflowAmount=Int: run `npx dongflow setup` once (on Temporal Cloud: tcld namespace search-attributes add --namespace bare-namespace --sa DongflowKind=Keyword',
  );

  await setUpNamespace(connection, 'bare-namespace');
  await expect(checkSearchAttributes(connection, 'bare-namespace')).resolves.toBeUndefined();
});

it('a gateway process on a namespace without them stops at start-up with that one line', async () => {
  await freshNamespace('gateway-namespace');
  const keys = readFileSync(join(stack.dataDir, 'encryption-keys'), 'utf8').trim().split(/\s+/).join(',');
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../../client/gateway/main.ts')], {
    cwd: resolve(__dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.temporalAddress,
      TEMPORAL_NAMESPACE: 'gateway-namespace',
      DONGFLOW_ENCRYPTION_KEYS: keys,
      DONGFLOW_API_KEYS: JSON.stringify([{ name: 'test', sha256: 'a'.repeat(64), scopes: ['read'] }]),
      GATEWAY_PORT: String(await freePort()),
      DONGFLOW_CODEC_PORT: String(await freePort()),
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  expect(code).toBe(2);
  expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Temporal namespace "gateway-namespace" lacks dongflow's search attributes DongflowKind=Keyword, .*npx dongflow setup/)]);
});
