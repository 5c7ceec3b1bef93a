import type { SandboxConfig } from './config';
import { FaultStore } from './faults';
import { FinanState } from './finan/state';
import { Ledger } from './ledger';
import { Scheduler } from './scheduler';
import { TingeeState } from './tingee/state';
import { SepayState } from './sepay/state';

/** All sandbox state, in memory: one instance per running sandbox. */
export class SandboxState {
  readonly scheduler: Scheduler;
  readonly ledger = new Ledger();
  readonly faults = new FaultStore();
  readonly finan: FinanState;
  readonly tingee: TingeeState;
  readonly sepay: SepayState;

  constructor(readonly config: SandboxConfig) {
    this.scheduler = new Scheduler(config.timeScale);
    this.finan = new FinanState(config.finan, this.ledger, this.scheduler, this.faults);
    this.tingee = new TingeeState(config.tingee);
    this.sepay = new SepayState(config.sepay);
  }

  /** Back to a freshly started sandbox: no payouts, payments or webhooks, no ledger entries, no faults, default settings. */
  reset(): void {
    this.scheduler.cancelAll();
    this.ledger.clear();
    this.faults.clear();
    this.finan.reset();
    this.tingee.reset();
    this.sepay.reset();
  }

  /** Stops pending timers so a closed sandbox does nothing more. */
  shutdown(): void {
    this.scheduler.cancelAll();
  }
}
