/** SePay's company API, with the access token the credentials flow hands in; SePay's snake_case mapped both ways. */
import { cancellationSignal } from '@temporalio/activity';
import type { SepayClient } from '../../providers/sepay/client';
import type { PaymentCodeFormat } from '../../providers/sepay/rules';
import type { Company, CompanyConfigurations } from '../../providers/sepay/schemas';
import type { SepayCompany, SepayCompanyConfigurations } from '../../workflows/sepay/messages';
import { mapSepayErrors } from './failures';

export function toConfigurations(c: CompanyConfigurations): SepayCompanyConfigurations {
  return {
    bankSubAccount: c.bank_sub_account,
    paycode: c.paycode,
    dataStorageTime: c.data_storage_time,
    paymentCodeFormats: c.payment_code_formats.map((f) => ({
      prefix: f.prefix,
      suffixFrom: f.suffix_from,
      suffixTo: f.suffix_to,
      characterType: f.character_type,
      isActive: f.is_active,
    })),
  };
}

export function toCompany(c: Company): SepayCompany {
  return {
    id: c.id,
    fullName: c.full_name,
    shortName: c.short_name,
    role: c.role,
    status: c.status,
    subscription: c.subscription,
    beginDate: c.begin_date,
    endDate: c.end_date,
    configurations: toConfigurations(c.configurations),
  };
}

export function createSepayCompanyActivities(deps: { sepay: SepayClient }) {
  return {
    async getSepayCompany(input: { accessToken: string }): Promise<SepayCompany> {
      return toCompany(await mapSepayErrors(() => deps.sepay.getCompany(input.accessToken, { signal: cancellationSignal() })));
    },

    async updateSepayPaymentCodeFormats(input: { accessToken: string; formats: PaymentCodeFormat[] }): Promise<SepayCompanyConfigurations> {
      return toConfigurations(await mapSepayErrors(() => deps.sepay.updatePaymentCodeFormats(input.accessToken, input.formats, { signal: cancellationSignal() })));
    },
  };
}

export type SepayCompanyActivities = ReturnType<typeof createSepayCompanyActivities>;
