import type { FinanConfig } from '../config';
import type { FaultStore } from '../faults';
import type { Ledger } from '../ledger';
import type { Scheduler } from '../scheduler';
import { SourceAccounts } from './accounts';
import { CustomerBook } from './customers';
import { PaymentBook } from './payments';
import { PayoutBook } from './payouts';
import { FinanSettingsStore } from './settings';
import { WebhookSender } from './webhooks';

/** Everything the emulated Finan account holds: accounts, payouts, payment requests and their webhooks, customers. */
export class FinanState {
  readonly accounts = new SourceAccounts();
  readonly settings: FinanSettingsStore;
  readonly payouts: PayoutBook;
  readonly webhooks: WebhookSender;
  readonly payments: PaymentBook;
  readonly customers = new CustomerBook();

  constructor(
    readonly config: FinanConfig,
    ledger: Ledger,
    scheduler: Scheduler,
    faults: FaultStore,
  ) {
    this.settings = new FinanSettingsStore({ ipWhitelist: null, processingDelayMs: config.processingDelayMs });
    this.payouts = new PayoutBook({
      accounts: this.accounts,
      ledger,
      scheduler,
      processingDelayMs: () => this.settings.current().processingDelayMs,
    });
    this.webhooks = new WebhookSender({ config, scheduler, faults });
    this.payments = new PaymentBook({
      accounts: this.accounts,
      scheduler,
      onPayment: (payload) => this.webhooks.notify(payload),
    });
  }

  reset(): void {
    this.payouts.clear();
    this.payments.clear();
    this.customers.clear();
    this.webhooks.reset();
    this.accounts.reset();
    this.settings.reset();
  }
}
