/**
 * The e-invoice account flow's messages: one flow per Tingee account (`einvoice-account-{provider}-{taxCode}`),
 * a `saveEinvoiceAccount` update per create-or-update, a `status` query. Plain types only: no zod in workflows.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FailureInfo } from '../common/failures';

/** The e-invoice providers Tingee's page lists (validated at the edge against `TINGEE_EINVOICE_PROVIDERS`). */
export type EinvoiceProvider = 'x-cyber' | 'hilo' | 's-invoice';

export const einvoiceAccountWorkflowId = (provider: string, taxCode: string): string => `einvoice-account-${provider}-${taxCode}`;
/** `DongflowReference` of the flow: never the username or the password. */
export const einvoiceAccountReference = (provider: string, taxCode: string): string => `${provider}-${taxCode}`;
export const EINVOICE_ACCOUNT_KIND = 'einvoice-account';

export interface EinvoiceAccountKey {
  provider: EinvoiceProvider;
  /** The company's tax code (mã số thuế). */
  taxCode: string;
}

/** Tingee's account, as Tingee last confirmed it: never the password. */
export interface EinvoiceAccount {
  /** Tingee's id: a later save updates this account instead of creating one. */
  id: number;
  merchantId: number | null;
  provider: string;
  taxCode: string;
  username: string;
  isDefault: boolean;
  isActive: boolean;
}

/** What a save sends: the whole account (defaults already applied by the client library). */
export interface SaveEinvoiceAccountRequest {
  username: string;
  /** Travels only inside encrypted payloads (the update's and the activity's input); never kept in the flow's state. */
  password: string;
  isDefault: boolean;
  isActive: boolean;
  /** Required by Tingee when connecting with a Master Merchant account. */
  merchantId?: number;
}

/** What the activity sends: the request, the account's key and Tingee's id once known. */
export interface SaveEinvoiceAccountActivityInput extends EinvoiceAccountKey, SaveEinvoiceAccountRequest {
  /** Undefined: look the account up (a create whose answer was lost, or made outside dongflow) before creating. */
  accountId?: number;
}

/**
 * - `new`: no save has finished yet;
 * - `saving`: a save is at Tingee;
 * - `saved`: the last save was confirmed by Tingee;
 * - `failed`: the last save failed (`lastFailure`); `account` is still what Tingee last confirmed, if anything.
 */
export type EinvoiceAccountStatus = 'new' | 'saving' | 'saved' | 'failed';

export interface EinvoiceAccountState extends EinvoiceAccountKey {
  workflowId: string;
  status: EinvoiceAccountStatus;
  account: EinvoiceAccount | null;
  lastFailure: FailureInfo | null;
  /** Saves confirmed by Tingee, over every run of the flow. */
  saves: number;
  updatedAt: string;
}

export interface EinvoiceAccountWorkflowInput extends EinvoiceAccountKey {
  /** What a continued-as-new run carries over (never a password). */
  carried?: Pick<EinvoiceAccountState, 'account' | 'saves'> & Partial<Pick<EinvoiceAccountState, 'status' | 'lastFailure'>>;
  /** Saves after which a run continues as new (default `SAVES_PER_RUN`); tests make it small. */
  savesPerRun?: number;
}

/** A save refused before anything was sent (e.g. another merchant's account): nothing changed. */
export const EINVOICE_ACCOUNT_CONFLICT_FAILURE = 'EinvoiceAccountConflict';

export const saveEinvoiceAccountUpdate = defineUpdate<EinvoiceAccount, [SaveEinvoiceAccountRequest]>('saveEinvoiceAccount');
export const einvoiceAccountStatusQuery = defineQuery<EinvoiceAccountState>('status');
