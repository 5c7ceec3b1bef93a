import { EINVOICE_PROVIDERS } from './accounts';
import type { AccountFilter, AccountWrite } from './accounts';
import { TingeeApiError, TingeeCode } from './envelope';

type Json = Record<string, unknown>;

function objectBody(body: unknown): Json {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TingeeApiError(TingeeCode.Validation, 'request body must be a JSON object');
  return body as Json;
}

function requiredText(body: Json, field: string, problems: string[]): string {
  const value = body[field];
  if (value === undefined || value === null || value === '') problems.push(`${field} is required`);
  else if (typeof value !== 'string') problems.push(`${field} must be a string`);
  return typeof value === 'string' ? value : '';
}

function optionalInteger(body: Json, field: string, problems: string[]): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) problems.push(`${field} must be a positive integer`);
  return typeof value === 'number' ? value : undefined;
}

function optionalBoolean(body: Json, field: string, problems: string[]): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') problems.push(`${field} must be true or false`);
  return typeof value === 'boolean' ? value : undefined;
}

function validProvider(value: string, problems: string[]): void {
  if (value !== '' && !(EINVOICE_PROVIDERS as readonly string[]).includes(value)) problems.push(`provider must be one of ${EINVOICE_PROVIDERS.join(', ')}`);
}

/** The page's body table: `provider`, `taxCode`, `username`, `password` required; every problem named at once. */
export function accountWriteOf(raw: unknown): AccountWrite {
  const body = objectBody(raw);
  const problems: string[] = [];
  const id = optionalInteger(body, 'id', problems);
  const merchantId = optionalInteger(body, 'merchantId', problems);
  const provider = requiredText(body, 'provider', problems);
  validProvider(provider, problems);
  const taxCode = requiredText(body, 'taxCode', problems);
  const username = requiredText(body, 'username', problems);
  const password = requiredText(body, 'password', problems);
  const isDefault = optionalBoolean(body, 'isDefault', problems);
  const isActive = optionalBoolean(body, 'isActive', problems);
  if (problems.length > 0) throw new TingeeApiError(TingeeCode.Validation, problems.join('; '));
  return { id, merchantId, provider, taxCode, username, password, isDefault, isActive };
}

export interface PageQuery {
  filter: AccountFilter;
  skipCount: number;
  maxResultCount: number;
}

/** `get-paging-account` (the sandbox's reading of a page the seed does not give): filters and a page of at most 100. */
export function pageQueryOf(raw: unknown): PageQuery {
  const body = objectBody(raw);
  const problems: string[] = [];
  const merchantId = optionalInteger(body, 'merchantId', problems);
  const provider = body.provider === undefined || body.provider === null ? undefined : requiredText(body, 'provider', problems);
  if (provider !== undefined) validProvider(provider, problems);
  const taxCode = body.taxCode === undefined || body.taxCode === null ? undefined : requiredText(body, 'taxCode', problems);
  const skip = body.skipCount ?? 0;
  const max = body.maxResultCount ?? 10;
  if (typeof skip !== 'number' || !Number.isInteger(skip) || skip < 0) problems.push('skipCount must be a whole number, 0 or more');
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 100) problems.push('maxResultCount must be a whole number from 1 to 100');
  if (problems.length > 0) throw new TingeeApiError(TingeeCode.Validation, problems.join('; '));
  return { filter: { merchantId, provider, taxCode }, skipCount: skip as number, maxResultCount: max as number };
}
