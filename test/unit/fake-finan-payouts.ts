/**
 * Finan's payout API as the page describes it (finan-payouts.txt), in memory, for the activity unit tests: created
 * `waiting_confirm` with `remaining_try: 3`; every verification spends a try; a right code answers `processing`,
 * a wrong one 422 "Invalid OTP code" (the last wrong one leaves the payout `failed`). It records every call, and
 * can lose an answer after Finan acted on it, as a dropped connection does.
 */
import { DefaultLogger } from '@temporalio/worker';
import type { LogEntry } from '@temporalio/worker';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FinanClient, FinanResponse } from '../../providers/finan/client';
import { FinanNetworkError, FinanUnprocessableError } from '../../providers/finan/errors';
import type { CreatePayoutRequest, Payout, PayoutCreated, VerifyOtpResult } from '../../providers/finan/schemas';

type Call = 'list' | 'create' | 'get' | 'verify';

export class FakeFinanPayouts {
  readonly payouts: Payout[] = [];
  readonly calls: Call[] = [];
  /** The abort signal each call was given, in call order. */
  readonly signals: (AbortSignal | undefined)[] = [];
  readonly createdBodies: CreatePayoutRequest[] = [];
  /** The OTP the bank "texted" for each payout. */
  readonly otps = new Map<string, string>();
  /** The next call of this kind reaches Finan and takes effect, but its answer never comes back. */
  loseAnswerOf: Call | null = null;
  /** The next call of this kind fails before reaching Finan. */
  failNext: { call: Call; error: Error } | null = null;
  private seq = 0;

  /** A payout that already exists at Finan (made by an earlier attempt, run, or outside dongflow). */
  add(p: Partial<Payout> & Pick<Payout, 'status' | 'created_at'>): Payout {
    const payout: Payout = {
      id: `payout-${++this.seq}`,
      amount: 6000000,
      beneficiary_account_name: 'NGUYEN VAN A',
      beneficiary_account_number: '1234567890',
      beneficiary_bank_id: '161',
      reference_id: 'PAYOUT-001',
      remaining_try: p.status === 'waiting_confirm' ? 3 : 0,
      ...p,
    };
    this.payouts.push(payout);
    this.otps.set(payout.id, '123456');
    return payout;
  }

  /** The activity's view: only the calls the payout activities make. */
  client(): FinanClient {
    const client: Pick<FinanClient, 'findPayoutsByReference' | 'createPayout' | 'getPayout' | 'verifyPayoutOtp'> = {
      findPayoutsByReference: async (referenceId, options) => this.answer('list', options, () => this.payouts.filter((p) => p.reference_id === referenceId).map((p) => ({ ...p }))),
      createPayout: async (req, options) => this.answer('create', options, () => this.create(req)),
      getPayout: async (id, options) => this.answer('get', options, () => ({ ...this.find(id) })),
      verifyPayoutOtp: async (id, code, options) => this.answer('verify', options, () => this.verify(id, code)),
    };
    return client as FinanClient;
  }

  /** Tries spent on a payout so far (it was created with 3). */
  triesSpent(id: string): number {
    return 3 - this.find(id).remaining_try;
  }

  private async answer<T>(call: Call, options: { signal?: AbortSignal } | undefined, act: () => T): Promise<FinanResponse<T>> {
    this.calls.push(call);
    this.signals.push(options?.signal);
    if (this.failNext?.call === call) {
      const { error } = this.failNext;
      this.failNext = null;
      throw error;
    }
    const lose = this.loseAnswerOf === call;
    if (lose) this.loseAnswerOf = null;
    let data: T;
    try {
      data = act();
    } catch (err) {
      // Finan acted (a try spent) and answered 422, but the answer was lost on the way.
      if (lose) throw new FinanNetworkError(`${call} payout`, 'ECONNRESET');
      throw err;
    }
    if (lose) throw new FinanNetworkError(`${call} payout`, 'ECONNRESET');
    return { data, requestId: `req-${this.calls.length}`, code: 102000 };
  }

  private find(id: string): Payout {
    const payout = this.payouts.find((p) => p.id === id);
    if (!payout) throw new Error(`no payout ${id}`);
    return payout;
  }

  private create(req: CreatePayoutRequest): PayoutCreated {
    this.createdBodies.push(req);
    const payout = this.add({ status: 'waiting_confirm', created_at: `2024-01-20T14:00:${String(this.seq).padStart(2, '0')}Z`, reference_id: req.reference_id, amount: req.amount });
    return { id: payout.id, status: payout.status, remaining_try: payout.remaining_try };
  }

  private verify(id: string, code: string): VerifyOtpResult {
    const payout = this.find(id);
    if (payout.status !== 'waiting_confirm' || payout.remaining_try === 0) {
      throw new FinanUnprocessableError({ httpStatus: 422, providerCode: 104000, requestId: 'req-422', providerMessage: 'Invalid OTP code' });
    }
    payout.remaining_try -= 1;
    if (code === this.otps.get(id)) {
      payout.status = 'processing';
      return { id, status: payout.status, remaining_try: payout.remaining_try };
    }
    if (payout.remaining_try === 0) payout.status = 'failed';
    throw new FinanUnprocessableError({ httpStatus: 422, providerCode: 104000, requestId: 'req-422', providerMessage: 'Invalid OTP code' });
  }
}

/**
 * Temporal's activity test harness for attempt `attempt` (it gives the activity its `activityInfo().attempt` and
 * `cancellationSignal()`), keeping what the activity logged at info level and above, for the operator-facing checks.
 */
export function activityHarness(attempt: number): { env: MockActivityEnvironment; logs: LogEntry[] } {
  const logs: LogEntry[] = [];
  const logger = new DefaultLogger('INFO', (entry) => logs.push(entry));
  return { env: new MockActivityEnvironment({ attempt }, { logger }), logs };
}

/** Runs an activity call as attempt `attempt` in the harness. */
export function inAttempt<R>(attempt: number, call: () => Promise<R>): Promise<R> {
  return activityHarness(attempt).env.run(call);
}
