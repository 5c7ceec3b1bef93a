import type { TingeeConfig } from '../config';
import { EinvoiceAccountBook } from './accounts';
import type { TingeeEnvelopeForm } from './envelope';

/** Everything the emulated Tingee client holds: its e-invoice provider accounts, and the envelope it answers in. */
export class TingeeState {
  readonly accounts = new EinvoiceAccountBook();
  envelope: TingeeEnvelopeForm = 'success';

  constructor(readonly config: TingeeConfig) {}

  reset(): void {
    this.accounts.clear();
    this.envelope = 'success';
  }
}
