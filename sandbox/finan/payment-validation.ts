/**
 * Validation of `POST /api/v1/payments`, per the page's request table and error table.
 *
 * Interpretations: the page answers 400 "Nội dung request không hợp lệ hoặc thiếu trường bắt buộc" (malformed body
 * or missing required field) and 422 "Xác thực dữ liệu thất bại" (data validation failed). So a missing field, a
 * wrong JSON type or a malformed UUID is a 400; a well-typed value breaking a rule (unknown payment_method,
 * non-positive amount, description over 30 characters, item amount ≠ price × quantity, Σ items ≠ amount, a redirect
 * URL that is not http(s)) is a 422. Messages follow the page's example ("amount is required"); all problems of the
 * winning class are listed, joined by "; ". Unknown fields are ignored, as a JSON decoder would.
 * - merchant, items and customer are optional for every request (none is marked required); `items: []` counts as
 *   none (the Go sample's `omitempty` never sends it), so Σ items is only checked for a non-empty list.
 * - account_id ("required for Shinhan bank_transfer") is required for every bank_transfer: the QR needs an account.
 * - An empty string counts as missing for a required string.
 */
import { FinanApiError } from './envelope';
import type { NewPaymentRequest, Party, PaymentItem, PaymentMethod } from './payments';
import { PAYMENT_METHODS } from './payments';

const DESCRIPTION_MAX_CHARACTERS = 30;
/** VietQR's amount field holds at most 13 digits. */
const AMOUNT_MAX = 9_999_999_999_999;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

class Problems {
  readonly malformed: string[] = [];
  readonly invalid: string[] = [];

  string(body: Json, field: string, label = field, required = false): string | undefined {
    const value = body[field];
    if (value === undefined || value === null || (required && value === '')) {
      if (required) this.malformed.push(`${label} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.malformed.push(`${label} must be a string`);
      return undefined;
    }
    return value;
  }

  integer(body: Json, field: string, label = field): number | undefined {
    const value = body[field];
    if (value === undefined || value === null) {
      this.malformed.push(`${label} is required`);
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      this.malformed.push(`${label} must be an integer`);
      return undefined;
    }
    return value;
  }

  party(body: Json, field: 'merchant' | 'customer'): Party | null {
    const value = body[field];
    if (value === undefined || value === null) return null;
    if (!isObject(value)) {
      this.malformed.push(`${field} must be an object`);
      return null;
    }
    const party: Party = {};
    for (const key of ['name', 'phone', 'address', 'email'] as const) {
      // customer.name is the one nested field the page marks required.
      const text = this.string(value, key, `${field}.${key}`, field === 'customer' && key === 'name');
      if (text !== undefined) party[key] = text;
    }
    return party;
  }

  items(body: Json): PaymentItem[] | null {
    const value = body.items;
    if (value === undefined || value === null) return null;
    if (!Array.isArray(value)) {
      this.malformed.push('items must be an array');
      return null;
    }
    const items: PaymentItem[] = [];
    value.forEach((entry: unknown, i) => {
      const label = `items[${i}]`;
      if (!isObject(entry)) {
        this.malformed.push(`${label} must be an object`);
        return;
      }
      const name = this.string(entry, 'name', `${label}.name`, true);
      const price = this.integer(entry, 'price', `${label}.price`);
      const quantity = this.integer(entry, 'quantity', `${label}.quantity`);
      const amount = this.integer(entry, 'amount', `${label}.amount`);
      if (name === undefined || price === undefined || quantity === undefined || amount === undefined) return;
      if (price < 0) this.invalid.push(`${label}.price must not be negative`);
      if (quantity <= 0) this.invalid.push(`${label}.quantity must be positive`);
      if (amount !== price * quantity) this.invalid.push(`${label}.amount must equal price * quantity`);
      items.push({ name, price, quantity, amount });
    });
    return items;
  }

  url(body: Json, field: string): string | null {
    const value = this.string(body, field);
    if (value === undefined) return null;
    let protocol = '';
    try {
      protocol = new URL(value).protocol;
    } catch {
      // not a URL: reported below
    }
    if (protocol !== 'http:' && protocol !== 'https:') this.invalid.push(`${field} must be an http(s) URL`);
    return value;
  }
}

/** The validated request, or a FinanApiError with the page's status (400 before 422). */
export function validatePaymentRequest(body: unknown): NewPaymentRequest {
  if (!isObject(body)) throw new FinanApiError(400, 'request body must be a JSON object');
  const problems = new Problems();

  const method = problems.string(body, 'payment_method', 'payment_method', true);
  if (method !== undefined && !(PAYMENT_METHODS as readonly string[]).includes(method)) {
    problems.invalid.push(`payment_method must be one of ${PAYMENT_METHODS.join(', ')}`);
  }
  const amount = problems.integer(body, 'amount');
  if (amount !== undefined && amount <= 0) problems.invalid.push('amount must be positive');
  if (amount !== undefined && amount > AMOUNT_MAX) problems.invalid.push(`amount must be at most ${AMOUNT_MAX}`);
  const referenceId = problems.string(body, 'reference_id', 'reference_id', true);
  const referenceType = problems.string(body, 'reference_type');

  // "" is no account, as for the other optional strings the Go sample sends with omitempty.
  const accountId = problems.string(body, 'account_id') || undefined;
  const noAccount = body.account_id === undefined || body.account_id === null || body.account_id === '';
  if (method === 'bank_transfer' && noAccount) {
    problems.malformed.push('account_id is required for bank_transfer');
  } else if (accountId !== undefined && !UUID.test(accountId)) {
    problems.malformed.push('account_id must be a UUID');
  }

  const description = problems.string(body, 'description');
  if (description !== undefined && [...description].length > DESCRIPTION_MAX_CHARACTERS) {
    problems.invalid.push(`description must be at most ${DESCRIPTION_MAX_CHARACTERS} characters`);
  }

  const merchant = problems.party(body, 'merchant');
  const customer = problems.party(body, 'customer');
  const items = problems.items(body);
  if (items !== null && items.length > 0 && amount !== undefined && problems.malformed.length === 0) {
    const total = items.reduce((sum, item) => sum + item.amount, 0);
    if (total !== amount) problems.invalid.push('amount must equal the sum of items[].amount');
  }
  const successUrl = problems.url(body, 'success_redirect_url');
  const failureUrl = problems.url(body, 'failure_redirect_url');

  if (problems.malformed.length > 0) throw new FinanApiError(400, problems.malformed.join('; '));
  if (problems.invalid.length > 0) throw new FinanApiError(422, problems.invalid.join('; '));
  return {
    merchant,
    items,
    customer,
    payment_method: method as PaymentMethod,
    account_id: accountId ?? null,
    amount: amount as number,
    description: description ?? null,
    reference_id: referenceId as string,
    reference_type: referenceType ?? null,
    success_redirect_url: successUrl,
    failure_redirect_url: failureUrl,
  };
}
