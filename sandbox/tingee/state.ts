import type { TingeeConfig } from '../config';
import { EinvoiceAccountBook } from './accounts';
import type { TingeeEnvelopeForm } from './envelope';

/** Everything the emulated Tingee client holds: its e-invoice provider accounts, and the envelope it answers in. */
export class TingeeState {
  readonly accounts = new EinvoiceAccountBook();
  envelope: TingeeEnvelopeForm = 'success';
  /** How far Tingee's clock is from this machine's (a test control): a skew beyond ±10 minutes makes every request expire. */
  clockOffsetMs = 0;

  constructor(readonly config: TingeeConfig) {}

  reset(): void {
    this.accounts.clear();
    this.envelope = 'success';
    this.clockOffsetMs = 0;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }
}
