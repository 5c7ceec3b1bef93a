/**
 * What the chaos run is judged on, read from the providers' side (the sandbox's ledger, Finan's payout list, the
 * payments Finan recorded) and from Temporal's stored histories, never from dongflow's own word alone.
 */
import { readFileSync } from 'node:fs';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { dataConverterFor } from '../../codec/data-converter';
import { parseKeyRing } from '../../config/encryption-keys';
import { FinanClient } from '../../providers/finan/client';
import type { FlowRecord } from './flows';
import { MARKER_BENEFICIARY } from './flows';
import type { ChaosStack, ProcessName } from './processes';

export interface Violation {
  invariant: string;
  reference: string;
  detail: string;
}

interface Ledger {
  transfers: { payoutId: string; reference_id: string | null; amount: number }[];
}
interface PaymentView {
  status: string;
  amount: number;
  paidAmount: number;
  payments: { paymentId: string; amount: number }[];
}
interface Inbox {
  open: { paymentId: string; reason: string; flowWorkflowId: string | null }[];
  resolved: { paymentId: string; reason: string; flowWorkflowId: string | null }[];
}

async function readJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(url, { headers });
      if (response.ok) return (await response.json()) as T;
      if (attempt > 20) throw new Error(`${url} answered ${response.status}`);
    } catch (err) {
      if (attempt > 20) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const expectedPaymentStatus = (paid: number, amount: number) => (paid === 0 ? 'expired' : paid < amount ? 'expired_partial' : paid === amount ? 'paid' : 'extra_paid');

/** Money: one Finan payout and at most one transfer per reference, the final state agreeing with both; every payment counted once, where it belongs. */
export async function moneyViolations(stack: ChaosStack, records: FlowRecord[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const add = (invariant: string, reference: string, detail: string) => violations.push({ invariant, reference, detail });
  const auth = { authorization: `Bearer ${stack.apiKey}` };
  const ledger = await readJson<Ledger>(`${stack.sandboxUrl}/_sandbox/ledger`);
  const finan = new FinanClient({ baseUrl: `${stack.sandboxUrl}/finan/open`, clientId: stack.finanClientId, secretKey: stack.secrets.finanSecretKey });
  const references = new Set(records.map((r) => r.reference));
  for (const transfer of ledger.transfers) {
    if (transfer.reference_id && transfer.reference_id.startsWith('CHAOS-') && !references.has(transfer.reference_id)) add('transfer without a payout flow', transfer.reference_id, transfer.payoutId);
  }

  // Late payments reach the inbox through a webhook or the next reconciliation: wait for them to be there.
  const lateIds = records.flatMap((r) => r.payments.filter((p) => p.late).map((p) => p.paymentId));
  let inbox = await readJson<Inbox>(`${stack.gatewayUrl}/v1/unmatched-payments`, auth);
  const deadline = Date.now() + 120_000;
  while (!lateIds.every((id) => [...inbox.open, ...inbox.resolved].some((e) => e.paymentId === id)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2_000));
    inbox = await readJson<Inbox>(`${stack.gatewayUrl}/v1/unmatched-payments`, auth);
  }
  const inboxEntries = [...inbox.open, ...inbox.resolved];
  /** Where each payment was counted: flow workflow ids and the inbox. */
  const countedIn = new Map<string, string[]>();
  const note = (paymentId: string, where: string) => countedIn.set(paymentId, [...(countedIn.get(paymentId) ?? []), where]);
  for (const entry of inboxEntries) note(entry.paymentId, `inbox:${entry.reason}:${entry.flowWorkflowId ?? ''}`);

  for (const record of records) {
    for (const problem of record.problems) add('driver saw a wrong answer', record.reference, problem);
    if (record.finalStatus === null) continue;
    if (record.kind === 'payout') {
      const atFinan = (await finan.findPayoutsByReference(record.reference)).data;
      const transfers = ledger.transfers.filter((t) => t.reference_id === record.reference);
      const expectedAtFinan = record.finalStatus === 'rejected' ? 0 : 1;
      if (atFinan.length !== expectedAtFinan && !(record.finalStatus === 'unavailable' && atFinan.length === 0)) {
        add('one Finan payout per reference', record.reference, `${atFinan.length} at Finan, flow ${record.finalStatus}`);
      }
      const expectedTransfers = record.finalStatus === 'success' ? 1 : 0;
      if (transfers.length !== expectedTransfers) add('transfers agree with the final state', record.reference, `${transfers.length} transfers, flow ${record.finalStatus}`);
      if (transfers.some((t) => t.amount !== record.amount)) add('transfer amount', record.reference, `ledger ${transfers.map((t) => t.amount).join(',')} vs ${record.amount}`);
      const finanStatus = atFinan[0]?.status;
      const agrees: Record<string, (s: string | undefined) => boolean> = {
        success: (s) => s === 'success',
        failed: (s) => s === 'failed',
        expired: (s) => s === 'waiting_confirm',
        cancelled: (s) => s === 'waiting_confirm',
        rejected: (s) => s === undefined,
        unavailable: (s) => s === undefined || s === 'waiting_confirm',
      };
      if (!agrees[record.finalStatus]?.(finanStatus)) add('final state agrees with Finan', record.reference, `flow ${record.finalStatus}, Finan ${finanStatus}`);
      if (['three-wrong', 'no-otp', 'cancel'].includes(record.plan) && record.finalStatus === 'success') add('no money without a right OTP', record.reference, `${record.plan} ended success`);
      continue;
    }
    const path = record.kind === 'invoice' ? `/v1/invoices/${record.reference}` : `/v1/payment-requests/${record.reference}`;
    const view = await readJson<PaymentView>(`${stack.gatewayUrl}${path}`, auth);
    for (const payment of view.payments) note(payment.paymentId, record.workflowId);
    const counted = view.payments.reduce((sum, p) => sum + p.amount, 0);
    if (counted !== view.paidAmount) add('paid amount is the sum of its payments', record.reference, `${view.paidAmount} vs ${counted}`);
    const madeOnTime = record.payments.filter((p) => !p.late);
    const expectedPaid = madeOnTime.reduce((sum, p) => sum + p.amount, 0);
    if (view.paidAmount !== expectedPaid) add('every payment counted once', record.reference, `paid ${view.paidAmount}, payers paid ${expectedPaid}`);
    const unknown = view.payments.filter((p) => !record.payments.some((m) => m.paymentId === p.paymentId));
    if (unknown.length > 0) add('no payment counted that was not made to it', record.reference, unknown.map((p) => p.paymentId).join(','));
    if (record.kind === 'payment-request' && !['rejected', 'unavailable'].includes(view.status) && view.status !== expectedPaymentStatus(expectedPaid, record.amount)) {
      add('final status from the amounts', record.reference, `${view.status} with ${expectedPaid} of ${record.amount}`);
    }
    if (record.kind === 'invoice' && view.status !== (expectedPaid === record.amount ? 'paid' : 'extra_paid')) add('invoice status from the amounts', record.reference, `${view.status} with ${expectedPaid} of ${record.amount}`);
  }
  for (const record of records) {
    for (const payment of record.payments) {
      const places = countedIn.get(payment.paymentId) ?? [];
      const expected = payment.late ? [`inbox:late:${record.workflowId}`] : [record.workflowId];
      if (places.length !== 1 || places[0] !== expected[0]) add('every payment counted exactly once, in the right flow', record.reference, `${payment.paymentId} counted in [${places.join(', ')}], expected ${expected[0]}`);
    }
  }
  return violations;
}

/** Every flow closed, and no workflow task failed for a reason other than the business's. */
export async function historyFindings(stack: ChaosStack, records: FlowRecord[]) {
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection, dataConverter: dataConverterFor(parseKeyRing(stack.encryptionKeys)) });
    const violations: Violation[] = [];
    for (const record of records) {
      const description = await client.workflow.getHandle(record.workflowId).describe().catch(() => null);
      if (!description || description.status.name === 'RUNNING') violations.push({ invariant: 'every flow terminal within its bound', reference: record.reference, detail: description?.status.name ?? 'not found' });
    }
    const taskFailures: { workflowId: string; cause: string }[] = [];
    let histories = 0;
    for await (const execution of client.workflow.list()) {
      const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      histories++;
      for (const event of history.events ?? []) {
        const failed = event.workflowTaskFailedEventAttributes;
        if (failed) taskFailures.push({ workflowId: execution.workflowId, cause: temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause ?? 0] ?? String(failed.cause) });
      }
    }
    // A signal landing while a task completes makes the server refuse the completion (UNHANDLED_COMMAND) and the
    // SDK run the task again with it: Temporal's own bookkeeping, not a failure of ours.
    const benign = new Set(['WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND']);
    for (const failure of taskFailures.filter((f) => !benign.has(f.cause))) {
      violations.push({ invariant: 'no workflow task failing for a non-business reason', reference: failure.workflowId, detail: failure.cause });
    }
    return { violations, histories, taskFailures: taskFailures.length, benignTaskFailures: taskFailures.filter((f) => benign.has(f.cause)).length };
  } finally {
    await connection.close();
  }
}

export interface SecretHit {
  where: string;
  secret: string;
}

/** Every configured secret, every OTP used, the marker PII and the settings' secrets (`more`), looked for in logs, search attributes and raw history bytes. */
export async function secretsSweep(stack: ChaosStack, records: FlowRecord[], more: [string, string][] = []): Promise<{ hits: SecretHit[]; searched: Record<string, number>; needles: number }> {
  const needles: [string, string][] = [
    ['FINAN_SECRET_KEY', stack.secrets.finanSecretKey],
    ['API key', stack.secrets.apiKey],
    ['encryption key', stack.secrets.encryptionKey],
    ['marker beneficiary name', MARKER_BENEFICIARY],
    ...[...new Set(records.flatMap((r) => r.otpCodes))].map((otp): [string, string] => ['OTP code', `"${otp}"`]),
    ...more,
  ];
  const hits: SecretHit[] = [];
  const searched: Record<string, number> = { logFiles: 0, searchAttributeSets: 0, rawHistories: 0 };
  const look = (where: string, haystack: string | Buffer) => {
    for (const [name, value] of needles) if (haystack.includes(value)) hits.push({ where, secret: name });
  };
  for (const name of ['temporal', 'worker', 'gateway'] as ProcessName[]) {
    look(`${name} log`, readFileSync(stack.logFiles[name], 'utf8'));
    searched.logFiles!++;
  }
  // Without the codec: what anyone with access to Temporal's store (or its UI without the codec server) reads.
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const service = connection.workflowService;
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await service.listWorkflowExecutions({ namespace: 'default', pageSize: 200, nextPageToken });
      for (const execution of page.executions ?? []) {
        const workflowId = execution.execution?.workflowId ?? '?';
        look(`search attributes of ${workflowId}`, Buffer.from(temporal.api.common.v1.SearchAttributes.encode(execution.searchAttributes ?? {}).finish()));
        searched.searchAttributeSets!++;
        let historyToken: Uint8Array | undefined;
        do {
          const events = await service.getWorkflowExecutionHistory({ namespace: 'default', execution: execution.execution, nextPageToken: historyToken });
          look(`history of ${workflowId}`, Buffer.from(temporal.api.history.v1.History.encode(events.history ?? {}).finish()));
          historyToken = events.nextPageToken?.length ? events.nextPageToken : undefined;
        } while (historyToken);
        searched.rawHistories!++;
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
  } finally {
    await connection.close();
  }
  return { hits, searched, needles: needles.length };
}
