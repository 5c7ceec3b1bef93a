/**
 * The customer flow's rules, pure: what a valid record is, how a PATCH merges into Finan's record, and the view the
 * gateway answers. Used by the workflow (after reading Finan) and by the client's request schemas alike.
 */
import type { CustomerAddress, CustomerPatch, CustomerRecord, CustomerView } from './messages';
import { CUSTOMER_TYPES } from './messages';

export const CUSTOMER_DEFAULTS = {
  /** The flow ends after this long without a change (the next one starts a new run). */
  idleMs: 2 * 60_000,
  /** Continue-as-new past this many history events (a long burst of changes of one code). */
  maxHistoryEvents: 2_000,
} as const;

export interface CustomerProblem {
  field: string;
  rule: string;
}

const ADDRESS_FIELDS = ['country', 'province', 'district', 'ward', 'address', 'zipCode'] as const;

const blank = (value: unknown): boolean => typeof value !== 'string' || value.trim() === '';

/** Finan's rule the field tables state: `contactPersons` required (non-empty) for a company. */
export function contactPersonsProblem(record: Pick<CustomerRecord, 'type' | 'contactPersons'>): CustomerProblem | null {
  if (record.type === 'company' && (record.contactPersons ?? []).length === 0) return { field: 'contactPersons', rule: 'is required for type company' };
  return null;
}

/**
 * What Finan would refuse in a whole record: its required fields and the company rule. The gateway checks shapes
 * with zod; this is what holds for a record merged from Finan's answer and a patch as well.
 */
export function customerProblems(record: CustomerRecord): CustomerProblem[] {
  const problems: CustomerProblem[] = [];
  if (!(CUSTOMER_TYPES as readonly string[]).includes(record.type)) problems.push({ field: 'type', rule: `must be one of ${CUSTOMER_TYPES.join(', ')}` });
  for (const field of ['name', 'phone', 'phoneCode'] as const) {
    if (blank(record[field])) problems.push({ field, rule: 'is required' });
  }
  (record.contactPersons ?? []).forEach((person, i) => {
    for (const field of ['name', 'phoneNumber', 'email'] as const) {
      if (blank(person[field])) problems.push({ field: `contactPersons.${i}.${field}`, rule: 'is required' });
    }
  });
  const company = contactPersonsProblem(record);
  if (company) problems.push(company);
  return problems;
}

/**
 * A PATCH merged into the record Finan holds, as JSON Merge Patch (RFC 7386) does it: a field given replaces, `null`
 * removes an optional field, `address` merges field by field (an address left empty is no address), lists are
 * replaced whole. Every field not given is kept: the whole record goes back to Finan, whose PUT clears what it omits.
 */
export function mergeCustomerPatch(current: CustomerRecord, patch: CustomerPatch): CustomerRecord {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch) as [keyof CustomerPatch, unknown][]) {
    if (value === undefined) continue;
    if (key === 'address') {
      const address = mergeAddress(current.address, value);
      if (address === undefined) delete merged.address;
      else merged.address = address;
    } else if (value === null) {
      delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  return merged as unknown as CustomerRecord;
}

function mergeAddress(current: CustomerAddress | undefined, patch: CustomerPatch['address']): CustomerAddress | undefined {
  if (patch === null || patch === undefined) return patch === null ? undefined : current;
  const merged: CustomerAddress = { ...current };
  for (const field of ADDRESS_FIELDS) {
    const value = patch[field];
    if (value === null) delete merged[field];
    else if (value !== undefined) merged[field] = value;
  }
  return Object.keys(merged).length === 0 ? undefined : merged;
}

/** Whether a patch changes anything at all (an empty one is refused: it is most likely a mistake). */
export function isEmptyPatch(patch: CustomerPatch): boolean {
  return Object.values(patch).every((value) => value === undefined);
}

/** The answer's shape: every field present, `null` or `[]` for what the record holds none of. */
export function customerView(customerCode: string, customerId: string, record: CustomerRecord): CustomerView {
  const address = record.address;
  return {
    customerCode,
    customerId,
    type: record.type,
    name: record.name,
    phone: record.phone,
    phoneCode: record.phoneCode,
    email: record.email ?? null,
    taxId: record.taxId ?? null,
    contactPersons: record.contactPersons ?? [],
    customTag: record.customTag ?? null,
    address: address
      ? {
          country: address.country ?? null,
          province: address.province ?? null,
          district: address.district ?? null,
          ward: address.ward ?? null,
          address: address.address ?? null,
          zipCode: address.zipCode ?? null,
        }
      : null,
    bankAccounts: record.bankAccounts ?? [],
  };
}
