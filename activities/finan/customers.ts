/**
 * Finan customer activities: one thin function per signed call to `/api/v1/customers`, errors mapped by the one
 * mapping. They speak our words (camelCase records); the customer flow decides what to call when.
 */
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import type { FinanClient } from '../../providers/finan/client';
import type { CustomerListItem, CustomerRequest, FinanCustomer } from '../../providers/finan/customer-schemas';
import { FinanConflictError, FinanNotFoundError } from '../../providers/finan/errors';
import type { CustomerRecord, CustomerSummary } from '../../workflows/customer/messages';
import { mapFinanErrors as mapErrors } from './failures';

/** Our record in Finan's words, for `POST` and `PUT` (the code travels in `general_info`). */
export function toFinanCustomer(customerCode: string, record: CustomerRecord): CustomerRequest {
  const { address } = record;
  return {
    general_info: {
      name: record.name,
      customer_code: customerCode,
      phone: record.phone,
      phone_code: record.phoneCode,
      ...(record.email !== undefined ? { email: record.email } : {}),
      type: record.type,
      ...(record.taxId !== undefined ? { tax_id: record.taxId } : {}),
      ...(record.contactPersons !== undefined
        ? { contact_persons: record.contactPersons.map((p) => ({ name: p.name, phone_number: p.phoneNumber, email: p.email })) }
        : {}),
      ...(record.customTag !== undefined ? { custom_tag: record.customTag } : {}),
    },
    ...(address !== undefined
      ? {
          address: {
            ...(address.country !== undefined ? { country: address.country } : {}),
            ...(address.province !== undefined ? { province: address.province } : {}),
            ...(address.district !== undefined ? { district: address.district } : {}),
            ...(address.ward !== undefined ? { ward: address.ward } : {}),
            ...(address.address !== undefined ? { address: address.address } : {}),
            ...(address.zipCode !== undefined ? { zip_code: address.zipCode } : {}),
          },
        }
      : {}),
    ...(record.bankAccounts !== undefined
      ? {
          bank_accounts: record.bankAccounts.map((a) => ({
            bank_code: a.bankCode,
            bank_name: a.bankName,
            account_holder_name: a.accountHolderName,
            account_number: a.accountNumber,
          })),
        }
      : {}),
  };
}

/** Finan's record in our words; what Finan holds none of is absent (its "" and null included). */
export function fromFinanCustomer(customer: FinanCustomer): CustomerRecord {
  const info = customer.general_info;
  const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  const address = customer.address
    ? defined({
        country: customer.address.country,
        province: customer.address.province,
        district: customer.address.district,
        ward: customer.address.ward,
        address: customer.address.address,
        zipCode: customer.address.zip_code,
      })
    : undefined;
  return defined({
    type: info.type,
    name: info.name ?? '',
    phone: info.phone ?? '',
    phoneCode: info.phone_code ?? '',
    email: info.email,
    taxId: info.tax_id,
    contactPersons: info.contact_persons.length > 0
      ? info.contact_persons.map((p) => ({ name: p.name ?? '', phoneNumber: p.phone_number ?? '', email: p.email ?? '' }))
      : undefined,
    customTag: info.custom_tag,
    address: address && Object.keys(address).length > 0 ? address : undefined,
    bankAccounts: customer.bank_accounts.length > 0
      ? customer.bank_accounts.map((a) => ({
          bankCode: a.bank_code ?? '',
          bankName: a.bank_name ?? '',
          accountHolderName: a.account_holder_name ?? '',
          accountNumber: a.account_number ?? '',
        }))
      : undefined,
  });
}

function summary(item: CustomerListItem): CustomerSummary {
  return {
    customerCode: item.general_info.customer_code,
    customerId: item.customer_id,
    name: item.general_info.name ?? null,
    type: item.general_info.type ?? null,
    createdAt: item.created_at ?? null,
  };
}

export interface CustomerKey {
  customerCode: string;
  customerId: string;
}

export interface FinanCustomerActivityDeps {
  finan: FinanClient;
}

export function createFinanCustomerActivities({ finan }: FinanCustomerActivityDeps) {
  /** Finan's id for a code (Finan keeps codes unique; should it ever list two, the oldest is the one). */
  async function idOf(customerCode: string, signal: AbortSignal): Promise<string | null> {
    const found = (await finan.findCustomersByCode(customerCode, { signal })).data;
    if (found.length > 1) log.warn('Finan lists several customers under one code; the oldest is used', { customerCode, count: found.length });
    const oldest = [...found].sort((a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? ''))[0];
    return oldest?.customer_id ?? null;
  }

  return {
    /** `GET /customers`, filtered by code: Finan's id, or null when it holds no such customer. */
    async findFinanCustomerByCode(customerCode: string): Promise<string | null> {
      const signal = cancellationSignal();
      return mapErrors(() => idOf(customerCode, signal));
    },

    /** `GET /customers/:id`: the whole record, or null when Finan no longer holds it under this code. */
    async getFinanCustomer(key: CustomerKey): Promise<CustomerRecord | null> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        try {
          const { data } = await finan.getCustomer(key.customerId, { signal });
          return data.general_info.customer_code === key.customerCode ? fromFinanCustomer(data) : null;
        } catch (err) {
          if (err instanceof FinanNotFoundError) return null;
          throw err;
        }
      });
    },

    /**
     * `POST /customers`, never twice for one code. The flow looked the code up just before the first attempt; a
     * retry (an earlier attempt's answer may have been lost after Finan created it) looks it up again first, and a
     * 409 "code already exists" is resolved the same way: the customer found is adopted.
     */
    async createFinanCustomer(input: { customerCode: string; record: CustomerRecord }): Promise<{ customerId: string; adopted: boolean }> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        if (activityInfo().attempt > 1) {
          const existing = await idOf(input.customerCode, signal);
          if (existing !== null) {
            log.info('Customer found at Finan before creating again; adopted', { customerCode: input.customerCode, customerId: existing, attempt: activityInfo().attempt });
            return { customerId: existing, adopted: true };
          }
        }
        try {
          const { data } = await finan.createCustomer(toFinanCustomer(input.customerCode, input.record), { signal });
          log.info('Customer created at Finan', { customerCode: input.customerCode, customerId: data.customer_id });
          return { customerId: data.customer_id, adopted: false };
        } catch (err) {
          if (!(err instanceof FinanConflictError)) throw err;
          const existing = await idOf(input.customerCode, signal);
          if (existing === null) throw err;
          log.info('Customer code already taken at Finan; adopted', { customerCode: input.customerCode, customerId: existing });
          return { customerId: existing, adopted: true };
        }
      });
    },

    /** `PUT /customers/:id` with the whole record: Finan clears every optional field it omits. */
    async replaceFinanCustomer(input: CustomerKey & { record: CustomerRecord }): Promise<void> {
      const signal = cancellationSignal();
      await mapErrors(() => finan.replaceCustomer(input.customerId, toFinanCustomer(input.customerCode, input.record), { signal }));
    },

    /** `DELETE /customers/:id`. A 404 on a retry means an earlier attempt deleted it (its answer was lost). */
    async deleteFinanCustomer(key: CustomerKey): Promise<{ alreadyGone: boolean }> {
      const signal = cancellationSignal();
      return mapErrors(async () => {
        try {
          await finan.deleteCustomer(key.customerId, { signal });
          return { alreadyGone: false };
        } catch (err) {
          if (err instanceof FinanNotFoundError && activityInfo().attempt > 1) return { alreadyGone: true };
          throw err;
        }
      });
    },

    /** `GET /customers`: every customer, short form. */
    async listFinanCustomers(): Promise<CustomerSummary[]> {
      const signal = cancellationSignal();
      return mapErrors(async () => (await finan.listCustomers({ signal })).data.map(summary));
    },
  };
}

export type FinanCustomerActivities = ReturnType<typeof createFinanCustomerActivities>;
