/**
 * Validation of a customer record (`POST` and `PUT /api/v1/customers`), per the customers page's field tables.
 *
 * Interpretations: `POST` answers 400 "Bad Request" for a malformed body or a missing required field, 422 "Unprocessable
 * Entity" for a well-typed value breaking a rule (a `type` other than personal or company); 400 wins when both apply.
 * `PUT`'s error table lists 422 and no 400, so every problem of a replacement is a 422. An empty string counts as
 * missing for a required field. `contact_persons` is required (non-empty) for `type: company`, each with name,
 * phone_number and email. Address and bank account fields are all optional strings (the tables mark none required).
 * Unknown fields are ignored, as a JSON decoder would. Problems are listed, joined by "; ".
 */
import type { AddressRecord, BankAccountRecord, ContactPersonRecord, CustomerRecord, CustomerType, GeneralInfoRecord } from './customers';
import { CUSTOMER_TYPES } from './customers';
import { FinanApiError } from './envelope';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const ADDRESS_FIELDS = ['country', 'province', 'district', 'ward', 'address', 'zip_code'] as const;
const BANK_ACCOUNT_FIELDS = ['bank_code', 'bank_name', 'account_holder_name', 'account_number'] as const;

class Problems {
  readonly malformed: string[] = [];
  readonly invalid: string[] = [];

  required(body: Json, field: string, label: string): string | undefined {
    const value = body[field];
    if (value === undefined || value === null || value === '') {
      this.malformed.push(`${label} is required`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.malformed.push(`${label} must be a string`);
      return undefined;
    }
    return value;
  }

  optional(body: Json, field: string, label: string): string | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') {
      this.malformed.push(`${label} must be a string`);
      return undefined;
    }
    return value;
  }

  object(body: Json, field: string, label: string): Json | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) this.malformed.push(`${label} must be an object`);
    return isObject(value) ? value : undefined;
  }

  list(body: Json, field: string, label: string): Json[] | undefined {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.malformed.push(`${label} must be an array`);
      return undefined;
    }
    const items: Json[] = [];
    value.forEach((item: unknown, i) => {
      if (isObject(item)) items.push(item);
      else this.malformed.push(`${label}[${i}] must be an object`);
    });
    return items;
  }

  /** Copies the optional string fields that were sent. */
  fields<K extends string>(body: Json, keys: readonly K[], label: string): Partial<Record<K, string>> {
    const out: Partial<Record<K, string>> = {};
    for (const key of keys) {
      const value = this.optional(body, key, `${label}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

function generalInfo(problems: Problems, body: Json): GeneralInfoRecord | undefined {
  const info = body.general_info;
  if (info === undefined || info === null) {
    problems.malformed.push('general_info is required');
    return undefined;
  }
  if (!isObject(info)) {
    problems.malformed.push('general_info must be an object');
    return undefined;
  }
  const label = (field: string) => `general_info.${field}`;
  const name = problems.required(info, 'name', label('name'));
  const code = problems.required(info, 'customer_code', label('customer_code'));
  const phone = problems.required(info, 'phone', label('phone'));
  const phoneCode = problems.required(info, 'phone_code', label('phone_code'));
  const type = problems.required(info, 'type', label('type'));
  if (type !== undefined && !(CUSTOMER_TYPES as readonly string[]).includes(type)) {
    problems.invalid.push(`general_info.type must be one of ${CUSTOMER_TYPES.join(', ')}`);
  }
  const contacts = problems.list(info, 'contact_persons', label('contact_persons'));
  const contactPersons: ContactPersonRecord[] = [];
  contacts?.forEach((contact, i) => {
    const at = `${label('contact_persons')}[${i}]`;
    const person = {
      name: problems.required(contact, 'name', `${at}.name`),
      phone_number: problems.required(contact, 'phone_number', `${at}.phone_number`),
      email: problems.required(contact, 'email', `${at}.email`),
    };
    if (person.name !== undefined && person.phone_number !== undefined && person.email !== undefined) contactPersons.push(person as ContactPersonRecord);
  });
  if (type === 'company' && (contacts === undefined || contacts.length === 0)) {
    problems.malformed.push('general_info.contact_persons is required for type company');
  }
  const optional = problems.fields(info, ['email', 'tax_id', 'custom_tag'] as const, 'general_info');
  if (name === undefined || code === undefined || phone === undefined || phoneCode === undefined || type === undefined) return undefined;
  return {
    name,
    customer_code: code,
    phone,
    phone_code: phoneCode,
    ...(optional.email !== undefined ? { email: optional.email } : {}),
    type: type as CustomerType,
    ...(optional.tax_id !== undefined ? { tax_id: optional.tax_id } : {}),
    ...(contacts !== undefined ? { contact_persons: contactPersons } : {}),
    ...(optional.custom_tag !== undefined ? { custom_tag: optional.custom_tag } : {}),
  };
}

/** The record to store, or a FinanApiError: 400 then 422 for a create; 422 for everything in a replacement. */
export function validateCustomerRecord(body: unknown, operation: 'create' | 'replace'): CustomerRecord {
  const malformedStatus = operation === 'create' ? 400 : 422;
  if (!isObject(body)) throw new FinanApiError(malformedStatus, 'request body must be a JSON object');
  const problems = new Problems();
  const info = generalInfo(problems, body);
  const address = problems.object(body, 'address', 'address');
  const addressRecord: AddressRecord | undefined = address ? problems.fields(address, ADDRESS_FIELDS, 'address') : undefined;
  const accounts = problems.list(body, 'bank_accounts', 'bank_accounts');
  const bankAccounts: BankAccountRecord[] | undefined = accounts?.map((account, i) => problems.fields(account, BANK_ACCOUNT_FIELDS, `bank_accounts[${i}]`));

  if (problems.malformed.length > 0) throw new FinanApiError(malformedStatus, problems.malformed.join('; '));
  if (problems.invalid.length > 0) throw new FinanApiError(422, problems.invalid.join('; '));
  return {
    general_info: info as GeneralInfoRecord,
    ...(addressRecord !== undefined ? { address: addressRecord } : {}),
    ...(bankAccounts !== undefined ? { bank_accounts: bankAccounts } : {}),
  };
}
