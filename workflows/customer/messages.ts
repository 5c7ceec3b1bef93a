/**
 * The customer flow's messages: its input, the record (camelCase of Finan's fields), the updates that serialize every
 * change of one `customer_code`, and their answers. What a client imports without pulling in workflow code.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

export const customerWorkflowId = (customerCode: string): string => `customer-${customerCode}`;
/** A one-off read of Finan's list; `customers-` never collides with a `customer-{code}` flow. */
export const customerListWorkflowId = (requestId: string): string => `customers-list-${requestId}`;

export const CUSTOMER_TYPES = ['personal', 'company'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

export interface ContactPerson {
  name: string;
  phoneNumber: string;
  email: string;
}

export interface CustomerAddress {
  country?: string;
  province?: string;
  district?: string;
  ward?: string;
  address?: string;
  zipCode?: string;
}

export interface BankAccount {
  bankCode: string;
  bankName: string;
  accountHolderName: string;
  accountNumber: string;
}

/** The whole record, as `PUT /v1/customers/{customerCode}` takes it and Finan's PUT replaces it. */
export interface CustomerRecord {
  type: CustomerType;
  name: string;
  phone: string;
  phoneCode: string;
  email?: string;
  taxId?: string;
  contactPersons?: ContactPerson[];
  customTag?: string;
  address?: CustomerAddress;
  bankAccounts?: BankAccount[];
}

/**
 * A change of some fields (JSON Merge Patch, RFC 7386): a field given replaces the one at Finan, `null` clears an
 * optional field, `address` merges field by field, lists (`contactPersons`, `bankAccounts`) are replaced whole.
 */
export interface CustomerPatch {
  type?: CustomerType;
  name?: string;
  phone?: string;
  phoneCode?: string;
  email?: string | null;
  taxId?: string | null;
  contactPersons?: ContactPerson[] | null;
  customTag?: string | null;
  address?: { [K in keyof CustomerAddress]?: string | null } | null;
  bankAccounts?: BankAccount[] | null;
}

/** A customer as the gateway answers it: every field present, `null` (or `[]`) for what Finan holds none of. */
export interface CustomerView {
  customerCode: string;
  /** Finan's id. */
  customerId: string;
  type: CustomerType;
  name: string;
  phone: string;
  phoneCode: string;
  email: string | null;
  taxId: string | null;
  contactPersons: ContactPerson[];
  customTag: string | null;
  address: { [K in keyof CustomerAddress]-?: string | null } | null;
  bankAccounts: BankAccount[];
}

export interface CustomerUpserted extends CustomerView {
  /** Finan held no customer with this code when the upsert began. */
  created: boolean;
}

export interface CustomerDeleted {
  customerCode: string;
  customerId: string;
  deleted: true;
}

/** One entry of Finan's list (the page's short form). */
export interface CustomerSummary {
  customerCode: string;
  customerId: string;
  name: string | null;
  type: string | null;
  createdAt: string | null;
}

export interface CustomerFlowInput {
  customerCode: string;
  /** How long the flow waits for another change before it ends. Default 2 minutes. */
  idleMs?: number;
  /** History events after which the flow continues as new, between operations. Default 2,000. */
  maxHistoryEvents?: number;
}

/** What the flow answers when it ends, and to the `status` query: ids and counts, never the customer's data. */
export interface CustomerFlowState {
  customerCode: string;
  /** Finan's id, once an operation has seen it. */
  customerId: string | null;
  /** Operations done by this run. */
  operations: number;
  /** Operations accepted and not yet done (they run one at a time, in order). */
  queued: number;
}

/** Failure types an operation ends with besides Finan's own (`FinanConflict`, `FinanUnavailable`, ...). */
export const CustomerFailureType = {
  /** Finan holds no customer with this code. */
  NotFound: 'CustomerNotFound',
  /** The record (after a merge) breaks a rule; the first detail lists `{ field, rule }`. */
  Invalid: 'CustomerInvalid',
} as const;

export const upsertCustomerUpdate = defineUpdate<CustomerUpserted, [CustomerRecord]>('upsertCustomer');
export const patchCustomerUpdate = defineUpdate<CustomerView, [CustomerPatch]>('patchCustomer');
export const deleteCustomerUpdate = defineUpdate<CustomerDeleted, []>('deleteCustomer');
/** A read in line with the changes: it sees every change accepted before it. */
export const getCustomerUpdate = defineUpdate<CustomerView, []>('getCustomer');
export const customerFlowStatusQuery = defineQuery<CustomerFlowState>('status');
