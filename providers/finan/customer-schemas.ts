/**
 * Zod schemas of Finan's customer API (`/api/v1/customers`), in Finan's own (snake_case) words. Requests are checked
 * strictly before sending (POST and PUT take the same whole record: PUT replaces, and what it omits is cleared);
 * responses tolerate fields Finan may add or leave out.
 */
import { z } from 'zod';
import { nonEmpty, orRequired, text } from './schemas';

export const CUSTOMER_TYPES = ['personal', 'company'] as const;
export const CustomerType = z.enum(CUSTOMER_TYPES, { error: orRequired(`must be one of ${CUSTOMER_TYPES.join(', ')}`) });
export type CustomerType = z.infer<typeof CustomerType>;

/** `contact_persons[]`: all three fields required. */
export const ContactPerson = z.strictObject({ name: nonEmpty(), phone_number: nonEmpty(), email: nonEmpty() });
export type ContactPerson = z.infer<typeof ContactPerson>;

export const CustomerGeneralInfo = z.strictObject({
  name: nonEmpty(),
  customer_code: nonEmpty(),
  phone: nonEmpty(),
  phone_code: nonEmpty(),
  email: text().optional(),
  type: CustomerType,
  tax_id: text().optional(),
  contact_persons: z.array(ContactPerson, { error: orRequired('must be an array') }).optional(),
  custom_tag: text().optional(),
});
export type CustomerGeneralInfo = z.infer<typeof CustomerGeneralInfo>;

export const CustomerAddress = z.strictObject({
  country: text().optional(),
  province: text().optional(),
  district: text().optional(),
  ward: text().optional(),
  address: text().optional(),
  zip_code: text().optional(),
});
export type CustomerAddress = z.infer<typeof CustomerAddress>;

/** The page's Go sample sends all four fields of a bank account (no `omitempty`). */
export const CustomerBankAccount = z.strictObject({
  bank_code: nonEmpty(),
  bank_name: text(),
  account_holder_name: text(),
  account_number: nonEmpty(),
});
export type CustomerBankAccount = z.infer<typeof CustomerBankAccount>;

/** `POST /api/v1/customers` and `PUT /api/v1/customers/:id` body: the whole record. */
export const CustomerRequest = z
  .strictObject({
    general_info: CustomerGeneralInfo,
    address: CustomerAddress.optional(),
    bank_accounts: z.array(CustomerBankAccount, { error: orRequired('must be an array') }).optional(),
  })
  .superRefine((req, ctx) => {
    if (req.general_info.type === 'company' && (req.general_info.contact_persons ?? []).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['general_info', 'contact_persons'], message: 'is required for type company' });
    }
  });
export type CustomerRequest = z.infer<typeof CustomerRequest>;

/** Absent, null and "" all mean "none" in Finan's answers: one spelling (undefined) above this layer. */
const answeredText = () =>
  z
    .string()
    .nullish()
    .transform((value) => (value === null || value === '' ? undefined : value));
const answeredList = <T extends z.ZodType>(item: T) =>
  z
    .array(item)
    .nullish()
    .transform((value) => value ?? []);

/** A customer as `GET /api/v1/customers/:id` answers it (the page shows no body: read as the create answer's shape). */
export const FinanCustomer = z.looseObject({
  customer_id: z.string().min(1),
  general_info: z.looseObject({
    name: answeredText(),
    customer_code: z.string().min(1),
    phone: answeredText(),
    phone_code: answeredText(),
    email: answeredText(),
    type: CustomerType,
    tax_id: answeredText(),
    contact_persons: answeredList(z.looseObject({ name: answeredText(), phone_number: answeredText(), email: answeredText() })),
    custom_tag: answeredText(),
  }),
  address: z
    .looseObject({
      country: answeredText(),
      province: answeredText(),
      district: answeredText(),
      ward: answeredText(),
      address: answeredText(),
      zip_code: answeredText(),
    })
    .nullish()
    .transform((value) => value ?? null),
  bank_accounts: answeredList(
    z.looseObject({ bank_code: answeredText(), bank_name: answeredText(), account_holder_name: answeredText(), account_number: answeredText() }),
  ),
  created_at: answeredText(),
  updated_at: answeredText(),
});
export type FinanCustomer = z.infer<typeof FinanCustomer>;

/** `data` of a create or a replace: only the id is relied on (the page's examples show a varying subset of the rest). */
export const CustomerWritten = z.looseObject({ customer_id: z.string().min(1) });
export type CustomerWritten = z.infer<typeof CustomerWritten>;

/** One item of `GET /api/v1/customers`: the page lists the id, name, code, type and creation time. */
export const CustomerListItem = z.looseObject({
  customer_id: z.string().min(1),
  general_info: z.looseObject({ name: answeredText(), customer_code: z.string().min(1), type: answeredText() }),
  created_at: answeredText(),
});
export type CustomerListItem = z.infer<typeof CustomerListItem>;

export const CustomerList = z.array(CustomerListItem);

/** `DELETE` answers `data: "success"`; nothing in it is relied on. */
export const CustomerDeleted = z.unknown();
