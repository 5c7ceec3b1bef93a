/**
 * The chaos run's settings traffic: Finan customer upserts (some sent twice at once, some then PATCHed), Tingee
 * e-invoice account saves (some twice at once) and SePay company calls after one consent, each along a seeded path,
 * retried through kills like the money flows. Judged on what Finan, Tingee and SePay (the sandbox) hold.
 */
import { createHash } from 'node:crypto';
import type { Violation } from './checks';
import type { Driver } from './flows';
import { gateway } from './flows';
import type { Prng } from './prng';

export interface CustomerRecord {
  code: string;
  plan: 'put' | 'twice' | 'put-patch';
  /** The address of the last PUT, and the email of the PATCH (or of the PUT). */
  address: string;
  email: string;
  problems: string[];
}

export interface EinvoiceAccountRecord {
  provider: string;
  taxCode: string;
  plan: 'once' | 'twice';
  /** The last password sent (a concurrent pair is followed by one more save, so "last" is known). */
  lastPassword: string;
  passwords: string[];
  problems: string[];
}

export interface SepayCallRecord {
  plan: 'company' | 'formats';
  problems: string[];
}

const ok = (status: number) => status >= 200 && status < 300;

function customerBody(code: string, rng: Prng, address: string, customTag: string) {
  return {
    type: 'personal',
    name: `Khách hàng ${code}`,
    phone: `09${rng.int(10_000_000, 99_999_999)}`,
    phoneCode: '+84',
    email: `${code.toLowerCase()}@example.com`,
    customTag,
    address: { country: 'Vietnam', province: 'Ho Chi Minh', district: 'District 1', ward: 'Ben Thanh Ward', address, zipCode: '100000' },
  };
}

export async function customerFlow(driver: Driver, rng: Prng, code: string): Promise<CustomerRecord> {
  const plan = rng.pick(['put', 'twice', 'twice', 'put-patch', 'put-patch'] as const);
  const address = `${rng.int(1, 999)} Le Loi Street`;
  const body = customerBody(code, rng, address, 'Gold');
  const record: CustomerRecord = { code, plan, address, email: body.email, problems: [] };
  const path = `/v1/customers/${code}`;
  const answers = plan === 'twice' ? await Promise.all([gateway(driver, 'PUT', path, body), gateway(driver, 'PUT', path, { ...body, customTag: 'Silver' })]) : [await gateway(driver, 'PUT', path, body)];
  for (const answer of answers) if (!ok(answer.status)) record.problems.push(`PUT answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  if (plan === 'put-patch') {
    record.email = `patched-${code.toLowerCase()}@example.com`;
    const patched = await gateway(driver, 'PATCH', path, { email: record.email });
    if (!ok(patched.status)) record.problems.push(`PATCH answered ${patched.status}: ${JSON.stringify(patched.body).slice(0, 200)}`);
  }
  return record;
}

const EINVOICE_PROVIDERS = ['x-cyber', 'hilo', 's-invoice'];

export async function einvoiceAccountFlow(driver: Driver, rng: Prng, taxCode: string): Promise<EinvoiceAccountRecord> {
  const provider = rng.pick(EINVOICE_PROVIDERS);
  const plan = rng.pick(['once', 'twice'] as const);
  const password = () => `chaos-pw-${rng.int(100_000_000, 999_999_999)}-${rng.int(100_000_000, 999_999_999)}`;
  const record: EinvoiceAccountRecord = { provider, taxCode, plan, lastPassword: '', passwords: [], problems: [] };
  const path = `/v1/tingee/einvoice-accounts/${provider}/${taxCode}`;
  const save = async (pw: string) => {
    record.passwords.push(pw);
    const answer = await gateway(driver, 'PUT', path, { username: `admin@${taxCode}.vn`, password: pw, isDefault: true });
    if (!ok(answer.status)) record.problems.push(`PUT answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  };
  if (plan === 'twice') await Promise.all([save(password()), save(password())]);
  record.lastPassword = password();
  await save(record.lastPassword);
  return record;
}

/** Consent once, as the consenting person's browser would: the authorize URL, SePay's redirect, our callback. Returns the authorization code. */
export async function sepayConsent(driver: Driver): Promise<string> {
  const authorize = await gateway(driver, 'GET', '/v1/sepay/authorize');
  const url = String((authorize.body as { url?: string }).url);
  const consent = await fetch(url, { redirect: 'manual' });
  const callback = consent.headers.get('location');
  if (consent.status !== 302 || !callback) throw new Error(`SePay's consent page answered ${consent.status}`);
  const code = new URL(callback).searchParams.get('code');
  if (!code) throw new Error(`SePay redirected without a code: ${callback}`);
  const back = await gateway(driver, 'GET', `${new URL(callback).pathname}${new URL(callback).search}`);
  if (!ok(back.status)) throw new Error(`the callback answered ${back.status}: ${JSON.stringify(back.body).slice(0, 200)}`);
  return code;
}

const PREFIXES = ['DH', 'HD', 'TT', 'CK', 'MA', 'PAY', 'ORD'];

export async function sepayCall(driver: Driver, rng: Prng): Promise<SepayCallRecord> {
  const plan = rng.pick(['company', 'formats'] as const);
  const record: SepayCallRecord = { plan, problems: [] };
  if (plan === 'company') {
    const answer = await gateway(driver, 'GET', '/v1/sepay/company');
    if (answer.status !== 200) record.problems.push(`GET company answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
    return record;
  }
  const [first, second] = rng.chance(0.5) ? [PREFIXES[rng.int(0, 2)]!, PREFIXES[rng.int(3, 6)]!] : [PREFIXES[rng.int(3, 6)]!, PREFIXES[rng.int(0, 2)]!];
  const from = rng.int(1, 10);
  const answer = await gateway(driver, 'PUT', '/v1/sepay/company/payment-code-formats', {
    paymentCodeFormats: [
      { prefix: first, suffixFrom: from, suffixTo: from + rng.int(0, 8), characterType: 'NumberOnly', isActive: true },
      { prefix: second, suffixFrom: 4, suffixTo: 8, characterType: 'NumberAndLetter', isActive: rng.chance(0.8) },
    ],
  });
  if (answer.status !== 200) record.problems.push(`PUT formats answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`);
  return record;
}

async function sandboxJson<T>(driver: Driver, path: string): Promise<T> {
  const response = await fetch(`${driver.sandboxUrl}${path}`);
  if (!response.ok) throw new Error(`sandbox GET ${path} answered ${response.status}`);
  return (await response.json()) as T;
}

interface FinanCustomer {
  general_info: { customer_code: string; email?: string };
  address?: { address?: string };
}
interface TingeeAccount {
  provider: string;
  taxCode: string;
  passwordSha256: string;
}

/** One customer per code with the last PUT's address (and a PATCH's email); one Tingee account per key with the last password; SePay still connected, no refresh token reused. */
export async function settingsViolations(driver: Driver, customers: CustomerRecord[], accounts: EinvoiceAccountRecord[], sepayCalls: SepayCallRecord[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  const add = (invariant: string, reference: string, detail: string) => violations.push({ invariant, reference, detail });
  for (const record of customers) for (const problem of record.problems) add('driver saw a wrong answer', `customer ${record.code}`, problem);
  for (const record of accounts) for (const problem of record.problems) add('driver saw a wrong answer', `einvoice-account ${record.provider}-${record.taxCode}`, problem);
  for (const record of sepayCalls) for (const problem of record.problems) add('driver saw a wrong answer', `sepay ${record.plan}`, problem);

  const atFinan = (await sandboxJson<{ customers: FinanCustomer[] }>(driver, '/_sandbox/finan/customers')).customers;
  for (const record of customers) {
    const held = atFinan.filter((c) => c.general_info.customer_code === record.code);
    if (held.length !== 1) {
      add('one Finan customer per code', record.code, `${held.length} at Finan (${record.plan})`);
      continue;
    }
    if (held[0]!.address?.address !== record.address) add('a customer keeps the last PUT’s address', record.code, `Finan has ${JSON.stringify(held[0]!.address?.address)} (${record.plan})`);
    if (held[0]!.general_info.email !== record.email) add('a customer has the last email sent', record.code, `Finan has ${JSON.stringify(held[0]!.general_info.email)} (${record.plan})`);
  }

  const atTingee = (await sandboxJson<{ accounts: TingeeAccount[] }>(driver, '/_sandbox/tingee/einvoice-accounts')).accounts;
  for (const record of accounts) {
    const held = atTingee.filter((a) => a.provider === record.provider && a.taxCode === record.taxCode);
    const reference = `${record.provider}-${record.taxCode}`;
    if (held.length !== 1) {
      add('one Tingee account per provider and tax code', reference, `${held.length} at Tingee (${record.plan})`);
      continue;
    }
    if (held[0]!.passwordSha256 !== createHash('sha256').update(record.lastPassword).digest('hex')) add('a Tingee account has the last password sent', reference, `another password's hash (${record.plan})`);
  }

  if (sepayCalls.length > 0) {
    const stats = await sandboxJson<{ refreshTokenReuses: number }>(driver, '/_sandbox/sepay/stats');
    if (stats.refreshTokenReuses !== 0) add('no SePay refresh token used twice', 'sepay', `${stats.refreshTokenReuses} reuses`);
    const connection = await gateway(driver, 'GET', '/v1/sepay/connection');
    if ((connection.body as { connected?: boolean }).connected !== true) add('SePay still connected at the end', 'sepay', JSON.stringify(connection.body).slice(0, 200));
  }
  return violations;
}
