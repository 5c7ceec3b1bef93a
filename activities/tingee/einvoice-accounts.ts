/**
 * Tingee e-invoice account activities: one thin function per save, over the Tingee client, errors mapped by the one
 * mapping (`failures.ts`). The password goes from the (encrypted) input to Tingee and nowhere else: never logged.
 */
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import type { TingeeClient } from '../../providers/tingee/client';
import { TingeeRefusedError } from '../../providers/tingee/errors';
import type { EinvoiceAccount as TingeeAccount } from '../../providers/tingee/schemas';
import type { EinvoiceAccount, SaveEinvoiceAccountActivityInput } from '../../workflows/einvoice-account/messages';
import { mapTingeeErrors } from './failures';

export interface TingeeEinvoiceAccountActivityDeps {
  tingee: TingeeClient;
}

function fromTingee(a: TingeeAccount): EinvoiceAccount {
  return {
    id: a.id,
    merchantId: a.merchantId ?? null,
    provider: a.provider,
    taxCode: a.taxCode,
    username: a.username,
    isDefault: a.isDefault,
    isActive: a.isActive,
  };
}

export function createTingeeEinvoiceAccountActivities({ tingee }: TingeeEinvoiceAccountActivityDeps) {
  return {
    /**
     * Creates or updates the account. Without Tingee's id, the account is first looked up by Tingee's duplicate key
     * (merchantId + provider + taxCode) and adopted: a create whose answer was lost (this attempt's predecessor, or a
     * run before) or an account made outside dongflow. Then one create-or-update carries the whole request. An update
     * by id that Tingee refuses while the key names another account, or none, is sent again by key.
     */
    async saveTingeeEinvoiceAccount(input: SaveEinvoiceAccountActivityInput): Promise<EinvoiceAccount> {
      const signal = cancellationSignal();
      const key = { provider: input.provider, taxCode: input.taxCode, merchantId: input.merchantId };
      const send = (id: number | undefined) =>
        tingee.createOrUpdateAccount(
          {
            ...(id === undefined ? {} : { id }),
            ...(input.merchantId === undefined ? {} : { merchantId: input.merchantId }),
            provider: input.provider,
            taxCode: input.taxCode,
            username: input.username,
            password: input.password,
            isDefault: input.isDefault,
            isActive: input.isActive,
          },
          { signal },
        );
      const saved = (id: number | undefined, account: TingeeAccount): EinvoiceAccount => {
        log.info(id === undefined ? 'E-invoice account created at Tingee' : 'E-invoice account updated at Tingee', { accountId: account.id, provider: input.provider });
        return fromTingee(account);
      };
      return mapTingeeErrors(async () => {
        if (input.accountId !== undefined) {
          try {
            return saved(input.accountId, await send(input.accountId));
          } catch (err) {
            if (!(err instanceof TingeeRefusedError)) throw err;
            // Refused by id: if the account is gone at Tingee (deleted in its portal), find or recreate it by key;
            // if Tingee still holds it under this id, the refusal is about the request itself.
            const found = await tingee.findAccount(key, { signal });
            if (found?.id === input.accountId) throw err;
            log.warn('E-invoice account no longer found at Tingee by its id; saving it by key', { accountId: input.accountId, foundId: found?.id, provider: input.provider });
            return saved(found?.id, await send(found?.id));
          }
        }
        const found = await tingee.findAccount(key, { signal });
        if (found) log.info('E-invoice account already exists at Tingee; adopted', { accountId: found.id, provider: input.provider, attempt: activityInfo().attempt });
        return saved(found?.id, await send(found?.id));
      });
    },
  };
}

export type TingeeEinvoiceAccountActivities = ReturnType<typeof createTingeeEinvoiceAccountActivities>;
