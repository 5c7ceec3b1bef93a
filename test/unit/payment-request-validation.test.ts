import { ValidationError } from '../../client/errors';
import { InvoiceCollectionSchema, dueInstant } from '../../client/schemas/invoices';
import { PaymentRequestSchema } from '../../client/schemas/payment-requests';
import { parseOrThrow } from '../../client/schemas/common';
import { loadConfig } from '../../config/env';

const ACCOUNT = '54957437-0cb5-4992-ad0e-76d26ba4ddc3';
const page = {
  referenceId: 'DH970422',
  accountId: ACCOUNT,
  amount: 6_000_000,
  description: 'thanh toan don hang',
  items: [{ name: 'So Ban Hang Pro 3 Nam', price: 3_000_000, quantity: 2, amount: 6_000_000 }],
};

function problems(schema: Parameters<typeof parseOrThrow>[0], body: unknown) {
  try {
    parseOrThrow(schema, body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).problems;
  }
  throw new Error('accepted');
}

describe('a payment request at the edge', () => {
  it("accepts the page's example, bank_transfer by default", () => {
    expect(parseOrThrow(PaymentRequestSchema, page)).toMatchObject({ paymentMethod: 'bank_transfer', amount: 6_000_000 });
  });

  it('refuses an item whose amount is not price × quantity', () => {
    const body = { ...page, items: [{ name: 'x', price: 3_000_000, quantity: 2, amount: 5_000_000 }], amount: 5_000_000 };
    expect(problems(PaymentRequestSchema, body)).toContainEqual({ field: 'items.0.amount', rule: 'must equal price × quantity (6000000)' });
  });

  it('refuses items that do not add up to the amount', () => {
    expect(problems(PaymentRequestSchema, { ...page, amount: 6_000_001 })).toEqual([{ field: 'amount', rule: 'must equal the sum of items[].amount (6000000)' }]);
  });

  it('refuses a description over 30 characters, counting Vietnamese letters once each', () => {
    expect(problems(PaymentRequestSchema, { ...page, description: 'x'.repeat(31) })).toEqual([
      { field: 'description', rule: 'must be at most 30 characters (a Finan limit)' },
    ]);
    expect(parseOrThrow(PaymentRequestSchema, { ...page, description: 'đ'.repeat(30) }).description).toHaveLength(30);
  });

  it('needs the receiving account for a bank transfer, not for a card', () => {
    const { accountId: _omit, ...withoutAccount } = page;
    expect(problems(PaymentRequestSchema, withoutAccount)).toEqual([{ field: 'accountId', rule: 'is required for bank_transfer (the account the VietQR pays into)' }]);
    expect(parseOrThrow(PaymentRequestSchema, { ...withoutAccount, paymentMethod: 'card' }).paymentMethod).toBe('card');
  });

  it('names missing fields, unknown fields and bad TTLs', () => {
    expect(problems(PaymentRequestSchema, { referenceId: 'R1', accountId: ACCOUNT, ttl: 5 })).toEqual(
      expect.arrayContaining([{ field: 'amount', rule: 'is required' }, { field: '(body)', rule: 'unknown field(s): ttl' }]),
    );
    expect(problems(PaymentRequestSchema, { ...page, ttlSeconds: 0 })).toEqual([{ field: 'ttlSeconds', rule: 'must be at least 1 second' }]);
  });
});

describe('an invoice collection at the edge', () => {
  it('reads a date-only due date as the end of that day in Vietnam', () => {
    expect(new Date(dueInstant('2024-02-01')).toISOString()).toBe('2024-02-01T17:00:00.000Z');
    expect(dueInstant('2024-02-01T10:00:00+07:00')).toBe(Date.parse('2024-02-01T03:00:00Z'));
  });

  it('refuses a due date in the past or in another format', () => {
    expect(problems(InvoiceCollectionSchema, { accountId: ACCOUNT, amount: 100, dueDate: '2020-01-01' })).toEqual([{ field: 'dueDate', rule: 'must be in the future' }]);
    expect(problems(InvoiceCollectionSchema, { accountId: ACCOUNT, amount: 100, dueDate: '01/02/2099' })[0]?.rule).toMatch(/must be a date/);
    // Shaped like a date, but no such day: refused as a date, not a crash (found by test/fuzz).
    expect(problems(InvoiceCollectionSchema, { accountId: ACCOUNT, amount: 100, dueDate: '2999-13-45' })).toEqual([{ field: 'dueDate', rule: 'must be a date (2024-02-01) or an ISO 8601 instant with an offset' }]);
    // Days a month does not have, which Date.parse rolls over into the next month (found by test/fuzz).
    for (const dueDate of ['2999-02-30', '2999-04-31', '2999-02-29T10:00:00+07:00', '2100-02-29']) {
      expect(problems(InvoiceCollectionSchema, { accountId: ACCOUNT, amount: 100, dueDate })).toEqual([{ field: 'dueDate', rule: 'must be a date (2024-02-01) or an ISO 8601 instant with an offset' }]);
    }
    expect(InvoiceCollectionSchema.safeParse({ accountId: ACCOUNT, amount: 100, dueDate: '2096-02-29' }).success).toBe(true);
  });
});

describe('payment configuration', () => {
  it('defaults to 30-minute links, a 15-minute reconciliation and the secret key as webhook secret', () => {
    const config = loadConfig({});
    expect(config.payment).toEqual({ ttlMs: 30 * 60_000, reconcileEveryMs: 15 * 60_000 });
    expect(config.finan.webhookSecrets).toEqual(['sandbox-secret']);
  });

  it('reads two webhook secrets during a rotation, newest first', () => {
    expect(loadConfig({ FINAN_WEBHOOK_SECRETS: 'new-secret, old-secret', DONGFLOW_PAYMENT_TTL: '10 minutes' })).toMatchObject({
      finan: { webhookSecrets: ['new-secret', 'old-secret'] },
      payment: { ttlMs: 600_000 },
    });
  });

  it('verifies real Finan webhooks with FINAN_SECRET_KEY when FINAN_WEBHOOK_SECRETS is unset (the page uses one secretKey)', () => {
    expect(loadConfig({ FINAN_BASE_URL: 'https://api.finan.one/open', FINAN_CLIENT_ID: 'c', FINAN_SECRET_KEY: 's' }).finan.webhookSecrets).toEqual(['s']);
  });
});
