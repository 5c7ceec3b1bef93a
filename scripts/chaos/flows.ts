/**
 * The chaos run's traffic: payouts, payment requests and invoices driven through the gateway the way a backend
 * and its payers would, each along a seeded path (right OTP, wrong first, three wrong, cancel, none; paid in full,
 * in part, twice, late, never). Every call is retried while the gateway or Temporal is down, with the same
 * reference and idempotency key, so a retry is what a real backend would send.
 */
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import type { Prng } from './prng';

export const MARKER_BENEFICIARY = 'CHAOS MARKER NGUYỄN THỊ ZQXW';

const PAYOUT_FINAL = ['success', 'failed', 'expired', 'cancelled', 'rejected', 'unavailable'];
const PAYMENT_FINAL = ['paid', 'extra_paid', 'expired', 'expired_partial', 'rejected', 'unavailable'];
const INVOICE_FINAL = ['paid', 'extra_paid', 'overdue', 'rejected', 'unavailable'];

export interface PaymentMade {
  paymentId: string;
  amount: number;
  /** Made after the flow ended: it belongs in the operators' inbox as late, not in the flow. */
  late: boolean;
}

export interface FlowRecord {
  kind: 'payout' | 'payment-request' | 'invoice';
  reference: string;
  workflowId: string;
  plan: string;
  amount: number;
  finalStatus: string | null;
  payments: PaymentMade[];
  otpCodes: string[];
  /** What the driver itself saw go wrong (an answer no backend should get). */
  problems: string[];
  startedAt: number;
  endedAt: number | null;
}

export interface Driver {
  gatewayUrl: string;
  sandboxUrl: string;
  apiKey: string;
  /** How long a flow may take to end, from its start. */
  boundMs: number;
  paymentTtlMs: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown> & { status?: string };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One gateway call, retried while the gateway (connection refused) or Temporal (502-504) is away. */
export async function gateway(driver: Driver, method: string, path: string, body?: unknown, headers: Record<string, string> = {}, untilMs = Date.now() + driver.boundMs): Promise<Answer> {
  for (;;) {
    try {
      const response = await fetch(`${driver.gatewayUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${driver.apiKey}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status < 500 || Date.now() > untilMs) return { status: response.status, body: text ? JSON.parse(text) : {} };
    } catch (err) {
      if (Date.now() > untilMs) throw err;
    }
    await pause(500);
  }
}

async function sandbox<T>(driver: Driver, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${driver.sandboxUrl}${path}`, {
    method,
    headers: body !== undefined ? { 'content-type': 'application/json' } : {},
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`sandbox ${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function readUntil(driver: Driver, record: FlowRecord, path: string, done: (body: Answer['body']) => boolean): Promise<Answer['body'] | null> {
  const deadline = record.startedAt + driver.boundMs;
  for (;;) {
    const answer = await gateway(driver, 'GET', path).catch(() => null);
    if (answer?.status === 200 && done(answer.body)) return answer.body;
    if (Date.now() > deadline) return null;
    await pause(700);
  }
}

function newRecord(kind: FlowRecord['kind'], reference: string, workflowId: string, plan: string, amount: number): FlowRecord {
  return { kind, reference, workflowId, plan, amount, finalStatus: null, payments: [], otpCodes: [], problems: [], startedAt: Date.now(), endedAt: null };
}

function finish(record: FlowRecord, status: string | null): FlowRecord {
  record.finalStatus = status;
  record.endedAt = Date.now();
  if (status === null) record.problems.push(`not final within ${Math.round((Date.now() - record.startedAt) / 1000)} s`);
  return record;
}

const PAYOUT_PLANS = ['otp', 'otp', 'otp', 'otp', 'wrong-then-otp', 'wrong-then-otp', 'three-wrong', 'cancel', 'no-otp', 'bank-fails'] as const;

export async function payoutFlow(driver: Driver, rng: Prng, reference: string): Promise<FlowRecord> {
  const plan = rng.pick(PAYOUT_PLANS);
  // 7 digits and up: an amount never looks like a 6-digit OTP to the secrets sweep.
  const amount = 1_000_000 + rng.int(0, 9_000) * 1_000;
  const record = newRecord('payout', reference, `payout-${reference}`, plan, amount);
  const started = await gateway(driver, 'POST', '/v1/payouts', {
    referenceId: reference,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount,
    beneficiaryAccountName: MARKER_BENEFICIARY,
    // The sandbox's bank fails a payout to 0000000000 after processing.
    beneficiaryAccountNumber: plan === 'bank-fails' ? '0000000000' : `555${rng.int(1_000_000, 9_999_999)}`,
    beneficiaryBankId: '161',
    description: 'chaos hoàn tiền',
  });
  // 409: an earlier attempt (whose answer the gateway's restart lost) started it.
  if (started.status !== 202 && started.status !== 409) record.problems.push(`start answered ${started.status}: ${JSON.stringify(started.body).slice(0, 200)}`);
  const path = `/v1/payouts/${reference}`;
  const waiting = await readUntil(driver, record, path, (s) => s.status !== 'creating');
  if (waiting === null) return finish(record, null);
  if (waiting.status === 'waiting_confirm' && plan !== 'no-otp') {
    const otp = (await sandbox<{ otp: string }>(driver, 'GET', `/_sandbox/finan/payouts/${String(waiting.payoutId)}/otp`)).otp;
    const wrong = otp.slice(0, 5) + String((Number(otp[5]) + 1) % 10);
    const codes = plan === 'three-wrong' ? [wrong, wrong, wrong] : plan === 'wrong-then-otp' ? [wrong, otp] : plan === 'cancel' ? [] : [otp];
    if (plan === 'cancel') {
      const cancelled = await gateway(driver, 'POST', `${path}/cancel`);
      if (cancelled.status !== 200 && cancelled.status !== 409) record.problems.push(`cancel answered ${cancelled.status}`);
    }
    for (const [i, code] of codes.entries()) {
      record.otpCodes.push(code);
      // One idempotency key per submission: a retry after a lost answer returns the first outcome.
      for (;;) {
        const answer = await gateway(driver, 'POST', `${path}/otp`, { code }, { 'idempotency-key': `${reference}-otp-${i}` });
        // 409: another submission is being verified or confirmed; wait for it and send this one again.
        if (answer.status === 409 && answer.body.error && JSON.stringify(answer.body).includes('verif')) {
          await pause(500);
          continue;
        }
        if (answer.status >= 500) record.problems.push(`otp answered ${answer.status}`);
        break;
      }
    }
  }
  const final = await readUntil(driver, record, path, (s) => PAYOUT_FINAL.includes(String(s.status)));
  return finish(record, final ? String(final.status) : null);
}

const PAYMENT_PLANS = ['full', 'full', 'full', 'partial', 'split', 'extra', 'none', 'late'] as const;

export async function paymentRequestFlow(driver: Driver, rng: Prng, reference: string): Promise<FlowRecord> {
  const plan = rng.pick(PAYMENT_PLANS);
  const amount = 2_000_000 + rng.int(0, 9_000) * 1_000;
  const record = newRecord('payment-request', reference, `payment-${reference}`, plan, amount);
  const created = await gateway(driver, 'POST', '/v1/payment-requests', { referenceId: reference, accountId: FINAN_SOURCE_ACCOUNT_ID, amount, description: 'chaos đơn hàng' });
  if (![201, 202, 409].includes(created.status)) record.problems.push(`create answered ${created.status}: ${JSON.stringify(created.body).slice(0, 200)}`);
  const path = `/v1/payment-requests/${reference}`;
  const open = await readUntil(driver, record, path, (s) => s.status !== 'creating');
  if (open === null) return finish(record, null);
  const remark = (open.bankTransfer as { remark?: string } | null)?.remark;
  if (!remark) return finish(record, String(open.status));
  const pay = async (value: number, late = false) => {
    const payment = await sandbox<{ id: string }>(driver, 'POST', '/_sandbox/finan/transfers', { remark, amount: value });
    record.payments.push({ paymentId: payment.id, amount: value, late });
  };
  if (plan === 'full') await pay(amount);
  if (plan === 'partial') await pay(Math.floor(amount / 3));
  if (plan === 'split') {
    await pay(amount / 2);
    await pay(amount / 2);
  }
  if (plan === 'extra') {
    await pay(amount);
    await pay(50_000);
  }
  const expiresAt = Date.parse(String(open.expiresAt));
  // The flow ends at its link's expiry (after one last read of Finan), whatever it was paid.
  const final = await readUntil(driver, record, path, (s) => PAYMENT_FINAL.includes(String(s.status)) && Date.now() > expiresAt + 3_000);
  if (final && plan === 'late') await pay(amount, true);
  return finish(record, final ? String(final.status) : null);
}

const INVOICE_PLANS = ['full', 'full', 'split'] as const;

export async function invoiceFlow(driver: Driver, rng: Prng, invoiceId: string): Promise<FlowRecord> {
  const plan = rng.pick(INVOICE_PLANS);
  const amount = 3_000_000 + rng.int(0, 9_000) * 1_000;
  const record = newRecord('invoice', invoiceId, `invoice-${invoiceId}`, plan, amount);
  const created = await gateway(driver, 'POST', `/v1/invoices/${invoiceId}/collect`, { accountId: FINAN_SOURCE_ACCOUNT_ID, amount, dueDate: '2999-12-31', description: 'chaos hóa đơn' });
  if (![201, 202, 409].includes(created.status)) record.problems.push(`collect answered ${created.status}: ${JSON.stringify(created.body).slice(0, 200)}`);
  const path = `/v1/invoices/${invoiceId}`;
  const parts = plan === 'split' ? [amount / 2, amount / 2] : [amount];
  for (const part of parts) {
    // The current request's remark (renewed if the previous one expired meanwhile).
    const state = await readUntil(driver, record, path, (s) => (s.current as { bankTransfer?: { remark?: string } } | null)?.bankTransfer?.remark !== undefined || INVOICE_FINAL.includes(String(s.status)));
    const remark = (state?.current as { bankTransfer?: { remark?: string } } | null)?.bankTransfer?.remark;
    if (!state || !remark) return finish(record, state ? String(state.status) : null);
    const payment = await sandbox<{ id: string }>(driver, 'POST', '/_sandbox/finan/transfers', { remark, amount: part });
    record.payments.push({ paymentId: payment.id, amount: part, late: false });
  }
  const final = await readUntil(driver, record, path, (s) => INVOICE_FINAL.includes(String(s.status)));
  return finish(record, final ? String(final.status) : null);
}
