/** The sandbox's test controls (`/_sandbox/...`), as a tester or the README walkthrough would call them. */

export interface LedgerTransfer {
  payoutId: string;
  reference_id: string | null;
  amount: number;
  at: string;
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export function sandboxControls(sandboxUrl: string) {
  return {
    async otp(payoutId: string): Promise<string> {
      return (await json<{ otp: string }>(await fetch(`${sandboxUrl}/_sandbox/finan/payouts/${payoutId}/otp`))).otp;
    },
    async ledger(): Promise<LedgerTransfer[]> {
      return (await json<{ transfers: LedgerTransfer[] }>(await fetch(`${sandboxUrl}/_sandbox/ledger`))).transfers;
    },
    async setFaults(body: unknown): Promise<void> {
      await json(await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    },
    async clearFaults(): Promise<void> {
      await fetch(`${sandboxUrl}/_sandbox/faults`, { method: 'DELETE' });
    },
    async settings(body: unknown): Promise<void> {
      await json(await fetch(`${sandboxUrl}/_sandbox/finan/settings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    },
  };
}

/** A valid wrong OTP: differs from the right one in its last digit. */
export function wrongOtp(right: string): string {
  return right.slice(0, 5) + String((Number(right[5]) + 1) % 10);
}
