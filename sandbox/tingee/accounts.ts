import { createHash } from 'node:crypto';

/** The providers the page lists for `provider`. */
export const EINVOICE_PROVIDERS = ['x-cyber', 'hilo', 's-invoice'] as const;

/** The merchant the sandbox's client id belongs to: the page's example answers `merchantId: 10001` to a request without one. */
export const SANDBOX_TINGEE_MERCHANT_ID = 10001;

export interface StoredAccount {
  id: number;
  merchantId: number;
  provider: string;
  taxCode: string;
  username: string;
  isDefault: boolean;
  isActive: boolean;
  /** Tingee stores the password encrypted; the sandbox keeps only its hash, for tests to compare. */
  passwordSha256: string;
}

/** What Tingee answers: the account without anything about its password. */
export type AccountView = Omit<StoredAccount, 'passwordSha256'>;

export interface AccountWrite {
  id?: number;
  merchantId?: number;
  provider: string;
  taxCode: string;
  username: string;
  password: string;
  isDefault?: boolean;
  isActive?: boolean;
}

export type AccountWriteOutcome = { ok: true; account: AccountView } | { ok: false; reason: 'duplicate' | 'not_found' };

export interface AccountFilter {
  merchantId?: number;
  provider?: string;
  taxCode?: string;
}

const viewOf = ({ passwordSha256: _hidden, ...view }: StoredAccount): AccountView => view;

/** The e-invoice provider accounts Tingee holds, in memory. */
export class EinvoiceAccountBook {
  private accounts = new Map<number, StoredAccount>();
  private nextId = 1;

  /**
   * The page's rule: with `id`, update that account; without, create one, refused when merchantId + provider +
   * taxCode already has one. An update may not make a second account with another's key either.
   */
  createOrUpdate(write: AccountWrite): AccountWriteOutcome {
    const merchantId = write.merchantId ?? SANDBOX_TINGEE_MERCHANT_ID;
    const existing = write.id === undefined ? undefined : this.accounts.get(write.id);
    if (write.id !== undefined && (!existing || existing.merchantId !== merchantId)) return { ok: false, reason: 'not_found' };
    const clash = [...this.accounts.values()].find(
      (a) => a.merchantId === merchantId && a.provider === write.provider && a.taxCode === write.taxCode && a.id !== write.id,
    );
    if (clash) return { ok: false, reason: 'duplicate' };
    const account: StoredAccount = {
      id: existing?.id ?? this.nextId++,
      merchantId,
      provider: write.provider,
      taxCode: write.taxCode,
      username: write.username,
      // The page's defaults apply to what the request leaves out.
      isDefault: write.isDefault ?? false,
      isActive: write.isActive ?? true,
      passwordSha256: createHash('sha256').update(write.password, 'utf8').digest('hex'),
    };
    this.accounts.set(account.id, account);
    return { ok: true, account: viewOf(account) };
  }

  page(filter: AccountFilter, skipCount: number, maxResultCount: number): { items: AccountView[]; totalCount: number } {
    const matching = this.list()
      .filter((a) => a.merchantId === (filter.merchantId ?? SANDBOX_TINGEE_MERCHANT_ID))
      .filter((a) => (filter.provider === undefined || a.provider === filter.provider) && (filter.taxCode === undefined || a.taxCode === filter.taxCode));
    return { items: matching.slice(skipCount, skipCount + maxResultCount).map(viewOf), totalCount: matching.length };
  }

  /** Every account, oldest first, with its password's hash (the test control's view). */
  list(): StoredAccount[] {
    return [...this.accounts.values()].sort((a, b) => a.id - b.id).map((a) => ({ ...a }));
  }

  clear(): void {
    this.accounts.clear();
    this.nextId = 1;
  }
}
