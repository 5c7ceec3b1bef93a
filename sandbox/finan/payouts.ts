/**
 * Finan payouts, emulated in memory (https://api.finan.one/open/api/v1/payouts).
 *
 * Lifecycle, per the provider page: created `waiting_confirm` with 3 OTP tries; every verification spends one → right
 * OTP → `processing` → `success` (money leaves the source account) or `failed`. Three wrong OTPs → `failed`, no money
 * moves.
 *
 * Documented beneficiary account numbers (everything else succeeds):
 * - `0000000000` (FAILING_BENEFICIARY_ACCOUNT_NUMBER): after processing the bank rejects the transfer → `failed`.
 * - `9999999999` (STUCK_BENEFICIARY_ACCOUNT_NUMBER): stays `processing` forever, to test a polling horizon.
 *
 * The sandbox does not deduplicate `reference_id`, as Finan publishes no idempotency: two creates with one reference
 * make two payouts, and keeping a reference to one payout is the orchestrator's job.
 */
import { randomInt, randomUUID } from 'node:crypto';
import type { Ledger } from '../ledger';
import type { Scheduler } from '../scheduler';
import type { SourceAccounts } from './accounts';
import { FinanApiError } from './envelope';

export const FAILING_BENEFICIARY_ACCOUNT_NUMBER = '0000000000';
export const STUCK_BENEFICIARY_ACCOUNT_NUMBER = '9999999999';
/** "Each payout has a limited number of OTP tries (usually 3)". */
export const OTP_TRIES = 3;

export type PayoutStatus = 'waiting_confirm' | 'processing' | 'success' | 'failed';

export interface NewPayout {
  account_id: string;
  amount: number;
  beneficiary_account_name: string;
  beneficiary_account_number: string;
  beneficiary_bank_id: string;
  currency: 'VND';
  reference_id: string | null;
  description: string;
}

/** A payout as `GET /payouts` and `GET /payouts/:id` show it (the page's list example, plus description and currency). */
export interface PayoutView {
  id: string;
  status: PayoutStatus;
  amount: number;
  beneficiary_account_name: string;
  beneficiary_account_number: string;
  beneficiary_bank_id: string;
  reference_id: string | null;
  description: string;
  currency: 'VND';
  remaining_try: number;
  created_at: string;
}

/** The short form returned by create and OTP verification. */
export interface PayoutSummary {
  id: string;
  status: PayoutStatus;
  remaining_try: number;
}

interface Payout extends NewPayout {
  id: string;
  clientId: string;
  status: PayoutStatus;
  remaining_try: number;
  /** What the bank texts: six digits, possibly with a leading zero. */
  otp: string;
  created_at: string;
  /** Creation order, to list newest first even within one second. */
  sequence: number;
}

export interface PayoutBookDeps {
  accounts: SourceAccounts;
  ledger: Ledger;
  scheduler: Scheduler;
  processingDelayMs: () => number;
}

// Finan's example timestamps carry whole seconds: "2024-01-20T14:00:00Z".
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export class PayoutBook {
  private payouts = new Map<string, Payout>();
  private sequence = 0;

  constructor(private readonly deps: PayoutBookDeps) {}

  create(clientId: string, input: NewPayout): PayoutSummary {
    if (!this.deps.accounts.has(input.account_id)) throw new FinanApiError(404, 'Account not found');
    if (input.amount > this.availableBalance(input.account_id)) throw new FinanApiError(422, 'Insufficient balance');
    const payout: Payout = {
      ...input,
      id: randomUUID(),
      clientId,
      status: 'waiting_confirm',
      remaining_try: OTP_TRIES,
      otp: randomInt(0, 1_000_000).toString().padStart(6, '0'),
      created_at: isoSeconds(new Date()),
      sequence: this.sequence++,
    };
    this.payouts.set(payout.id, payout);
    return summary(payout);
  }

  /** All payouts of a client, newest first (the page publishes no filter or pagination). */
  list(clientId: string): PayoutView[] {
    return [...this.payouts.values()]
      .filter((payout) => payout.clientId === clientId)
      .sort((a, b) => b.sequence - a.sequence)
      .map(view);
  }

  get(clientId: string, id: string): PayoutView {
    return view(this.find(clientId, id));
  }

  /** The OTP the bank would text, for the test controls; undefined for an unknown payout. */
  otpOf(id: string): string | undefined {
    return this.payouts.get(id)?.otp;
  }

  /**
   * Verifies an OTP; throws the page's 404/422 errors. Every verification spends a try, as the page's example shows
   * (created with `remaining_try: 3`, a right code answers `processing, remaining_try: 2`); a wrong code that spends
   * the last try fails the payout.
   */
  verifyOtp(clientId: string, id: string, code: number): PayoutSummary {
    const payout = this.find(clientId, id);
    if (payout.remaining_try === 0) throw new FinanApiError(422, 'No OTP attempts remaining');
    if (payout.status !== 'waiting_confirm') {
      throw new FinanApiError(422, 'Payout is not waiting for OTP confirmation');
    }
    payout.remaining_try -= 1;
    // `code` is an integer on the wire, so "012345" arrives as 12345: compare numbers, not strings.
    if (code !== Number(payout.otp)) {
      if (payout.remaining_try === 0) payout.status = 'failed';
      throw new FinanApiError(422, 'Invalid OTP code');
    }
    payout.status = 'processing';
    if (payout.beneficiary_account_number !== STUCK_BENEFICIARY_ACCOUNT_NUMBER) {
      this.deps.scheduler.after(this.deps.processingDelayMs(), () => this.settle(payout.id));
    }
    return summary(payout);
  }

  clear(): void {
    this.payouts.clear();
    this.sequence = 0;
  }

  private find(clientId: string, id: string): Payout {
    const payout = this.payouts.get(id);
    if (payout === undefined || payout.clientId !== clientId) throw new FinanApiError(404, 'Payout not found');
    return payout;
  }

  /** Balance minus what confirmed, not yet settled payouts will take. */
  private availableBalance(accountId: string): number {
    let held = 0;
    for (const payout of this.payouts.values()) {
      if (payout.account_id === accountId && payout.status === 'processing') held += payout.amount;
    }
    return this.deps.accounts.balanceOf(accountId) - held;
  }

  /** The bank's answer to a confirmed transfer: money moves only here, and only on success. */
  private settle(id: string): void {
    const payout = this.payouts.get(id);
    if (payout === undefined || payout.status !== 'processing') return;
    const rejected = payout.beneficiary_account_number === FAILING_BENEFICIARY_ACCOUNT_NUMBER;
    if (rejected || !this.deps.accounts.debit(payout.account_id, payout.amount)) {
      payout.status = 'failed';
      return;
    }
    payout.status = 'success';
    this.deps.ledger.record({
      payoutId: payout.id,
      reference_id: payout.reference_id,
      amount: payout.amount,
      at: new Date().toISOString(),
    });
  }
}

function summary({ id, status, remaining_try }: Payout): PayoutSummary {
  return { id, status, remaining_try };
}

function view(payout: Payout): PayoutView {
  return {
    id: payout.id,
    status: payout.status,
    amount: payout.amount,
    beneficiary_account_name: payout.beneficiary_account_name,
    beneficiary_account_number: payout.beneficiary_account_number,
    beneficiary_bank_id: payout.beneficiary_bank_id,
    reference_id: payout.reference_id,
    description: payout.description,
    currency: payout.currency,
    remaining_try: payout.remaining_try,
    created_at: payout.created_at,
  };
}
