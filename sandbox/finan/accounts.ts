/** The source (Shinhan) account of the page's example, funded generously. */
export const FINAN_SOURCE_ACCOUNT_ID = '54957437-0cb5-4992-ad0e-76d26ba4ddc3';
/** A second source account holding 1,000,000 VND, for exercising "Insufficient balance". */
export const FINAN_LOW_BALANCE_ACCOUNT_ID = 'b1c0de00-5a1d-4b0e-9c3a-000000000001';

const INITIAL_BALANCES: ReadonlyMap<string, number> = new Map([
  [FINAN_SOURCE_ACCOUNT_ID, 100_000_000_000],
  [FINAN_LOW_BALANCE_ACCOUNT_ID, 1_000_000],
]);

export interface SourceAccountView {
  account_id: string;
  balance: number;
}

/** Balances of the client's source accounts, in VND. */
export class SourceAccounts {
  private balances = new Map(INITIAL_BALANCES);

  has(accountId: string): boolean {
    return this.balances.has(accountId);
  }

  balanceOf(accountId: string): number {
    return this.balances.get(accountId) ?? 0;
  }

  /** Takes money out if the balance covers it; returns whether it did. */
  debit(accountId: string, amount: number): boolean {
    const balance = this.balances.get(accountId);
    if (balance === undefined || balance < amount) return false;
    this.balances.set(accountId, balance - amount);
    return true;
  }

  list(): SourceAccountView[] {
    return [...this.balances].map(([account_id, balance]) => ({ account_id, balance }));
  }

  reset(): void {
    this.balances = new Map(INITIAL_BALANCES);
  }
}
