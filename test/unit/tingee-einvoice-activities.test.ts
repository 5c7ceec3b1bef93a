/**
 * The e-invoice account activity, in Temporal's activity harness, against the Tingee sandbox: a create whose answer
 * was lost is adopted (no duplicate), a known id updates, codes 90 / 97 end as non-retryable configuration failures
 * with a clear message, 91 is retried; the password never reaches a log line or a failure.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createTingeeEinvoiceAccountActivities } from '../../activities/tingee/einvoice-accounts';
import { toTingeeActivityFailure } from '../../activities/tingee/failures';
import {
  TingeeInvalidResponseError,
  TingeeNetworkError,
  TingeeRateLimitedError,
  TingeeRefusedError,
  TingeeRequestExpiredError,
  TingeeRequestValidationError,
  TingeeServerError,
  TingeeSignatureError,
  TingeeTimestampFormatError,
  TingeeTimeoutError,
  TingeeAbortedError,
} from '../../providers/tingee/errors';
import { TingeeClient } from '../../providers/tingee/client';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { NON_RETRYABLE_TINGEE_FAILURES } from '../../workflows/common/failures';
import type { SaveEinvoiceAccountActivityInput } from '../../workflows/einvoice-account/messages';
import { activityHarness } from './fake-finan-payouts';

const PASSWORD = 'mk-activity-7f3a';
const INPUT: SaveEinvoiceAccountActivityInput = { provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', password: PASSWORD, isDefault: false, isActive: true };

let sandbox: RunningSandbox;
const tingee = (secretKey = 'sandbox-tingee-secret') => new TingeeClient({ baseUrl: sandbox.tingeeBaseUrl, clientId: 'sandbox-tingee-client', secretKey });
const stored = async () => ((await (await fetch(`${sandbox.url}/_sandbox/tingee/einvoice-accounts`)).json()) as { accounts: { id: number; username: string }[] }).accounts;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
});

async function save(input: SaveEinvoiceAccountActivityInput, client = tingee()) {
  const { env, logs } = activityHarness(1);
  const outcome = await env.run(() => createTingeeEinvoiceAccountActivities({ tingee: client }).saveTingeeEinvoiceAccount(input)).then(
    (account) => ({ account, failure: undefined }),
    (failure: unknown) => ({ account: undefined, failure }),
  );
  // Log entries carry a bigint timestamp.
  expect(JSON.stringify(logs, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value))).not.toContain(PASSWORD);
  return { ...outcome, logs };
}

describe('saveTingeeEinvoiceAccount', () => {
  it('creates the account when Tingee has none', async () => {
    const { account, logs } = await save(INPUT);
    expect(account).toEqual({ id: 1, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'admin@company.vn', isDefault: false, isActive: true });
    expect(logs.map((l) => l.message)).toContain('E-invoice account created at Tingee');
  });

  it("adopts the account an earlier attempt created (its answer lost) and updates it: Tingee's duplicate rule never fires", async () => {
    await tingee().createOrUpdateAccount({ provider: 'x-cyber', taxCode: '0101234567', username: 'first-attempt', password: PASSWORD });
    const { account, failure, logs } = await save({ ...INPUT, username: 'second-attempt' });
    expect(failure).toBeUndefined();
    expect(account).toMatchObject({ id: 1, username: 'second-attempt' });
    expect(await stored()).toHaveLength(1);
    expect(logs.find((l) => l.message.includes('adopted'))?.meta).toMatchObject({ accountId: 1 });
  });

  it('updates by the id the flow remembers, without looking up', async () => {
    await tingee().createOrUpdateAccount({ provider: 'x-cyber', taxCode: '0101234567', username: 'u', password: 'p' });
    expect((await save({ ...INPUT, accountId: 1, username: 'by-id' })).account).toMatchObject({ id: 1, username: 'by-id' });
  });

  it('an id Tingee no longer knows (the account was deleted there) is recreated by key, not stuck', async () => {
    await tingee().createOrUpdateAccount({ provider: 'hilo', taxCode: '0309876543', username: 'another company', password: 'x' });
    const { account, logs } = await save({ ...INPUT, accountId: 99 });
    expect(account).toMatchObject({ id: 2, taxCode: '0101234567', username: 'admin@company.vn' });
    expect(await stored()).toHaveLength(2);
    const warning = logs.find((l) => l.message.includes('no longer found'));
    expect(warning?.meta).toMatchObject({ accountId: 99 });
    expect(warning?.meta?.foundId).toBeUndefined();
  });

  it('an id Tingee no longer knows while the key names another account (recreated in its portal) updates that one', async () => {
    await tingee().createOrUpdateAccount({ provider: 'x-cyber', taxCode: '0101234567', username: 'made in the portal', password: 'x' });
    const { account } = await save({ ...INPUT, accountId: 99, username: 'ours' });
    expect(account).toMatchObject({ id: 1, username: 'ours' });
    expect(await stored()).toHaveLength(1);
  });

  it("a refusal of an update whose id Tingee still holds is the request's fault: non-retryable, nothing resent", async () => {
    const held = { id: 7, merchantId: 10001, provider: 'x-cyber', taxCode: '0101234567', username: 'u', isDefault: false, isActive: true };
    let sent = 0;
    const refusing = {
      createOrUpdateAccount: async () => {
        sent += 1;
        throw new TingeeRefusedError({ httpStatus: 200, providerCode: '1050', providerMessage: 'Mật khẩu không hợp lệ' });
      },
      findAccount: async () => held,
    } as unknown as TingeeClient;
    const { failure } = await save({ ...INPUT, accountId: 7 }, refusing);
    expect(failure).toMatchObject({ type: 'TingeeUnprocessable', nonRetryable: true });
    expect(sent).toBe(1);
  });

  it('a wrong secret key (97) fails non-retryably as TingeeUnauthorized, saying what to check', async () => {
    const { failure } = await save(INPUT, tingee('wrong-secret'));
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'TingeeUnauthorized', nonRetryable: true });
    expect((failure as ApplicationFailure).message).toContain('TINGEE_SECRET_KEY');
    expect((failure as ApplicationFailure).details?.[0]).toMatchObject({ providerCode: '97', httpStatus: 200 });
    expect(JSON.stringify((failure as ApplicationFailure).details)).not.toContain(PASSWORD);
    expect(await stored()).toEqual([]);
  });
});

describe('Tingee errors become Temporal failures in one place', () => {
  const answer = (providerCode?: string) => ({ httpStatus: 200, providerCode, requestId: 'req-1' });
  it.each([
    [new TingeeTimestampFormatError(answer('90')), 'TingeeUnauthorized', true],
    [new TingeeSignatureError(answer('97')), 'TingeeUnauthorized', true],
    [new TingeeRequestExpiredError(answer('91')), 'TingeeRequestExpired', false],
    [new TingeeRefusedError(answer('1002')), 'TingeeUnprocessable', true],
    [new TingeeRequestValidationError('password', 'must not be empty'), 'TingeeValidation', true],
    [new TingeeRateLimitedError({ httpStatus: 429, retryAfterMs: 1500 }), 'TingeeRateLimited', false],
    [new TingeeServerError({ httpStatus: 503 }), 'TingeeUnavailable', false],
    [new TingeeInvalidResponseError({ httpStatus: 200, reason: 'x' }), 'TingeeInvalidResponse', false],
    [new TingeeNetworkError('POST /v1/e-invoice/create-or-update-account', 'ECONNRESET'), 'TingeeNetwork', false],
    [new TingeeTimeoutError('POST /v1/e-invoice/create-or-update-account', 15_000), 'TingeeNetwork', false],
  ])('%s → %s (non-retryable: %s)', (error, type, nonRetryable) => {
    const failure = toTingeeActivityFailure(error) as ApplicationFailure;
    expect(failure).toMatchObject({ type, nonRetryable });
    expect(NON_RETRYABLE_TINGEE_FAILURES.includes(type)).toBe(nonRetryable);
  });

  it('waits as long as Retry-After asks; leaves a cancellation and foreign errors alone', () => {
    expect((toTingeeActivityFailure(new TingeeRateLimitedError({ httpStatus: 429, retryAfterMs: 1500 })) as ApplicationFailure).nextRetryDelay).toBe(1500);
    const aborted = new TingeeAbortedError('POST /v1/e-invoice/create-or-update-account');
    expect(toTingeeActivityFailure(aborted)).toBe(aborted);
    const other = new TypeError('boom');
    expect(toTingeeActivityFailure(other)).toBe(other);
  });
});
