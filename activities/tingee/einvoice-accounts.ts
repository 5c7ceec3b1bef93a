/**
 * Tingee e-invoice account activities: one thin function per save, over the Tingee client, errors mapped by the one
 * mapping (`failures.ts`). The password goes from the (encrypted) input to Tingee and nowhere else: never logged.
 */
import { activityInfo, cancellationSignal, log } from '@temporalio/activity';
import type { TingeeClient } from '../../providers/tingee/client';
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
     * run before) or an account made outside dongflow. Then one create-or-update carries the whole request.
     */
    async saveTingeeEinvoiceAccount(input: SaveEinvoiceAccountActivityInput): Promise<EinvoiceAccount> {
      const signal = cancellationSignal();
      return mapTingeeErrors(async () => {
        let id = input.accountId;
        if (id === undefined) {
          const found = await tingee.findAccount({ provider: input.provider, taxCode: input.taxCode, merchantId: input.merchantId }, { signal });
          if (found) {
            log.info('E-invoice account already exists at Tingee; adopted', { accountId: found.id, provider: input.provider, attempt: activityInfo().attempt });
            id = found.id;
          }
        }
        const saved = await tingee.createOrUpdateAccount(
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
        log.info(id === undefined ? 'E-invoice account created at Tingee' : 'E-invoice account updated at Tingee', { accountId: saved.id, provider: input.provider });
        return fromTingee(saved);
      });
    },
  };
}

export type TingeeEinvoiceAccountActivities = ReturnType<typeof createTingeeEinvoiceAccountActivities>;
