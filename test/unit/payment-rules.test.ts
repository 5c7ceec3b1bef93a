import fc from 'fast-check';
import type { ConfirmedPayment, ProviderPaymentRequest } from '../../workflows/payment-request/messages';
import type { FlowKnowledge, UnmatchedPayment } from '../../workflows/reconciliation/messages';
import { addUnmatched, nextHighWaterMark, previousHighWaterMark, reconciliationStart, rememberResolved, unmatchedTotals, flowWorkflowIdForReference, planReconciliation } from '../../workflows/reconciliation/rules';
import { announce, unconfirmedView, finalPaymentRequestStatus, mergeConfirmedPayments, noticeNeedsRead, paidAmountOf, paymentStatusFromAmounts, readNotice, takeNotice } from '../../workflows/payment-request/rules';
import { boundedRequests, invoiceAfterLinkExpiry } from '../../workflows/invoice/rules';
import { creationFailureStatus } from '../../workflows/common/failures';
import { shouldContinueAsNew } from '../../workflows/common/history';

const payment = (paymentId: string, amount: number, paymentRequestId = 'PR-1'): ConfirmedPayment => ({
  paymentId,
  paymentRequestId,
  amount,
  method: 'bank_transfer',
  createdAt: '2024-01-20T14:30:00Z',
});

describe('payment status from amounts (the page\'s table)', () => {
  it.each([
    [6_000_000, 0, 'unpaid'],
    [6_000_000, 1, 'partial_paid'],
    [6_000_000, 5_999_999, 'partial_paid'],
    [6_000_000, 6_000_000, 'paid'],
    [6_000_000, 6_000_001, 'extra_paid'],
    [1, 2, 'extra_paid'],
  ] as const)('amount %d, paid %d → %s', (amount, paid, status) => {
    expect(paymentStatusFromAmounts(amount, paid)).toBe(status);
  });

  const amounts = fc.integer({ min: 1, max: 2_000_000_000 });
  it('is unpaid exactly when nothing was paid, paid exactly at the amount, extra_paid exactly above it', () => {
    fc.assert(
      fc.property(amounts, fc.integer({ min: 0, max: 2_000_000_000 }), (amount, paid) => {
        const status = paymentStatusFromAmounts(amount, paid);
        expect(status === 'unpaid').toBe(paid === 0);
        expect(status === 'partial_paid').toBe(paid > 0 && paid < amount);
        expect(status === 'paid').toBe(paid === amount);
        expect(status === 'extra_paid').toBe(paid > amount);
      }),
    );
  });

  it('never goes back as more money arrives', () => {
    const rank = { unpaid: 0, partial_paid: 1, paid: 2, extra_paid: 3 };
    fc.assert(
      fc.property(amounts, fc.nat(), fc.nat(), (amount, paid, more) => {
        expect(rank[paymentStatusFromAmounts(amount, paid + more)]).toBeGreaterThanOrEqual(rank[paymentStatusFromAmounts(amount, paid)]);
      }),
    );
  });

  it.each([
    [100, 0, 'expired'],
    [100, 40, 'expired_partial'],
    [100, 100, 'paid'],
    [100, 140, 'extra_paid'],
  ] as const)('a link of %d that expires with %d paid ends %s', (amount, paid, status) => {
    expect(finalPaymentRequestStatus(amount, paid)).toBe(status);
  });
});

describe('payments are counted once per payment id', () => {
  it('a duplicate payment id adds nothing to the paid amount', () => {
    expect(paidAmountOf([payment('PAY-1', 100), payment('PAY-1', 100), payment('PAY-2', 50)])).toBe(150);
  });

  it('merging what Finan lists twice adds its payments once', () => {
    const listed = [payment('PAY-1', 100), payment('PAY-2', 50)];
    const first = mergeConfirmedPayments([], listed);
    expect(first.added.map((p) => p.paymentId)).toEqual(['PAY-1', 'PAY-2']);
    const second = mergeConfirmedPayments(first.payments, listed);
    expect(second.added).toEqual([]);
    expect(second.payments).toHaveLength(2);
  });

  it('the paid amount is the sum of distinct payments, however often and in whatever order they are seen', () => {
    const payments = fc.uniqueArray(fc.record({ id: fc.string({ minLength: 1, maxLength: 6 }), amount: fc.integer({ min: 1, max: 1e9 }) }), { selector: (p) => p.id, maxLength: 10 });
    fc.assert(
      fc.property(payments, fc.array(fc.nat({ max: 30 }), { maxLength: 30 }), (unique, picks) => {
        const seen = picks.map((i) => unique[i % Math.max(unique.length, 1)]).filter((p) => p !== undefined).map((p) => payment(p.id, p.amount));
        let known: ConfirmedPayment[] = [];
        for (const p of seen) known = mergeConfirmedPayments(known, [p]).payments;
        const distinct = new Map(seen.map((p) => [p.paymentId, p.amount]));
        expect(paidAmountOf(known)).toBe([...distinct.values()].reduce((a, b) => a + b, 0));
        expect(new Set(known.map((p) => p.paymentId)).size).toBe(known.length);
      }),
    );
  });
});

describe('payment notices', () => {
  const counted = new Set(['PAY-1']);
  const announced = new Set(['PAY-2']);
  it.each([
    ['a webhook for a counted payment is a duplicate', { source: 'webhook', paymentIds: ['PAY-1'] }, false],
    ['a webhook for an announced payment is a duplicate', { source: 'webhook', paymentIds: ['PAY-2'] }, false],
    ['a webhook for a new payment asks for a read', { source: 'webhook', paymentIds: ['PAY-3'] }, true],
    ['the reconciliation seeing an announced but uncounted payment asks for a read', { source: 'reconciliation', paymentIds: ['PAY-2'] }, true],
    ['the reconciliation seeing only counted payments is a duplicate', { source: 'reconciliation', paymentIds: ['PAY-1'] }, false],
    ["an operator's empty nudge always asks for a read", { source: 'operator' }, true],
  ] as const)('%s', (_name, notice, needsRead) => {
    expect(noticeNeedsRead(notice as never, counted, announced)).toBe(needsRead);
  });

  it('reads hand-written JSON and refuses what is not a notice', () => {
    expect(readNotice({ source: 'operator' })).toEqual({ source: 'operator', paymentIds: [], paymentRequestId: null });
    expect(readNotice({ source: 'webhook', paymentIds: ['PAY-1', 7, ''], paymentRequestId: 'PR-1', amount: 5 })).toEqual({
      source: 'webhook',
      paymentIds: ['PAY-1'],
      paymentRequestId: 'PR-1',
      amount: 5,
    });
    expect(readNotice({ source: 'somebody' })).toBeNull();
    expect(readNotice('paid')).toBeNull();
    expect(readNotice(null)).toBeNull();
  });
});

describe('an invoice when its link expires', () => {
  const due = Date.parse('2024-02-02T00:00:00+07:00');
  it.each([
    ['paid in full ends paid', 100, 100, due - 1, { action: 'end', status: 'paid' }],
    ['overpaid ends extra_paid, even past due', 100, 120, due + 1, { action: 'end', status: 'extra_paid' }],
    ['unpaid before the due date renews for the whole amount', 100, 0, due - 1, { action: 'renew', outstanding: 100 }],
    ['partly paid before the due date renews for the rest', 100, 30, due - 1, { action: 'renew', outstanding: 70 }],
    ['unpaid at the due date ends overdue', 100, 0, due, { action: 'end', status: 'overdue' }],
    ['partly paid past the due date ends overdue', 100, 30, due + 1, { action: 'end', status: 'overdue' }],
  ] as const)('%s', (_name, amount, paidAmount, nowMs, outcome) => {
    expect(invoiceAfterLinkExpiry({ amount, paidAmount, nowMs, dueAtMs: due })).toEqual(outcome);
  });

  it('keeps every paid request and only the most recent unpaid ones', () => {
    const requests = [
      { id: 1, paidAmount: 0, open: false },
      { id: 2, paidAmount: 10, open: false },
      { id: 3, paidAmount: 0, open: false },
      { id: 4, paidAmount: 0, open: false },
      { id: 5, paidAmount: 0, open: true },
    ];
    expect(boundedRequests(requests, 1).map((r) => r.id)).toEqual([2, 4, 5]);
    expect(boundedRequests(requests, 10)).toHaveLength(5);
  });

  it('continues as new past its history budget or when Temporal suggests it', () => {
    expect(shouldContinueAsNew({ historyLength: 1_999, continueAsNewSuggested: false }, 2_000)).toBe(false);
    expect(shouldContinueAsNew({ historyLength: 2_000, continueAsNewSuggested: false }, 2_000)).toBe(true);
    expect(shouldContinueAsNew({ historyLength: 10, continueAsNewSuggested: true }, 2_000)).toBe(true);
  });
});

describe('reconciliation', () => {
  it('routes invoice-linked requests to invoice flows and the rest to payment flows', () => {
    expect(flowWorkflowIdForReference('invoice', 'INV-1')).toBe('invoice-INV-1');
    expect(flowWorkflowIdForReference(null, 'DH-1')).toBe('payment-DH-1');
    expect(flowWorkflowIdForReference(null, null)).toBeNull();
  });

  const request = (referenceId: string, payments: ConfirmedPayment[], referenceType: string | null = null): ProviderPaymentRequest => ({
    paymentRequestId: `PR-${referenceId}`,
    referenceId,
    referenceType,
    amount: 100,
    paidAmount: paidAmountOf(payments),
    status: paymentStatusFromAmounts(100, paidAmountOf(payments)),
    payments,
  });
  const flow = (workflowId: string, state: FlowKnowledge['state'], countedPaymentIds: string[] = []): FlowKnowledge => ({ workflowId, state, countedPaymentIds });

  it('signals a running flow that missed a payment, and leaves one that counted everything alone', () => {
    const plan = planReconciliation(
      [request('A', [payment('PAY-A1', 60), payment('PAY-A2', 40)]), request('B', [payment('PAY-B1', 100)]), request('INV', [payment('PAY-I1', 5)], 'invoice')],
      [flow('payment-A', 'running', ['PAY-A1']), flow('payment-B', 'running', ['PAY-B1']), flow('invoice-INV', 'running')],
    );
    expect(plan.signals).toEqual([
      { workflowId: 'payment-A', paymentRequestId: 'PR-A', paymentIds: ['PAY-A2'] },
      { workflowId: 'invoice-INV', paymentRequestId: 'PR-INV', paymentIds: ['PAY-I1'] },
    ]);
    expect(plan.unmatched).toEqual([]);
  });

  it('records a payment its ended flow never counted as late, and one with no flow as an orphan', () => {
    const plan = planReconciliation(
      [request('C', [payment('PAY-C1', 100), payment('PAY-C2', 7)]), request('D', [payment('PAY-D1', 9)])],
      [flow('payment-C', 'closed', ['PAY-C1']), flow('payment-D', 'missing')],
    );
    expect(plan.signals).toEqual([]);
    expect(plan.unmatched.map((n) => [n.paymentId, n.reason, n.flowWorkflowId, n.amount])).toEqual([
      ['PAY-C2', 'late', 'payment-C', 7],
      ['PAY-D1', 'orphan', null, 9],
    ]);
  });

  it('records each unmatched payment once, open or resolved', () => {
    const inbox: { open: UnmatchedPayment[]; resolved: UnmatchedPayment[] } = { open: [], resolved: [] };
    const [late] = planReconciliation([request('E', [payment('PAY-E1', 3)])], [flow('payment-E', 'closed')]).unmatched;
    expect(addUnmatched(inbox, [late!, late!], '2024-01-20T15:00:00Z')).toHaveLength(1);
    expect(addUnmatched(inbox, [late!], '2024-01-20T15:15:00Z')).toHaveLength(0);
    inbox.resolved.push(inbox.open.pop()!);
    expect(addUnmatched(inbox, [late!], '2024-01-20T15:30:00Z')).toHaveLength(0);
    expect(inbox.resolved[0]).toMatchObject({ paymentId: 'PAY-E1', confirmed: false, recordedAt: '2024-01-20T15:00:00Z' });
  });
});

describe('an outage does not burn a reference', () => {
  it.each([
    ['FinanValidation', 'rejected'],
    ['FinanUnprocessable', 'rejected'],
    ['FinanNotFound', 'rejected'],
    ['FinanUnauthorized', 'unavailable'],
    ['FinanForbidden', 'unavailable'],
    ['FinanUnavailable', 'unavailable'],
    ['FinanNetwork', 'unavailable'],
    ['FinanRateLimited', 'unavailable'],
    ['FinanInvalidResponse', 'unavailable'],
    ['FinanInvalidQr', 'unavailable'],
    ['Timeout', 'unavailable'],
  ])('a creation failing with %s ends %s', (type, status) => {
    expect(creationFailureStatus(type)).toBe(status);
  });
});

describe('unconfirmed announcements are shown apart and stay bounded', () => {
  it('sums what the webhooks claimed, apart from any paid amount', () => {
    const announced = new Map<string, number | null>();
    announce(announced, 'PAY-1', 6_000_000);
    announce(announced, 'PAY-1', 6_000_000);
    announce(announced, 'PAY-2', null);
    expect(unconfirmedView(announced)).toEqual({ unconfirmedPaymentIds: ['PAY-1', 'PAY-2'], unconfirmedAmount: 6_000_000 });
  });

  it('forgets the oldest beyond its bound', () => {
    const announced = new Map<string, number | null>();
    for (let i = 0; i < 150; i++) announce(announced, `PAY-${i}`, 1, 100);
    expect(announced.size).toBe(100);
    expect([...announced.keys()][0]).toBe('PAY-50');
  });
});

describe('the unmatched-payments inbox', () => {
  const entry = (paymentId: string, amount: number, confirmed: boolean): UnmatchedPayment => ({
    paymentId,
    reason: 'orphan',
    source: 'webhook',
    flowWorkflowId: null,
    paymentRequestId: null,
    referenceId: null,
    referenceType: null,
    amount,
    method: 'bank_transfer',
    createdAt: null,
    confirmed,
    recordedAt: '2024-01-20T15:00:00Z',
    resolution: 'refunded',
  });

  it('totals only confirmed money; what only a webhook claimed is apart', () => {
    expect(unmatchedTotals([entry('A', 100, true), entry('B', 40, false), entry('C', 5, true)])).toEqual({ openAmount: 105, unconfirmedAmount: 40 });
  });

  it('keeps deduplicating a resolved payment after 500 later resolutions, with bounded memory', () => {
    const inbox: { open: UnmatchedPayment[]; resolved: UnmatchedPayment[]; resolvedIds?: string[] } = { open: [], resolved: [] };
    for (let i = 0; i < 2_000; i++) rememberResolved(inbox, entry(`PAY-${i}`, 1, true), 500, 1_000);
    expect(inbox.resolved).toHaveLength(500);
    expect(inbox.resolvedIds).toHaveLength(1_000);
    // PAY-600 has only its id left, and is still recognised; PAY-0 is past both horizons.
    const notice = (paymentId: string) => ({ ...entry(paymentId, 1, false), resolution: undefined });
    expect(addUnmatched(inbox, [notice('PAY-600'), notice('PAY-1999')], 'now')).toEqual([]);
    expect(addUnmatched(inbox, [notice('PAY-0')], 'now').map((e) => e.paymentId)).toEqual(['PAY-0']);
  });
});

describe('the reconciliation high-water mark', () => {
  const now = Date.parse('2024-01-25T00:00:00Z');
  it('starts from the previous run\'s mark (less the overlap), however old it is', () => {
    expect(reconciliationStart({ previousMark: '2024-01-20T14:30:00.000Z', nowMs: now, lookbackMs: 86_400_000, overlapMs: 300_000 })).toEqual({
      mark: '2024-01-20T14:30:00.000Z',
      readSince: '2024-01-20T14:25:00.000Z',
    });
  });
  it('looks back only on the very first run, and an explicit since wins', () => {
    expect(reconciliationStart({ nowMs: now, lookbackMs: 86_400_000, overlapMs: 0 }).mark).toBe('2024-01-24T00:00:00.000Z');
    expect(reconciliationStart({ since: '2024-01-01T00:00:00.000Z', previousMark: '2024-01-20T00:00:00.000Z', nowMs: now, lookbackMs: 1, overlapMs: 300_000 })).toEqual({
      mark: '2024-01-01T00:00:00.000Z',
      readSince: '2024-01-01T00:00:00.000Z',
    });
  });
  it('reads the mark from the previous result only when it is one', () => {
    expect(previousHighWaterMark({ highWaterMark: '2024-01-20T14:30:00Z' })).toBe('2024-01-20T14:30:00Z');
    expect(previousHighWaterMark({ highWaterMark: 'soon' })).toBeUndefined();
    expect(previousHighWaterMark(undefined)).toBeUndefined();
  });
  it('moves to the newest payment read and never back', () => {
    const read = [{ payments: [payment('P1', 1, 'R'), { ...payment('P2', 1, 'R'), createdAt: '2024-01-21T09:00:00Z' }] }];
    expect(nextHighWaterMark('2024-01-20T00:00:00.000Z', read)).toBe('2024-01-21T09:00:00.000Z');
    expect(nextHighWaterMark('2024-01-22T00:00:00.000Z', read)).toBe('2024-01-22T00:00:00.000Z');
  });
});

describe('taking a payment notice (both payment flows)', () => {
  it('a duplicate webhook is counted once; its amount is attributed only when it names one payment', () => {
    const counted = new Set<string>(['PAY-OLD']);
    const announced = new Map<string, number | null>();
    expect(takeNotice({ source: 'webhook', paymentIds: ['PAY-1'], amount: 50_000 }, counted, announced).outcome).toBe('read');
    expect(takeNotice({ source: 'webhook', paymentIds: ['PAY-1'], amount: 50_000 }, counted, announced).outcome).toBe('duplicate');
    expect(takeNotice({ source: 'webhook', paymentIds: ['PAY-OLD'] }, counted, announced).outcome).toBe('duplicate');
    expect(takeNotice({ source: 'reconciliation', paymentIds: ['PAY-2', 'PAY-3'], amount: 9 }, counted, announced).outcome).toBe('read');
    expect([...announced]).toEqual([['PAY-1', 50_000], ['PAY-2', null], ['PAY-3', null]]);
    expect(takeNotice('not a notice', counted, announced)).toEqual({ outcome: 'ignored' });
  });
});
