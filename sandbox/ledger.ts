/** Money that actually left a source account: the ground truth tests compare the orchestrator against. */
export interface LedgerTransfer {
  payoutId: string;
  reference_id: string | null;
  amount: number;
  /** ISO 8601 time of settlement. */
  at: string;
}

export class Ledger {
  private entries: LedgerTransfer[] = [];

  record(transfer: LedgerTransfer): void {
    this.entries.push({ ...transfer });
  }

  transfers(): LedgerTransfer[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
