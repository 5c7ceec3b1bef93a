import type { FinanConfig } from '../config';
import type { Ledger } from '../ledger';
import type { Scheduler } from '../scheduler';
import { SourceAccounts } from './accounts';
import { PayoutBook } from './payouts';
import { FinanSettingsStore } from './settings';

/** Everything the emulated Finan account holds; payments will sit beside payouts. */
export class FinanState {
  readonly accounts = new SourceAccounts();
  readonly settings: FinanSettingsStore;
  readonly payouts: PayoutBook;

  constructor(
    readonly config: FinanConfig,
    ledger: Ledger,
    scheduler: Scheduler,
  ) {
    this.settings = new FinanSettingsStore({ ipWhitelist: null, processingDelayMs: config.processingDelayMs });
    this.payouts = new PayoutBook({
      accounts: this.accounts,
      ledger,
      scheduler,
      processingDelayMs: () => this.settings.current().processingDelayMs,
    });
  }

  reset(): void {
    this.payouts.clear();
    this.accounts.reset();
    this.settings.reset();
  }
}
