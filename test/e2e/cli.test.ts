/** The operators' CLI (`npx dongflow`) against a running stack: list, show, otp, cancel. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../client/cli';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { sandboxControls } from '../helpers/sandbox-controls';
import type { TestStack } from '../helpers/stack';
import { eventually, gatewayApi, startTestStack } from '../helpers/stack';

let stack: TestStack;
const saved = { ...process.env };

beforeAll(async () => {
  stack = await startTestStack();
  // The CLI reads the same environment as the stack: point it there, with the stack's key ring.
  process.env.TEMPORAL_ADDRESS = stack.temporalAddress;
  process.env.DONGFLOW_ENCRYPTION_KEYS = readFileSync(join(stack.dataDir, 'encryption-keys'), 'utf8').trim().split(/\s+/).join(',');
});

afterAll(async () => {
  process.env = saved;
  await stack?.stop();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await runCli(argv, (line) => lines.push(line));
  return { code, out: lines.join('\n') };
}

async function waitingPayout(referenceId: string) {
  const api = gatewayApi(stack);
  await api.post('/v1/payouts', {
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 4_200_000,
    beneficiaryAccountName: 'VO THI D',
    beneficiaryAccountNumber: '7778889990',
    beneficiaryBankId: '161',
    description: 'cli',
  });
  return eventually(async () => (await api.get(`/v1/payouts/${referenceId}`)).body, (s) => s.status === 'waiting_confirm');
}

test('an operator lists waiting payouts, passes one its OTP and cancels another', async () => {
  const stamp = Date.now().toString(36);
  const paid = await waitingPayout(`CLI-PAY-${stamp}`);
  await waitingPayout(`CLI-CANCEL-${stamp}`);

  const listed = await eventually(() => cli('list', '--kind', 'payout', '--status', 'waiting_confirm'), (r) => r.out.includes(`CLI-CANCEL-${stamp}`));
  expect(listed.code).toBe(0);
  expect(listed.out).toContain(`payout-CLI-PAY-${stamp}`);
  expect(listed.out).toMatch(/waiting_confirm\s+4200000/);

  const shown = await cli('show', `payout-CLI-PAY-${stamp}`);
  expect(JSON.parse(shown.out)).toMatchObject({ status: 'waiting_confirm', beneficiaryAccountLast4: '9990', amount: 4_200_000 });

  const otp = await sandboxControls(stack.sandboxUrl!).otp(paid.payoutId);
  const submitted = await cli('otp', `CLI-PAY-${stamp}`, otp);
  expect(JSON.parse(submitted.out)).toEqual({ accepted: true, status: 'processing', remainingTry: 2 });

  const cancelled = await cli('cancel', `CLI-CANCEL-${stamp}`);
  expect(JSON.parse(cancelled.out)).toEqual({ referenceId: `CLI-CANCEL-${stamp}`, status: 'cancelled' });
  await expect(cli('cancel', `CLI-CANCEL-${stamp}`)).rejects.toThrow(/cancelled/);
});

test('an operator runs a reconciliation now and reads its findings', async () => {
  const { code, out } = await cli('reconcile');
  expect(code).toBe(0);
  expect(JSON.parse(out)).toMatchObject({ lookbackMs: 86_400_000, flowsSignalled: [], unmatchedRecorded: [] });
});

test('usage errors say what is missing', async () => {
  expect((await cli()).code).toBe(2);
  await expect(cli('otp', 'ONLY-REF')).rejects.toThrow('otp needs a reference and the 6-digit code');
});
