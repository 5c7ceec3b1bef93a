/** The source (Shinhan) account of the page's example, funded generously. */
export const FINAN_SOURCE_ACCOUNT_ID = '54957437-0cb5-4992-ad0e-76d26ba4ddc3';
/** A second source account holding 1,000,000 VND, for exercising "Insufficient balance"; an MB account. */
export const FINAN_LOW_BALANCE_ACCOUNT_ID = 'b1c0de00-5a1d-4b0e-9c3a-000000000001';

/** Where a bank transfer to the account goes: what a payment request's VietQR and transfer details show. */
export interface SourceAccountBank {
  /** NAPAS BIN of the account's bank (VietQR field 38.01.00). */
  bin: string;
  /** The bank as Finan's `bank_transfer_detail.bank_name` names it (the page's example: "MB"). */
  bank_name: string;
  account_number: string;
  account_name: string;
}

const BANKS: ReadonlyMap<string, SourceAccountBank> = new Map([
  // Shinhan: the page requires account_id "for Shinhan bank_transfer".
  [FINAN_SOURCE_ACCOUNT_ID, { bin: '970424', bank_name: 'Shinhan', account_number: '700012345678', account_name: 'CONG TY TNHH DONGFLOW' }],
  // MB, with the beneficiary of the page's create example.
  [FINAN_LOW_BALANCE_ACCOUNT_ID, { bin: '970422', bank_name: 'MB', account_number: '0933450210', account_name: 'TRAN TU THIEN' }],
]);

const INITIAL_BALANCES: ReadonlyMap<string, number> = new Map([
  [FINAN_SOURCE_ACCOUNT_ID, 100_000_000_000],
  [FINAN_LOW_BALANCE_ACCOUNT_ID, 1_000_000],
]);

export interface SourceAccountView extends SourceAccountBank {
  account_id: string;
  balance: number;
}

/** Balances and bank details of the client's source accounts, in VND. */
export class SourceAccounts {
  private balances = new Map(INITIAL_BALANCES);

  has(accountId: string): boolean {
    return this.balances.has(accountId);
  }

  balanceOf(accountId: string): number {
    return this.balances.get(accountId) ?? 0;
  }

  bankOf(accountId: string): SourceAccountBank | undefined {
    const bank = BANKS.get(accountId);
    return bank === undefined ? undefined : { ...bank };
  }

  /** Takes money out if the balance covers it; returns whether it did. */
  debit(accountId: string, amount: number): boolean {
    const balance = this.balances.get(accountId);
    if (balance === undefined || balance < amount) return false;
    this.balances.set(accountId, balance - amount);
    return true;
  }

  /** Money received on the account (a customer's bank transfer). */
  credit(accountId: string, amount: number): void {
    const balance = this.balances.get(accountId);
    if (balance !== undefined) this.balances.set(accountId, balance + amount);
  }

  list(): SourceAccountView[] {
    return [...this.balances].map(([account_id, balance]) => ({ account_id, balance, ...(BANKS.get(account_id) as SourceAccountBank) }));
  }

  reset(): void {
    this.balances = new Map(INITIAL_BALANCES);
  }
}
