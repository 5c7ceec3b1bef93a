import { FaultStore, pathMatches } from '../../sandbox/faults';
import { startSandbox } from '../../sandbox/server';
import type { RunningSandbox } from '../../sandbox/server';
import { eventually, finanClient, PAGE_EXAMPLE_PAYOUT, sandboxControls } from './finan-test-client';

let sandbox: RunningSandbox;
let finan: ReturnType<typeof finanClient>;
let controls: ReturnType<typeof sandboxControls>;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, finan: { processingDelayMs: 50 } });
  finan = finanClient(sandbox.finanBaseUrl);
  controls = sandboxControls(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => controls.reset());

const payouts = async () => (await finan.listPayouts()).body.data ?? [];

describe('commit then drop', () => {
  it('creates the payout, then resets the connection before answering', async () => {
    expect((await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts', commitThenDropRate: 1 }] })).status).toBe(200);
    await expect(finan.createPayout()).rejects.toMatchObject({ code: 'ECONNRESET', message: expect.stringMatching(/socket hang up/) });
    // The GET is not matched by the rule: it answers, and shows the payout the client never heard about.
    expect(await payouts()).toEqual([expect.objectContaining({ reference_id: 'PAYOUT-001', status: 'waiting_confirm' })]);
  });

  it('commits an OTP verification whose answer is lost', async () => {
    const id = (await finan.createPayout()).body.data?.id ?? '';
    await controls.setFaults({ rules: [{ path: '/api/v1/payouts/:id/otps', commitThenDropRate: 1 }] });
    await expect(finan.verifyOtp(id, { code: Number(await controls.otp(id)) })).rejects.toMatchObject({ code: 'ECONNRESET' });
    await eventually(() => controls.ledger(), (transfers) => transfers.length === 1);
    // The lost answer was the page's: the verification happened and spent a try.
    expect((await finan.getPayout(id)).body.data).toMatchObject({ status: 'success', remaining_try: 2 });
  });
});

describe('injected errors', () => {
  it('errorRate 1 with 503 answers 503 in the Finan envelope and creates nothing', async () => {
    await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts', errorRate: 1, errorStatus: 503 }] });
    const response = await finan.createPayout();
    expect(response.status).toBe(503);
    expect(response.body).toEqual({
      message: { content: 'Yêu cầu không hợp lệ', error: 'Service Unavailable' },
      code: 104000,
      request_id: expect.any(String),
    });
    expect(await payouts()).toEqual([]);
  });

  it('defaults to 503, and a 429 carries Retry-After: 1', async () => {
    await controls.setFaults({ rules: [{ method: 'GET', errorRate: 1 }] });
    expect((await finan.listPayouts()).status).toBe(503);
    await controls.setFaults({ rules: [{ method: 'GET', errorRate: 1, errorStatus: 429 }] });
    const limited = await finan.listPayouts();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
  });

  it('leaves state untouched: an OTP answered 503 costs no try', async () => {
    const id = (await finan.createPayout()).body.data?.id ?? '';
    await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts/:id/otps', errorRate: 1 }] });
    expect((await finan.verifyOtp(id, { code: 1 })).status).toBe(503);
    expect((await finan.getPayout(id)).body.data).toMatchObject({ status: 'waiting_confirm', remaining_try: 3 });
  });

  it('matches the method: a POST rule leaves GET alone', async () => {
    await controls.setFaults({ rules: [{ method: 'POST', path: '/api/v1/payouts', errorRate: 1 }] });
    expect((await finan.listPayouts()).status).toBe(200);
  });
});

describe('latency', () => {
  it('delays the answer', async () => {
    await controls.setFaults({ rules: [{ method: 'GET', path: '/api/v1/payouts', latencyMs: 300 }] });
    const started = Date.now();
    expect((await finan.listPayouts()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('fault configuration', () => {
  it('DELETE clears every fault', async () => {
    await controls.setFaults({ rules: [{ errorRate: 1 }], webhooks: { dropRate: 1 } });
    expect((await finan.createPayout()).status).toBe(503);
    expect((await controls.clearFaults()).status).toBe(200);
    expect((await finan.createPayout()).status).toBe(200);
    expect((await controls.send<{ rules: unknown[]; webhooks: unknown }>('GET', '/faults')).body).toMatchObject({ rules: [], webhooks: {} });
  });

  it('setting rules replaces all rules', async () => {
    await controls.setFaults({ rules: [{ method: 'POST', errorRate: 1 }] });
    await controls.setFaults({ rules: [{ method: 'GET', errorRate: 1 }] });
    expect((await finan.createPayout()).status).toBe(200);
    expect((await finan.listPayouts()).status).toBe(503);
  });

  it('keeps the webhook faults and reports the seed', async () => {
    const webhooks = { dropRate: 0.5, duplicateRate: 0.25, reorder: true, delayMs: 100 };
    const response = await controls.setFaults({ seed: 42, webhooks });
    expect(response.body).toEqual({ seed: 42, rules: [], webhooks });
  });

  it.each([
    ['a rate above 1', { rules: [{ errorRate: 2 }] }],
    ['a misspelt field', { rules: [{ errorrate: 1 }] }],
    ['a path with a query', { rules: [{ path: '/api/v1/payouts?x=1', errorRate: 1 }] }],
    ['a non-error status', { rules: [{ errorRate: 1, errorStatus: 200 }] }],
    ['rules that are not a list', { rules: { errorRate: 1 } }],
  ])('refuses %s with 400 and keeps the previous faults', async (_name, config) => {
    await controls.setFaults({ rules: [{ method: 'GET', errorRate: 1 }] });
    expect((await controls.setFaults(config)).status).toBe(400);
    expect((await finan.listPayouts()).status).toBe(503);
    expect((await finan.createPayout()).status).toBe(200);
  });

  it('replays the same outcomes from the same seed', async () => {
    const outcomes = async (): Promise<number[]> => {
      await controls.setFaults({ seed: 7, rules: [{ method: 'GET', errorRate: 0.5 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await finan.listPayouts()).status);
      return statuses;
    };
    const first = await outcomes();
    expect(new Set(first)).toEqual(new Set([200, 503]));
    expect(await outcomes()).toEqual(first);
  });
});

describe('fault rules (unit)', () => {
  it('treat :name segments as wildcards for exactly one segment', () => {
    expect(pathMatches('/api/v1/payouts/:id/otps', '/api/v1/payouts/abc/otps')).toBe(true);
    expect(pathMatches('/api/v1/payouts/:id', '/api/v1/payouts/abc/otps')).toBe(false);
    expect(pathMatches('/api/v1/payouts/:id', '/api/v1/payouts/')).toBe(false);
    expect(pathMatches('/api/v1/payouts', '/api/v1/payouts')).toBe(true);
  });

  it('use the first matching rule and never drop a request answered with an error', () => {
    const store = new FaultStore();
    store.configure({
      rules: [
        { path: '/api/v1/payouts', errorRate: 1, commitThenDropRate: 1 },
        { path: '/api/v1/payouts', latencyMs: 999 },
      ],
    });
    expect(store.decide('POST', '/api/v1/payouts')).toEqual({ latencyMs: 0, errorStatus: 503, commitThenDrop: false });
    expect(store.decide('POST', '/api/v1/other')).toEqual({ latencyMs: 0, errorStatus: null, commitThenDrop: false });
  });
});

it('the page example still works after faults are reset', async () => {
  await controls.setFaults({ rules: [{ errorRate: 1 }] });
  await controls.reset();
  expect((await finan.createPayout(PAGE_EXAMPLE_PAYOUT)).status).toBe(200);
});

describe('webhook fault decisions', () => {
  it('are drawn from the seed, so a run replays; a dropped event is never also duplicated', () => {
    const decisions = (): Array<[boolean, boolean]> => {
      const store = new FaultStore();
      store.configure({ seed: 7, webhooks: { dropRate: 0.5, duplicateRate: 0.5 } });
      return Array.from({ length: 50 }, () => {
        const { drop, duplicate } = store.decideWebhook();
        return [drop, duplicate];
      });
    };
    const first = decisions();
    expect(decisions()).toEqual(first);
    expect(first.some(([drop]) => drop)).toBe(true);
    expect(first.some(([, duplicate]) => duplicate)).toBe(true);
    expect(first.filter(([drop, duplicate]) => drop && duplicate)).toEqual([]);
  });

  it('default to no fault', () => {
    expect(new FaultStore().decideWebhook()).toEqual({ drop: false, duplicate: false, reorder: false, delayMs: 0 });
  });
});
