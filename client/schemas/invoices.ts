/** The invoice collections backends send (camelCase), validated with errors that name the field and the rule. */
import { z } from 'zod';
import { durationSeconds, finanText, orRequired, vnd } from './common';
import { checkAccount, paymentMethod, receivingAccountId } from './payment-requests';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Vietnam's offset: a date-only due date ends at midnight in Hà Nội, whatever the server's zone. */
const VIETNAM_OFFSET = '+07:00';

/** Whether `YYYY-MM-DD` at the start of the value names a day of the calendar (`Date.parse` takes 2999-02-30 as March 2). */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `2024-02-01` → overdue from 2024-02-02T00:00+07:00; an instant with an offset is taken as is; NaN for no such day. */
export function dueInstant(value: string): number {
  if (!isCalendarDate(value)) return Number.NaN;
  if (ISO_DATE.test(value)) return Date.parse(`${value}T00:00:00${VIETNAM_OFFSET}`) + 24 * 3600_000;
  return Date.parse(value);
}

export const InvoiceCollectionSchema = z
  .object({
    accountId: receivingAccountId.optional(),
    amount: vnd().positive('must be greater than 0'),
    dueDate: z
      .string(orRequired('must be a string'))
      // A well-shaped but impossible date (2024-13-45) is refused here too: it has no instant to be due at.
      .refine(
        (value) => (ISO_DATE.test(value) || z.iso.datetime({ offset: true }).safeParse(value).success) && Number.isFinite(dueInstant(value)),
        'must be a date (2024-02-01) or an ISO 8601 instant with an offset',
      )
      .refine((value) => !Number.isFinite(dueInstant(value)) || dueInstant(value) > Date.now(), 'must be in the future'),
    paymentMethod: paymentMethod.default('bank_transfer'),
    description: finanText().optional(),
    /** Lifetime of each payment request; overrides DONGFLOW_PAYMENT_TTL. */
    linkTtlSeconds: durationSeconds(24 * 3600).optional(),
  })
  .strict()
  .superRefine(checkAccount);

export type InvoiceCollectionBody = z.input<typeof InvoiceCollectionSchema>;
