/**
 * Records the histories that the replay test keeps the workflows honest against (`test/histories/`): payouts,
 * payment requests, an invoice, a reconciliation run, the operators' inbox of unmatched payments, a Tingee e-invoice
 * account, customers and the SePay connection.
 * Run after a deliberate workflow change, once the change is guarded with `patched()`:
 *   npx tsx scripts/record-histories.ts                    # records only the scenarios with no file yet
 *   npx tsx scripts/record-histories.ts --only payment     # only scenarios whose name starts with one of these (comma-separated)
 *   npx tsx scripts/record-histories.ts --force            # re-records existing files too (they guard older code: rarely wanted)
 * Histories are recorded on the time-skipping server without payload encryption, with sandbox data only.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createFinanCustomerActivities } from '../activities/finan/customers';
import { createFinanPayoutActivities } from '../activities/finan/payouts';
import { createFinanPaymentActivities } from '../activities/finan/payments';
import { createPaymentFlowActivities } from '../activities/reconciliation';
import { createTingeeEinvoiceAccountActivities } from '../activities/tingee/einvoice-accounts';
import { TingeeClient } from '../providers/tingee/client';
import { einvoiceAccountStatusQuery, einvoiceAccountWorkflowId, saveEinvoiceAccountUpdate } from '../workflows/einvoice-account/messages';
import type { einvoiceAccountWorkflow } from '../workflows/einvoice-account/workflow';
import { createPaymentsClient } from '../client/payments';
import { FinanClient } from '../providers/finan/client';
import { FINAN_LOW_BALANCE_ACCOUNT_ID, FINAN_SOURCE_ACCOUNT_ID, startSandbox } from '../sandbox/server';
import { Client, WorkflowIdReusePolicy } from '@temporalio/client';
import type { InvoicePaymentInput } from '../workflows/invoice/messages';
import type { PaymentRequestInput } from '../workflows/payment-request/messages';
import type { PayoutInput } from '../workflows/payout/messages';
import { FINAN_TASK_QUEUE, SEPAY_TASK_QUEUE, TINGEE_TASK_QUEUE, WORKFLOW_TASK_QUEUE } from '../workflows/common/task-queues';
import {
  RECONCILIATION_SCHEDULE_ID,
  UNMATCHED_PAYMENTS_WORKFLOW_ID,
  resolveUnmatchedPaymentUpdate,
  unmatchedPaymentSignal,
  unmatchedPaymentsQuery,
} from '../workflows/reconciliation/messages';
import { createHash } from 'node:crypto';
import { createSepayCompanyActivities } from '../activities/sepay/company';
import { createSepayOAuthActivities } from '../activities/sepay/oauth';
import { SepayClient } from '../providers/sepay/client';
import type { SepayCredentialsInput } from '../workflows/sepay/messages';
import {
  beginConsentUpdate,
  completeConsentUpdate,
  getCompanyUpdate,
  paymentCodeFormatsUpdate,
  sepayConnectionQuery,
  updatePaymentCodeFormatsUpdate,
} from '../workflows/sepay/messages';
import type { sepayCredentialsWorkflow } from '../workflows/sepay/workflow';
import { cancelSignal, otpSignal, payoutStatusQuery, submitOtpUpdate } from '../workflows/payout/messages';
import { invoiceStatusQuery, invoiceWorkflowId } from '../workflows/invoice/messages';
import { paymentNoticeSignal, paymentRequestStatusQuery, paymentWorkflowId } from '../workflows/payment-request/messages';
import type { invoicePaymentWorkflow } from '../workflows/invoice/workflow';
import type { paymentRequestWorkflow } from '../workflows/payment-request/workflow';
import type { payoutWorkflow } from '../workflows/payout/workflow';
import type { reconciliationWorkflow, unmatchedPaymentsWorkflow } from '../workflows/reconciliation/workflow';
import type { CustomerRecord } from '../workflows/customer/messages';
import { customerListWorkflowId, customerWorkflowId, deleteCustomerUpdate, getCustomerUpdate, patchCustomerUpdate, upsertCustomerUpdate } from '../workflows/customer/messages';
import type { customerListWorkflow, customerWorkflow } from '../workflows/customer/workflow';
import { temporalTestServerPath } from './temporal-binaries';

const OUT = join(__dirname, '..', 'test', 'histories');
const MINUTE = 60_000;

function parseArgs(argv: string[]): { only: string[] | null; force: boolean } {
  let only: string[] | null = null;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--force') force = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a comma-separated list of scenario name prefixes (e.g. payment,invoice)');
      only = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
    } else throw new Error(`unknown argument ${arg} (use --only <prefixes> and/or --force)`);
  }
  return { only, force };
}

/** Polls without letting the time-skipping server skip time (only `result()` unlocks it). */
async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
    last = await read();
  }
  return last;
}

async function main(): Promise<void> {
  const { only, force } = parseArgs(process.argv.slice(2));
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } });
  const sandbox = await startSandbox({ port: 0, finan: { processingDelayMs: 10 }, sepay: { requestsPerSecond: 1000 } });
  const finan = new FinanClient({ baseUrl: sandbox.finanBaseUrl, clientId: 'sandbox-client', secretKey: 'sandbox-secret' });
  const tingee = new TingeeClient({ baseUrl: sandbox.tingeeBaseUrl, clientId: 'sandbox-tingee-client', secretKey: 'sandbox-tingee-secret' });
  const otpOf = async (payoutId: string) => ((await (await fetch(`${sandbox.url}/_sandbox/finan/payouts/${payoutId}/otp`)).json()) as { otp: string }).otp;
  /** A payer's bank transfer with this content: Finan records it (no webhook is delivered here; the scenario signals). */
  const transfer = async (remark: string, amount: number): Promise<{ id: string }> => {
    const response = await fetch(`${sandbox.url}/_sandbox/finan/transfers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ remark, amount }) });
    if (!response.ok) throw new Error(`sandbox transfer answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { id: string };
  };
  const input = (referenceId: string): PayoutInput => ({
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 6_000_000,
    currency: 'VND',
    beneficiaryAccountName: 'NGUYEN VAN A',
    beneficiaryAccountNumber: '1234567890',
    beneficiaryBankId: '161',
    description: 'thanh toan don hang',
  });
  const paymentInput = (referenceId: string, overrides: Partial<PaymentRequestInput> = {}): PaymentRequestInput => ({
    referenceId,
    accountId: FINAN_SOURCE_ACCOUNT_ID,
    amount: 150_000,
    paymentMethod: 'bank_transfer',
    description: 'don hang 42',
    ttlMs: 5 * MINUTE,
    ...overrides,
  });
  // No search attributes on any start: the time-skipping server rejects custom ones (the flows then do not upsert).
  const startPayment = (request: PaymentRequestInput) =>
    env.client.workflow.start<typeof paymentRequestWorkflow>('paymentRequestWorkflow', {
      workflowId: paymentWorkflowId(request.referenceId),
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [request],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    });
  /** Sandbox faults: every Finan call refused with this status (an IP whitelist off, an outage); null clears. */
  const finanFaults = async (errorStatus: number | null) => {
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: errorStatus === null ? 'DELETE' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: errorStatus === null ? undefined : JSON.stringify({ rules: [{ errorRate: 1, errorStatus }] }),
    });
  };

  const customerRecord: CustomerRecord = {
    type: 'personal',
    name: 'Nguyen Van B',
    phone: '0933456789',
    phoneCode: '+84',
    email: 'nguyenvanb@example.com',
    taxId: '123456789',
    address: { country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1' },
    bankAccounts: [{ bankCode: '201', bankName: 'Vietcombank', accountHolderName: 'Nguyen Van B', accountNumber: '123456789012' }],
  };
  // Updates sent after a plain start: the time-skipping server has no update-with-start.
  const startCustomer = (customerCode: string) =>
    env.client.workflow.start<typeof customerWorkflow>('customerWorkflow', {
      workflowId: customerWorkflowId(customerCode),
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [{ customerCode }],
    });
  const unpaidInvoice = async (customerId: string, method: 'POST' | 'DELETE') => {
    const response = await fetch(`${sandbox.url}/_sandbox/finan/customers/${customerId}/unpaid-invoice`, { method });
    if (!response.ok) throw new Error(`sandbox unpaid-invoice answered ${response.status}`);
  };

  const workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    // The reconciliation's Temporal-side lookups, as workers/worker.ts registers them, over a plain client (the
    // time-skipping client's result() moves the server's clock lock, which only the recording itself may do).
    activities: createPaymentFlowActivities({ flows: createPaymentsClient(new Client({ connection: env.connection, namespace: env.namespace })) }),
  });
  const activityWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: FINAN_TASK_QUEUE,
    activities: { ...createFinanPayoutActivities({ finan }), ...createFinanPaymentActivities({ finan }), ...createFinanCustomerActivities({ finan }) },
  });

  const tingeeWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: TINGEE_TASK_QUEUE,
    activities: createTingeeEinvoiceAccountActivities({ tingee }),
  });

  const sepay = new SepayClient({ baseUrl: sandbox.sepayBaseUrl, clientId: 'sandbox-sepay-client', clientSecret: 'sandbox-sepay-secret', redirectUri: 'http://127.0.0.1:9/v1/sepay/callback' });
  const sepayWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: SEPAY_TASK_QUEUE,
    activities: { ...createSepayOAuthActivities({ sepay }), ...createSepayCompanyActivities({ sepay }) },
  });
  const sepayControl = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.url}/_sandbox${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  /** A SePay connection consented through the sandbox, as the gateway and the browser make one. */
  const connectedSepay = async (workflowId: string, input: SepayCredentialsInput) => {
    const handle = await env.client.workflow.start<typeof sepayCredentialsWorkflow>('sepayCredentialsWorkflow', { workflowId, taskQueue: WORKFLOW_TASK_QUEUE, args: [input] });
    const state = `state-${workflowId}`;
    const stateHash = createHash('sha256').update(state).digest('hex');
    await handle.executeUpdate(beginConsentUpdate, { args: [{ stateHash }] });
    const atSepay = await fetch(sepay.authorizeUrl(state, ['company']), { redirect: 'manual' });
    const code = new URL(atSepay.headers.get('location')!).searchParams.get('code')!;
    await handle.executeUpdate(completeConsentUpdate, { args: [{ stateHash, code }] });
    return handle;
  };

  /** Each scenario runs one flow to its end and answers the workflow id (and run) whose history is recorded. */
  const scenarios: Record<string, (referenceId: string) => Promise<string | { workflowId: string; runId: string }>> = {
    // A wrong OTP, then the right one, then polling to success.
    'payout-wrong-then-right-otp': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      let state = await handle.query(payoutStatusQuery);
      while (state.status === 'creating') state = await handle.query(payoutStatusQuery);
      const otp = await otpOf(state.payoutId!);
      await handle.executeUpdate(submitOtpUpdate, { args: [{ code: otp.slice(0, 5) + String((Number(otp[5]) + 1) % 10) }] });
      await handle.executeUpdate(submitOtpUpdate, { args: [{ code: otp }] });
      await handle.result();
      return handle.workflowId;
    },
    'payout-otp-expired': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      await handle.result();
      return handle.workflowId;
    },
    'payout-cancelled': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      let state = await handle.query(payoutStatusQuery);
      while (state.status === 'creating') state = await handle.query(payoutStatusQuery);
      await handle.signal(cancelSignal);
      await handle.result();
      return handle.workflowId;
    },

    // Since Finan is read before a payout ends without money: the OTP deadline reads Finan, then `expired`.
    'payout-expired-after-reading-finan': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      const final = await handle.result();
      if (final.status !== 'expired') throw new Error(`payout-expired-after-reading-finan ended ${final.status}`);
      return handle.workflowId;
    },
    // A cancel reads Finan, which still shows the payout unconfirmed: `cancelled`.
    'payout-cancelled-after-reading-finan': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      await until(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
      await handle.signal(cancelSignal);
      const final = await handle.result();
      if (final.status !== 'cancelled') throw new Error(`payout-cancelled-after-reading-finan ended ${final.status}`);
      return handle.workflowId;
    },
    // The OTP's answer is lost and Finan stays down: the payout confirms with Finan (`confirming`), then polls to success.
    'payout-lost-otp-answer-confirmed': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      const waiting = await until(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
      await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ method: 'POST', path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 }, { errorRate: 1, errorStatus: 503 }] }),
      });
      await handle.signal(otpSignal, { code: await otpOf(waiting.payoutId!) });
      await env.sleep(5 * MINUTE);
      if ((await handle.query(payoutStatusQuery)).status !== 'confirming') throw new Error('payout-lost-otp-answer-confirmed: not confirming');
      await finanFaults(null);
      const final = await handle.result();
      if (final.status !== 'success') throw new Error(`payout-lost-otp-answer-confirmed ended ${final.status}`);
      return handle.workflowId;
    },
    // Finan unreachable for the whole creation window: the run fails `unavailable` (its reference reusable).
    'payout-unavailable': async (referenceId) => {
      await finanFaults(503);
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      const ended = await handle.result().then(() => 'completed', () => 'failed');
      await finanFaults(null);
      if (ended !== 'failed' || (await handle.query(payoutStatusQuery)).status !== 'unavailable') throw new Error('payout-unavailable did not end unavailable');
      return handle.workflowId;
    },

    // Three wrong codes spend Finan's three tries: the payout ends `failed`, no money moved.
    'payout-no-tries-left': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `payout-${referenceId}`, taskQueue: WORKFLOW_TASK_QUEUE, args: [input(referenceId)] });
      const waiting = await until(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
      const otp = await otpOf(waiting.payoutId!);
      const wrong = otp.slice(0, 5) + String((Number(otp[5]) + 1) % 10);
      for (let i = 0; i < 3; i++) await handle.executeUpdate(submitOtpUpdate, { args: [{ code: wrong }] });
      const final = await handle.result();
      if (final.status !== 'failed') throw new Error(`payout-no-tries-left ended ${final.status}`);
      return handle.workflowId;
    },
    // The right code, then the bank fails the transfer (the sandbox's beneficiary 0000000000): `failed` after processing.
    'payout-failed-after-processing': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
        workflowId: `payout-${referenceId}`,
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [{ ...input(referenceId), beneficiaryAccountNumber: '0000000000' }],
      });
      const waiting = await until(() => handle.query(payoutStatusQuery), (s) => s.status === 'waiting_confirm');
      await handle.executeUpdate(submitOtpUpdate, { args: [{ code: await otpOf(waiting.payoutId!) }] });
      const final = await handle.result();
      if (final.status !== 'failed') throw new Error(`payout-failed-after-processing ended ${final.status}`);
      return handle.workflowId;
    },
    // Finan refuses the creation (insufficient balance, 422): the payout ends `rejected` without an OTP.
    'payout-refused-at-creation': async (referenceId) => {
      const handle = await env.client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
        workflowId: `payout-${referenceId}`,
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [{ ...input(referenceId), accountId: FINAN_LOW_BALANCE_ACCOUNT_ID, amount: 50_000_000 }],
      });
      const final = await handle.result().catch(() => handle.query(payoutStatusQuery));
      if (final.status !== 'rejected') throw new Error(`payout-refused-at-creation ended ${final.status}`);
      return handle.workflowId;
    },

    // One transfer of the full amount, announced once, counted; the flow ends `paid` at its TTL.
    'payment-request-paid': async (referenceId) => {
      const handle = await startPayment(paymentInput(referenceId));
      const open = await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      const payment = await transfer(open.bankTransfer!.remark, open.amount);
      await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: [payment.id], paymentRequestId: open.paymentRequestId, amount: open.amount });
      await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status === 'paid');
      const final = await handle.result();
      if (final.status !== 'paid') throw new Error(`payment-request-paid ended ${final.status}`);
      return handle.workflowId;
    },
    // Half paid before the link expires: `partial_paid`, then `expired_partial` at the TTL.
    'payment-request-expired-partial': async (referenceId) => {
      const handle = await startPayment(paymentInput(referenceId));
      const open = await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      const payment = await transfer(open.bankTransfer!.remark, open.amount / 2);
      await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: [payment.id], paymentRequestId: open.paymentRequestId, amount: open.amount / 2 });
      await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status === 'partial_paid');
      const final = await handle.result();
      if (final.status !== 'expired_partial') throw new Error(`payment-request-expired-partial ended ${final.status}`);
      return handle.workflowId;
    },
    // Two transfers, the second one too many: `extra_paid` (a refund decision for the merchant).
    'payment-request-extra-paid': async (referenceId) => {
      const handle = await startPayment(paymentInput(referenceId));
      const open = await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      for (const amount of [open.amount, 20_000]) {
        const payment = await transfer(open.bankTransfer!.remark, amount);
        await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: [payment.id], paymentRequestId: open.paymentRequestId, amount });
      }
      await until(() => handle.query(paymentRequestStatusQuery), (s) => s.status === 'extra_paid');
      const final = await handle.result();
      if (final.status !== 'extra_paid') throw new Error(`payment-request-extra-paid ended ${final.status}`);
      return handle.workflowId;
    },
    // Nothing paid: one read of Finan at the TTL, then `expired`.
    'payment-request-expired': async (referenceId) => {
      const handle = await startPayment(paymentInput(referenceId));
      const final = await handle.result();
      if (final.status !== 'expired') throw new Error(`payment-request-expired ended ${final.status}`);
      return handle.workflowId;
    },
    // The first link expires unpaid, the renewal is paid in full: the invoice ends `paid`.
    'invoice-renewed-then-paid': async (referenceId) => {
      const invoiceInput: InvoicePaymentInput = {
        invoiceId: referenceId,
        accountId: FINAN_SOURCE_ACCOUNT_ID,
        amount: 2_000_000,
        dueAt: new Date((await env.currentTimeMs()) + 7 * 24 * 60 * MINUTE).toISOString(),
        paymentMethod: 'bank_transfer',
        description: 'hoa don 7',
        linkTtlMs: 5 * MINUTE,
      };
      const handle = await env.client.workflow.start<typeof invoicePaymentWorkflow>('invoicePaymentWorkflow', {
        workflowId: invoiceWorkflowId(referenceId),
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [invoiceInput],
      });
      const first = await until(() => handle.query(invoiceStatusQuery), (s) => s.current !== null || s.status === 'rejected');
      if (first.current === null) throw new Error(`invoice-renewed-then-paid: ${first.status} (${first.failure?.message})`);
      // Past the first link's expiry: it is read, found unpaid, and renewed.
      await env.sleep(Date.parse(first.current.expiresAt) - (await env.currentTimeMs()) + 1_000);
      const renewed = await until(() => handle.query(invoiceStatusQuery), (s) => s.requestCount === 2 && s.current !== null);
      const payment = await transfer(renewed.current!.bankTransfer!.remark, renewed.current!.amount);
      await handle.signal(paymentNoticeSignal, { source: 'webhook', paymentIds: [payment.id], paymentRequestId: renewed.current!.paymentRequestId, amount: renewed.current!.amount });
      await until(() => handle.query(invoiceStatusQuery), (s) => s.status === 'paid');
      const final = await handle.result();
      if (final.status !== 'paid' || final.requestCount !== 2) throw new Error(`invoice-renewed-then-paid ended ${final.status} after ${final.requestCount} requests`);
      return handle.workflowId;
    },
    // Finan refuses our IP (403): the request ends `unavailable` and the run fails, freeing the reference.
    'payment-request-unavailable': async (referenceId) => {
      await finanFaults(403);
      try {
        const handle = await startPayment(paymentInput(referenceId));
        const failed = await handle.result().then(() => false, () => true);
        if (!failed) throw new Error('payment-request-unavailable: the run did not fail');
        return handle.workflowId;
      } finally {
        await finanFaults(null);
      }
    },
    // A request an earlier run left at Finan was paid meanwhile: the new run adopts it, creates nothing, ends paid.
    'payment-request-adopted-paid': async (referenceId) => {
      const request = paymentInput(referenceId);
      const left = await finan.createPaymentRequest({ payment_method: 'bank_transfer', account_id: FINAN_SOURCE_ACCOUNT_ID, amount: request.amount, reference_id: referenceId });
      await transfer(left.data.bank_transfer_detail!.remark, request.amount);
      const handle = await startPayment(request);
      const final = await handle.result();
      if (final.status !== 'paid' || final.adoptedPaymentRequestIds.length !== 1) throw new Error(`payment-request-adopted-paid ended ${final.status}`);
      return handle.workflowId;
    },
    // The invoice's first request is refused for our IP: `unavailable`, the run fails.
    'invoice-unavailable': async (referenceId) => {
      await finanFaults(403);
      try {
        const handle = await env.client.workflow.start<typeof invoicePaymentWorkflow>('invoicePaymentWorkflow', {
          workflowId: invoiceWorkflowId(referenceId),
          taskQueue: WORKFLOW_TASK_QUEUE,
          args: [{ invoiceId: referenceId, accountId: FINAN_SOURCE_ACCOUNT_ID, amount: 2_000_000, dueAt: new Date((await env.currentTimeMs()) + 24 * 60 * MINUTE).toISOString(), paymentMethod: 'bank_transfer' }],
        });
        const failed = await handle.result().then(() => false, () => true);
        if (!failed) throw new Error('invoice-unavailable: the run did not fail');
        return handle.workflowId;
      } finally {
        await finanFaults(null);
      }
    },
    // A run reading from an explicit mark (as a Schedule run reads from its predecessor's): signals the missed payment.
    'reconciliation-since-mark': async (referenceId) => {
      const flow = await startPayment(paymentInput(`${referenceId}-flow`, { ttlMs: 24 * 60 * MINUTE }));
      const open = await until(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      const since = new Date(Date.now() - MINUTE).toISOString();
      const payment = await transfer(open.bankTransfer!.remark, open.amount);
      const handle = await env.client.workflow.start<typeof reconciliationWorkflow>('reconciliationWorkflow', {
        workflowId: `${RECONCILIATION_SCHEDULE_ID}-${referenceId}`,
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [{ since }],
      });
      await until(() => handle.describe(), (d) => d.status.name !== 'RUNNING');
      await until(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'unpaid');
      const report = await handle.result();
      if (!report.flowsSignalled.some((s) => s.paymentIds.includes(payment.id)) || report.highWaterMark === undefined) {
        throw new Error(`reconciliation-since-mark: unexpected report ${JSON.stringify(report)}`);
      }
      await flow.result();
      return handle.workflowId;
    },
    // A payment whose webhook was lost: the reconciliation finds it at Finan and tells the running flow to re-read.
    'reconciliation-signals-missed-payment': async (referenceId) => {
      // A long TTL: the flow must still be running when the reconciliation signals it.
      const flow = await startPayment(paymentInput(`${referenceId}-flow`, { ttlMs: 24 * 60 * MINUTE }));
      const open = await until(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      const payment = await transfer(open.bankTransfer!.remark, open.amount);
      // The server's clock runs ahead of the sandbox's (every `result()` may skip time, even past a finished flow's
      // leftover activity timeouts): look back from the server's now to well before the transfer.
      const lookbackMs = (await env.currentTimeMs()) - Date.now() + 60 * MINUTE;
      const handle = await env.client.workflow.start<typeof reconciliationWorkflow>('reconciliationWorkflow', {
        workflowId: `${RECONCILIATION_SCHEDULE_ID}-${referenceId}`,
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [{ lookbackMs }],
      });
      // Waited for by polling, not `result()`, so no time is skipped until the flow has counted the payment.
      await until(() => handle.describe(), (d) => d.status.name !== 'RUNNING');
      await until(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'unpaid');
      const report = await handle.result();
      const signalled = report.flowsSignalled.find((s) => s.workflowId === flow.workflowId);
      if (!signalled?.paymentIds.includes(payment.id) || report.unmatchedRecorded.length > 0) {
        throw new Error(`reconciliation-signals-missed-payment: unexpected report ${JSON.stringify(report)}`);
      }
      const final = await flow.result();
      if (final.status !== 'paid') throw new Error(`the reconciled flow ended ${final.status}`);
      return handle.workflowId;
    },
    // An account flow never ends: created, then three saves (two at once, run one after the other), one failing
    // while Tingee is down. Its history is recorded while it waits for the next save.
    'einvoice-account-saved-then-failed': async (referenceId) => {
      const taxCode = '0101234567';
      const handle = await env.client.workflow.start<typeof einvoiceAccountWorkflow>('einvoiceAccountWorkflow', {
        workflowId: einvoiceAccountWorkflowId('x-cyber', `${taxCode}-${referenceId}`),
        taskQueue: WORKFLOW_TASK_QUEUE,
        args: [{ provider: 'x-cyber', taxCode }],
      });
      const save = (username: string) => handle.executeUpdate(saveEinvoiceAccountUpdate, { args: [{ username, password: 'sandbox-only', isDefault: false, isActive: true }] });
      const created = await save('admin@company.vn');
      const [, last] = await Promise.all([save('ketoan1'), save('ketoan2')]);
      if (last.id !== created.id) throw new Error('einvoice-account-saved-then-failed: a second account was created');
      await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules: [{ path: '/v1/e-invoice/:call', errorRate: 1, errorStatus: 503 }] }) });
      const failed = await save('ketoan3').then(() => false, () => true);
      await finanFaults(null);
      const state = await handle.query(einvoiceAccountStatusQuery);
      if (!failed || state.status !== 'failed' || state.saves !== 3) throw new Error(`einvoice-account-saved-then-failed: ${JSON.stringify(state)}`);
      return handle.workflowId;
    },

    // Create, replace, patch, read; a delete refused for an unpaid invoice, then done; the flow ends when idle.
    // `GET /v1/customers`: one read of Finan's list, as a workflow of its own.
    'customer-list': async (requestId) => {
      const handle = await env.client.workflow.start<typeof customerListWorkflow>('customerListWorkflow', { workflowId: customerListWorkflowId(requestId), taskQueue: WORKFLOW_TASK_QUEUE, args: [] });
      await handle.result();
      return handle.workflowId;
    },
    'customer-upsert-patch-delete': async (customerCode) => {
      const handle = await startCustomer(customerCode);
      const created = await handle.executeUpdate(upsertCustomerUpdate, { args: [customerRecord] });
      await handle.executeUpdate(upsertCustomerUpdate, { args: [{ ...customerRecord, customTag: 'Priority Customer' }] });
      await handle.executeUpdate(patchCustomerUpdate, { args: [{ email: 'new.address@example.com', taxId: null }] });
      await handle.executeUpdate(getCustomerUpdate);
      await unpaidInvoice(created.customerId, 'POST');
      const refused = await handle.executeUpdate(deleteCustomerUpdate).then(() => false, () => true);
      if (!refused) throw new Error('customer-upsert-patch-delete: the delete was not refused');
      await unpaidInvoice(created.customerId, 'DELETE');
      await handle.executeUpdate(deleteCustomerUpdate);
      await handle.result();
      return handle.workflowId;
    },
    // The create's answer is dropped after Finan committed it: the retry finds the code and adopts the customer.
    'customer-lost-create-adopted': async (customerCode) => {
      await fetch(`${sandbox.url}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ method: 'POST', path: '/api/v1/customers', commitThenDropRate: 1 }] }),
      });
      try {
        const handle = await startCustomer(customerCode);
        const upserted = await handle.executeUpdate(upsertCustomerUpdate, { args: [customerRecord] });
        if (!upserted.created) throw new Error('customer-lost-create-adopted: not reported created');
        await handle.result();
        return handle.workflowId;
      } finally {
        await finanFaults(null);
      }
    },
    // The operators' inbox: a late payment is recorded, confirmed with Finan, then resolved by an operator.
    'unmatched-payments-recorded-confirmed-resolved': async (referenceId) => {
      const flow = await startPayment(paymentInput(`${referenceId}-flow`));
      const open = await until(() => flow.query(paymentRequestStatusQuery), (s) => s.status !== 'creating');
      await flow.result();
      const late = await transfer(open.bankTransfer!.remark, open.amount);
      const workflowId = `${UNMATCHED_PAYMENTS_WORKFLOW_ID}-${referenceId}`;
      const inbox = await env.client.workflow.start<typeof unmatchedPaymentsWorkflow>('unmatchedPaymentsWorkflow', { workflowId, taskQueue: WORKFLOW_TASK_QUEUE, args: [{}] });
      await inbox.signal(unmatchedPaymentSignal, [{
        paymentId: late.id, reason: 'late', source: 'webhook', flowWorkflowId: flow.workflowId, paymentRequestId: open.paymentRequestId,
        referenceId: open.referenceId, referenceType: null, amount: open.amount, method: 'bank_transfer', createdAt: null,
      }]);
      await until(() => inbox.query(unmatchedPaymentsQuery), (s) => s.open.some((e) => e.paymentId === late.id && e.confirmed));
      await inbox.executeUpdate(resolveUnmatchedPaymentUpdate, { args: [{ paymentId: late.id, resolution: 'refunded, ticket 812' }] });
      const state = await inbox.query(unmatchedPaymentsQuery);
      if (state.open.length !== 0 || state.resolved.length !== 1) throw new Error(`unmatched-payments: unexpected state ${JSON.stringify(state)}`);
      // It runs for ever: recorded up to here, then ended so the environment can stop.
      await inbox.terminate('recorded');
      return workflowId;
    },
  };

  Object.assign(scenarios, {
    // Consent, a read, a 401 refreshed and retried, formats saved then refused by SePay, the finder's formats,
    // reads until the flow continues as new: the first run's whole history.
    'sepay-credentials-refresh-then-continue-as-new': async (referenceId: string) => {
      const handle = await connectedSepay(`sepay-credentials-${referenceId}`, { maxHistoryEvents: 60 });
      const firstRunId = (await handle.describe()).runId;
      await handle.executeUpdate(getCompanyUpdate);
      await sepayControl('POST', '/sepay/tokens/expire');
      await handle.executeUpdate(getCompanyUpdate);
      const format = { prefix: 'DH', suffixFrom: 6, suffixTo: 8, characterType: 'NumberOnly' as const, isActive: true };
      await handle.executeUpdate(updatePaymentCodeFormatsUpdate, { args: [{ paymentCodeFormats: [format] }] });
      const refused = await handle.executeUpdate(updatePaymentCodeFormatsUpdate, { args: [{ paymentCodeFormats: [format, { ...format, prefix: 'dh' }] }] }).then(() => false, () => true);
      if (!refused) throw new Error('sepay-credentials-refresh-then-continue-as-new: SePay did not refuse the duplicate prefix');
      await handle.executeUpdate(paymentCodeFormatsUpdate, { args: [{ maxAgeMs: 0 }] });
      while ((await handle.describe()).runId === firstRunId) await env.client.workflow.getHandle(handle.workflowId).executeUpdate(getCompanyUpdate);
      const state = await env.client.workflow.getHandle(handle.workflowId).query(sepayConnectionQuery);
      if (state.status !== 'connected' || state.refreshes !== 1) throw new Error(`sepay-credentials-refresh-then-continue-as-new: ${JSON.stringify(state)}`);
      await env.client.workflow.getHandle(handle.workflowId).terminate('recorded');
      return { workflowId: handle.workflowId, runId: firstRunId };
    },
    // A consent the user revoked: the monthly keep-alive refresh is refused and the connection needs consent again.
    'sepay-credentials-consent-lost': async (referenceId: string) => {
      const handle = await connectedSepay(`sepay-credentials-${referenceId}`, {});
      await sepayControl('POST', '/sepay/tokens/revoke');
      await env.sleep('28 days');
      const state = await handle.query(sepayConnectionQuery);
      if (state.status !== 'consent_needed') throw new Error(`sepay-credentials-consent-lost: ${JSON.stringify(state)}`);
      await handle.terminate('recorded');
      return handle.workflowId;
    },
  });

  const selected = Object.entries(scenarios).filter(([name]) => only === null || only.some((prefix) => name.startsWith(prefix)));
  if (selected.length === 0) throw new Error(`no scenario matches --only ${only?.join(',')}; scenarios: ${Object.keys(scenarios).join(', ')}`);

  await workflowWorker.runUntil(
    activityWorker.runUntil(tingeeWorker.runUntil(sepayWorker.runUntil(async () => {
      for (const [name, run] of selected) {
        const file = join(OUT, `${name}.json`);
        if (existsSync(file) && !force) {
          process.stdout.write(`kept ${name}: test/histories/${name}.json exists (--force re-records it)\n`);
          continue;
        }
        const recorded = await run(`REPLAY-${name}`);
        const { workflowId, runId } = typeof recorded === 'string' ? { workflowId: recorded, runId: undefined } : recorded;
        const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
        writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`);
        process.stdout.write(`recorded ${name}: ${history.events?.length} events\n`);
      }
    }))),
  );
  await sandbox.close();
  await env.teardown();
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
