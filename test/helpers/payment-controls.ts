/** The sandbox's payment controls (`/_sandbox/finan/...`): a payer's bank transfer, the webhook deliveries. */

export interface SandboxPayment {
  id: string;
  amount: number;
  method: string;
  created_at: string;
  payment_request_id: string | null;
  reference_id: string | null;
  orphan: boolean;
  late: boolean;
}

export interface SandboxDelivery {
  id: string;
  paymentId: string;
  duplicate: boolean;
  state: string;
  attempts: { attempt: number; status: number | null; error: string | null }[];
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export function paymentControls(sandboxUrl: string) {
  const post = (path: string, body: unknown) =>
    fetch(`${sandboxUrl}/_sandbox${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return {
    /** A customer's bank transfer with this content; Finan records it and sends the webhook. */
    async transfer(remark: string, amount: number): Promise<SandboxPayment> {
      return json(await post('/finan/transfers', { remark, amount }));
    },
    async deliveries(): Promise<SandboxDelivery[]> {
      return (await json<{ deliveries: SandboxDelivery[] }>(await fetch(`${sandboxUrl}/_sandbox/finan/webhook-deliveries`))).deliveries;
    },
    async setWebhookFaults(webhooks: { dropRate?: number; duplicateRate?: number; reorder?: boolean; delayMs?: number }): Promise<void> {
      await json(await post('/faults', { webhooks }));
    },
    /** Finan answers broken VietQRs from now on (`null`: correct ones again). */
    async setQrFault(fault: 'wrong_amount' | 'bad_crc' | null): Promise<void> {
      await json(await post('/finan/payment-qr-fault', { fault }));
    },
    /** Every Finan call fails with this status (an outage, or a refusal of our credentials / IP), or the given rules. */
    async setFinanFaults(rules: { method?: string; path?: string; errorRate?: number; errorStatus?: number; commitThenDropRate?: number; latencyMs?: number }[]): Promise<void> {
      await json(await post('/faults', { rules }));
    },
    async clearFaults(): Promise<void> {
      await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'DELETE' });
    },
  };
}
