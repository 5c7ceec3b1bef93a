/**
 * The customer requests backends send (camelCase of Finan's fields), validated with errors that name the field and
 * the rule. A PUT body is the whole record; a PATCH body any part of it (`null` clears an optional field).
 */
import { z } from 'zod';
import { CUSTOMER_TYPES } from '../../workflows/customer/messages';
import { contactPersonsProblem } from '../../workflows/customer/rules';
import { ReferenceSchema, orRequired } from './common';

/** The path's `customerCode`: Finan's `customer_code`, and part of the flow's id. */
export const CustomerCodeSchema = ReferenceSchema;

const MAX_TEXT = 255;
const required = () => z.string(orRequired('must be a string')).trim().min(1, 'must not be empty').max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);
/** An optional text is absent or has content: `""` is refused, so that "no value" has one spelling. */
const optional = () => required().optional();
const email = () => z.email(orRequired('must be an email address')).max(MAX_TEXT, `must be at most ${MAX_TEXT} characters`);
const customerType = () => z.enum(CUSTOMER_TYPES, orRequired(`must be one of ${CUSTOMER_TYPES.join(', ')}`));

export const ContactPersonSchema = z.strictObject({ name: required(), phoneNumber: required(), email: email() });

export const AddressSchema = z.strictObject({
  country: optional(),
  province: optional(),
  district: optional(),
  ward: optional(),
  address: optional(),
  zipCode: optional(),
});

export const BankAccountSchema = z.strictObject({
  bankCode: required(),
  bankName: required(),
  accountHolderName: required(),
  accountNumber: z.string(orRequired('must be a string')).regex(/^[0-9A-Za-z]{4,34}$/, 'must be 4 to 34 letters or digits'),
});

const recordFields = {
  type: customerType(),
  name: required(),
  phone: required(),
  phoneCode: z.string(orRequired('must be a string')).regex(/^\+\d{1,4}$/, 'must be a country calling code such as +84'),
  email: email().optional(),
  taxId: optional(),
  contactPersons: z.array(ContactPersonSchema, orRequired('must be an array')).optional(),
  customTag: optional(),
  address: AddressSchema.optional(),
  bankAccounts: z.array(BankAccountSchema, orRequired('must be an array')).optional(),
};

/** `PUT /v1/customers/{customerCode}`: the whole record; what it omits is cleared at Finan. */
export const CustomerRecordSchema = z.strictObject(recordFields).superRefine((record, ctx) => {
  const problem = contactPersonsProblem(record);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.rule });
});

const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

/**
 * `PATCH /v1/customers/{customerCode}`: only the fields given change (JSON Merge Patch): `null` clears an optional
 * field, `address` merges field by field, lists are replaced whole. The required fields cannot be cleared.
 */
export const CustomerPatchSchema = z
  .strictObject({
    type: recordFields.type.optional(),
    name: recordFields.name.optional(),
    phone: recordFields.phone.optional(),
    phoneCode: recordFields.phoneCode.optional(),
    email: clearable(email()),
    taxId: clearable(required()),
    contactPersons: clearable(z.array(ContactPersonSchema, orRequired('must be an array'))),
    customTag: clearable(required()),
    address: clearable(
      z.strictObject({
        country: clearable(required()),
        province: clearable(required()),
        district: clearable(required()),
        ward: clearable(required()),
        address: clearable(required()),
        zipCode: clearable(required()),
      }),
    ),
    bankAccounts: clearable(z.array(BankAccountSchema, orRequired('must be an array'))),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), { error: 'must change at least one field' });

export type CustomerRecordBody = z.input<typeof CustomerRecordSchema>;
export type CustomerPatchBody = z.input<typeof CustomerPatchSchema>;
