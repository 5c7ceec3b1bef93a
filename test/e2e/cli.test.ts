/** The operators' CLI (`npx dongflow`) against a running stack: list, show, otp, cancel. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../client/cli';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { paymentControls } from '../helpers/payment-controls';
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

test('an operator runs a reconciliation now, reads its findings, and shows the run', async () => {
  const { code, out } = await cli('reconcile');
  expect(code).toBe(0);
  const report = JSON.parse(out);
  expect(report).toMatchObject({ lookbackMs: 86_400_000, phase: 'done', highWaterMark: expect.any(String) });
  // `show` works on a reconciliation run: it answers the `status` query.
  const shown = await cli('show', report.workflowId);
  expect(JSON.parse(shown.out)).toEqual(report);
});

test('an operator lists the unmatched payments and resolves one, saying what was done', async () => {
  const payment = await paymentControls(stack.sandboxUrl!).transfer(`chuyen nham ${Date.now().toString(36)}`, 55_000);
  await eventually(async () => JSON.parse((await cli('unmatched')).out), (inbox) => inbox.open.some((e: { paymentId: string }) => e.paymentId === payment.id));
  const resolved = await cli('resolve', payment.id, 'refunded,', 'ticket', '812');
  expect(resolved.code).toBe(0);
  expect(JSON.parse(resolved.out)).toEqual({ paymentId: payment.id, amount: 55_000, confirmed: false, resolution: 'refunded, ticket 812' });
  const inbox = JSON.parse((await cli('unmatched')).out);
  expect(inbox.open.map((e: { paymentId: string }) => e.paymentId)).not.toContain(payment.id);
  expect(inbox.resolved.map((e: { paymentId: string }) => e.paymentId)).toContain(payment.id);
  await expect(cli('resolve', payment.id, 'again')).rejects.toThrow(/no open unmatched payment/);
  await expect(cli('resolve', payment.id)).rejects.toThrow('resolve needs a payment id and what was done');
});

test('usage errors say what is missing', async () => {
  expect((await cli()).code).toBe(2);
  await expect(cli('otp', 'ONLY-REF')).rejects.toThrow('otp needs a reference and the 6-digit code');
});
