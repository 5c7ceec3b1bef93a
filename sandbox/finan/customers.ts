/**
 * Finan customers, emulated in memory (https://api.finan.one/open/api/v1/customers), per the customers page:
 * `customer_code` unique per account (409 "Customer code already exists"); `PUT` replaces the whole record, so every
 * optional field it omits is cleared; `DELETE` answers 409 while the customer has an unpaid invoice (marked by the
 * test control `POST /_sandbox/finan/customers/{id}/unpaid-invoice`, as no invoice API is emulated).
 */
import { randomUUID } from 'node:crypto';
import { FinanApiError } from './envelope';

export const CUSTOMER_TYPES = ['personal', 'company'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export interface ContactPersonRecord {
  name: string;
  phone_number: string;
  email: string;
}

export interface GeneralInfoRecord {
  name: string;
  customer_code: string;
  phone: string;
  phone_code: string;
  email?: string;
  type: CustomerType;
  tax_id?: string;
  contact_persons?: ContactPersonRecord[];
  custom_tag?: string;
}

export type AddressRecord = Partial<Record<'country' | 'province' | 'district' | 'ward' | 'address' | 'zip_code', string>>;
export type BankAccountRecord = Partial<Record<'bank_code' | 'bank_name' | 'account_holder_name' | 'account_number', string>>;

/** The whole record, as `POST` creates it and `PUT` replaces it: only what was sent. */
export interface CustomerRecord {
  general_info: GeneralInfoRecord;
  address?: AddressRecord;
  bank_accounts?: BankAccountRecord[];
}

/** A customer as `GET /customers/:id` shows it: the record as last sent, its id and times. */
export interface CustomerView extends CustomerRecord {
  customer_id: string;
  created_at: string;
  updated_at: string;
}

/** The list's short form (the page's list example). */
export interface CustomerListItem {
  customer_id: string;
  general_info: { name: string; customer_code: string; type: CustomerType };
  created_at: string;
}

interface Customer {
  id: string;
  clientId: string;
  record: CustomerRecord;
  created_at: string;
  updated_at: string;
  unpaidInvoice: boolean;
  sequence: number;
}

// Finan's example timestamps carry whole seconds: "2024-01-20T14:00:00Z".
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export const CUSTOMER_CODE_TAKEN = 'Customer code already exists';
export const CUSTOMER_HAS_UNPAID_INVOICE = 'Customer has unpaid invoices';

export class CustomerBook {
  private customers = new Map<string, Customer>();
  private sequence = 0;

  create(clientId: string, record: CustomerRecord): CustomerView {
    if (this.byCode(clientId, record.general_info.customer_code)) throw new FinanApiError(409, CUSTOMER_CODE_TAKEN);
    const now = isoSeconds(new Date());
    const customer: Customer = {
      id: randomUUID(),
      clientId,
      record: structuredClone(record),
      created_at: now,
      updated_at: now,
      unpaidInvoice: false,
      sequence: this.sequence++,
    };
    this.customers.set(customer.id, customer);
    return view(customer);
  }

  /** All of a client's customers, newest first, in the list's short form (no filter or pagination is published). */
  list(clientId: string): CustomerListItem[] {
    return this.all(clientId).map((customer) => ({
      customer_id: customer.id,
      general_info: {
        name: customer.record.general_info.name,
        customer_code: customer.record.general_info.customer_code,
        type: customer.record.general_info.type,
      },
      created_at: customer.created_at,
    }));
  }

  get(clientId: string, id: string): CustomerView {
    return view(this.find(clientId, id));
  }

  /** Full replacement: the record becomes exactly what was sent; what it omits is gone. */
  replace(clientId: string, id: string, record: CustomerRecord): CustomerView {
    const customer = this.find(clientId, id);
    const holder = this.byCode(clientId, record.general_info.customer_code);
    if (holder && holder.id !== id) throw new FinanApiError(422, CUSTOMER_CODE_TAKEN);
    customer.record = structuredClone(record);
    customer.updated_at = isoSeconds(new Date());
    return view(customer);
  }

  delete(clientId: string, id: string): void {
    const customer = this.find(clientId, id);
    if (customer.unpaidInvoice) throw new FinanApiError(409, CUSTOMER_HAS_UNPAID_INVOICE);
    this.customers.delete(id);
  }

  /** 404 for an unknown id or another client's customer. */
  find(clientId: string, id: string): Customer {
    const customer = this.customers.get(id);
    if (!customer || customer.clientId !== clientId) throw new FinanApiError(404, 'Customer not found');
    return customer;
  }

  /** Test control: an invoice of this customer is unpaid (true) or settled (false). Undefined for an unknown id. */
  setUnpaidInvoice(id: string, unpaid: boolean): { customerId: string; unpaidInvoice: boolean } | undefined {
    const customer = this.customers.get(id);
    if (!customer) return undefined;
    customer.unpaidInvoice = unpaid;
    return { customerId: id, unpaidInvoice: unpaid };
  }

  /** Test control: every stored customer of every client, as GET shows it, with its unpaid-invoice mark. */
  inspect(): Array<CustomerView & { unpaid_invoice: boolean }> {
    return [...this.customers.values()].sort((a, b) => b.sequence - a.sequence).map((c) => ({ ...view(c), unpaid_invoice: c.unpaidInvoice }));
  }

  clear(): void {
    this.customers.clear();
  }

  private all(clientId: string): Customer[] {
    return [...this.customers.values()].filter((c) => c.clientId === clientId).sort((a, b) => b.sequence - a.sequence);
  }

  private byCode(clientId: string, code: string): Customer | undefined {
    return this.all(clientId).find((c) => c.record.general_info.customer_code === code);
  }
}

function view(customer: Customer): CustomerView {
  return { customer_id: customer.id, ...structuredClone(customer.record), created_at: customer.created_at, updated_at: customer.updated_at };
}
