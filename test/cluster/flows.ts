/** A backend's and a bank's side of the flows on a running dongflow (the cluster, or the dev-server stack). */
import { createServer } from 'node:net';
import type { ClusterPorts } from '../../scripts/cluster/cluster';
import { FINAN_SOURCE_ACCOUNT_ID } from '../../sandbox/server';
import { paymentControls } from '../helpers/payment-controls';
import { freePort } from '../helpers/ports';
import { sandboxControls } from '../helpers/sandbox-controls';
import { eventually, gatewayApi } from '../helpers/stack';

export const FLOW_DEADLINE_MS = 300_000;
export const PAYMENT_AMOUNT = 250_000;

/** A free port below 32768 (Temporal keeps membership ports in a smallint column; the kernel's free ports are higher). */
async function freeLowPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (taken.has(port)) continue;
    const free = await new Promise<boolean>((resolvePromise) => {
      const server = createServer();
      server.once('error', () => resolvePromise(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise(true)));
    });
    if (free) {
      taken.add(port);
      return port;
    }
  }
}

export async function freePorts(): Promise<ClusterPorts> {
  const p = async () => freePort();
  const taken = new Set<number>();
  const low = async () => freeLowPort(taken);
  return {
    postgres: await p(),
    frontend: await p(),
    frontendHttp: await p(),
    history: [await p(), await p()],
    matching: await p(),
    temporalWorker: await p(),
    membership: [await low(), await low(), await low(), await low(), await low()],
    ui: await p(),
    gateway: await p(),
    sandbox: await p(),
    codec: await p(),
    workerMetrics: [await p(), await p()],
  };
}

export function flowsFor(target: { gatewayUrl: string; apiKey: string | undefined; sandboxUrl: string }, pollMs = 500) {
  const api = gatewayApi({ gatewayUrl: target.gatewayUrl, devApiKey: target.apiKey });
  const sandbox = sandboxControls(target.sandboxUrl);
  const payments = paymentControls(target.sandboxUrl);
  /** Retries what a backend would retry: no answer, or a 5xx while Temporal is failing over. */
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers?: Record<string, string>) =>
    eventually(
      () => api.call(method, path, body, headers).catch((err: unknown) => ({ status: 0, headers: new Headers(), body: { error: String(err) } })),
      (r) => r.status > 0 && r.status < 500,
      FLOW_DEADLINE_MS,
      pollMs,
    );
  const payoutState = (ref: string) => call('GET', `/v1/payouts/${ref}`);
  const paymentState = (ref: string) => call('GET', `/v1/payment-requests/${ref}`);

  return {
    sandbox,
    async startPayout(ref: string): Promise<void> {
      const created = await call('POST', '/v1/payouts', {
        referenceId: ref,
        accountId: FINAN_SOURCE_ACCOUNT_ID,
        amount: 6_000_000,
        beneficiaryAccountName: 'NGUYEN VAN A',
        beneficiaryAccountNumber: '1234567890',
        beneficiaryBankId: '161',
        description: 'thanh toan don hang',
      });
      // 409: a retried start whose first attempt had started the flow.
      if (created.status !== 202 && created.status !== 409) throw new Error(`POST /v1/payouts ${ref} answered ${created.status}: ${JSON.stringify(created.body)}`);
    },
    async waitingForOtp(ref: string): Promise<string> {
      const state = await eventually(() => payoutState(ref), (r) => r.status === 200 && r.body.status !== 'creating', FLOW_DEADLINE_MS, pollMs);
      if (state.body.status !== 'waiting_confirm') throw new Error(`${ref} is ${state.body.status}, not waiting_confirm`);
      return state.body.payoutId as string;
    },
    async submitOtp(ref: string, payoutId: string): Promise<void> {
      const code = await sandbox.otp(payoutId);
      // The same Idempotency-Key makes a retried submission return the first one's outcome.
      const outcome = await call('POST', `/v1/payouts/${ref}/otp`, { code }, { 'idempotency-key': `otp-${ref}` });
      if (outcome.status !== 200) throw new Error(`OTP for ${ref} answered ${outcome.status}: ${JSON.stringify(outcome.body)}`);
    },
    async payoutFinal(ref: string): Promise<string> {
      const state = await eventually(() => payoutState(ref), (r) => r.status === 200 && ['success', 'failed', 'expired', 'cancelled', 'unavailable'].includes(r.body.status), FLOW_DEADLINE_MS, pollMs);
      return state.body.status as string;
    },
    async requestPayment(ref: string): Promise<string> {
      const created = await call('POST', '/v1/payment-requests', { referenceId: ref, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: PAYMENT_AMOUNT, description: `don hang ${ref.slice(-6)}` });
      if (created.status !== 201 && created.status !== 409) throw new Error(`POST /v1/payment-requests ${ref} answered ${created.status}: ${JSON.stringify(created.body)}`);
      const state = await eventually(() => paymentState(ref), (r) => r.status === 200 && Boolean(r.body.bankTransfer?.remark), FLOW_DEADLINE_MS, pollMs);
      return state.body.bankTransfer.remark as string;
    },
    async pay(remark: string): Promise<void> {
      await payments.transfer(remark, PAYMENT_AMOUNT);
    },
    /** The payment request's state now. */
    async paymentNow(ref: string): Promise<{ status: string; paidAmount: number; payments: number }> {
      const state = await eventually(() => paymentState(ref), (r) => r.status === 200, FLOW_DEADLINE_MS, pollMs);
      return { status: state.body.status, paidAmount: state.body.paidAmount, payments: (state.body.payments ?? []).length };
    },
    async paymentCounted(ref: string): Promise<{ status: string; paidAmount: number; payments: number }> {
      const state = await eventually(() => paymentState(ref), (r) => r.status === 200 && r.body.paidAmount >= PAYMENT_AMOUNT, FLOW_DEADLINE_MS, pollMs);
      return { status: state.body.status, paidAmount: state.body.paidAmount, payments: (state.body.payments ?? []).length };
    },
  };
}

export type Flows = ReturnType<typeof flowsFor>;
