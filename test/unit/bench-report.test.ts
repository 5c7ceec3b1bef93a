/** The benchmark's pure parts: percentiles, the saturation search, the closed loop, the table, JSON and SVG. */
import { routeOf } from '../../bench/observe';
import type { Scenario } from '../../bench/report';
import { formatNumber, formatRatio, resultsJson, svgChart, table } from '../../bench/report';
import { best, closedLoop, latency, percentile, ratio, saturated, sweep } from '../../bench/stats';

const scenario = (over: Partial<Scenario> = {}): Scenario => ({
  name: 'payout end to end',
  unit: 'payouts/s',
  dongflow: 8,
  floor: 10,
  ratio: 0.8,
  better: 'higher',
  target: '≥ 0.8 × floor',
  met: true,
  ...over,
});

describe('stats', () => {
  it('takes nearest-rank percentiles and NaN for no samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
    expect(latency([3, 1, 2])).toEqual({ n: 3, p50: 2, p99: 3, max: 3 });
  });

  it('gives a ratio only when both figures exist and the floor is not zero', () => {
    expect(ratio(8, 10)).toBeCloseTo(0.8);
    expect(ratio(null, 10)).toBeNull();
    expect(ratio(8, null)).toBeNull();
    expect(ratio(8, 0)).toBeNull();
    expect(ratio(Number.NaN, 1)).toBeNull();
  });

  it('calls the machine saturated when a level gains less than 10 % over the best before it', () => {
    expect(saturated([{ concurrency: 10, rate: 5 }])).toBe(false);
    expect(saturated([{ concurrency: 10, rate: 5 }, { concurrency: 50, rate: 5.6 }])).toBe(false);
    expect(saturated([{ concurrency: 10, rate: 5 }, { concurrency: 50, rate: 5.4 }])).toBe(true);
    expect(saturated([{ concurrency: 10, rate: 5 }, { concurrency: 50, rate: 9 }, { concurrency: 200, rate: 8 }])).toBe(true);
    expect(best([{ concurrency: 10, rate: 5 }, { concurrency: 50, rate: 9 }, { concurrency: 200, rate: 8 }])).toEqual({ concurrency: 50, rate: 9 });
    expect(best([])).toBeUndefined();
  });

  it('sweeps the levels until saturation, and no further', async () => {
    const rates: Record<number, number> = { 10: 5, 50: 9, 200: 9.2, 400: 20 };
    const tried: number[] = [];
    const levels = await sweep([10, 50, 200, 400], async (concurrency) => {
      tried.push(concurrency);
      return { concurrency, rate: rates[concurrency]! };
    });
    expect(tried).toEqual([10, 50, 200]);
    expect(levels.map((l) => l.rate)).toEqual([5, 9, 9.2]);
  });

  it('runs a closed loop: never more than the concurrency in flight, every outcome in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const { outcomes } = await closedLoop(10, 3, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      if (i === 4) throw new Error('flow 4 failed');
      return i * 2;
    });
    expect(peak).toBe(3);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : 'failed'))).toEqual([0, 2, 4, 6, 'failed', 10, 12, 14, 16, 18]);
  });
});

describe('report', () => {
  it('prints figures and ratios readably', () => {
    expect(formatNumber(1234.56)).toBe('1,235');
    expect(formatNumber(12.345)).toBe('12.3');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(Number.NaN)).toBe('–');
    expect(formatRatio(0.8123)).toBe('×0.81');
    expect(formatRatio(null)).toBe('–');
  });

  it('prints one aligned table row per scenario, with the target and whether it is met', () => {
    const lines = table([scenario(), scenario({ name: 'OTP p99', unit: 'ms', dongflow: 120, floor: 40, ratio: 3, better: 'lower', target: '< 100', met: false }), scenario({ name: 'RSS', floor: null, ratio: null, target: undefined, met: null })]).split('\n');
    expect(lines).toHaveLength(5);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    expect(lines[0]).toMatch(/^\| scenario +\| unit +\| dongflow \| +floor \| dongflow\/floor \| target +\| met \|$/);
    expect(lines[2]).toContain('| yes |');
    expect(lines[3]).toContain('| NO  |');
    expect(lines[4]).toMatch(/\| +– \| +– \|/);
  });

  it('writes JSON with the agreed shape and null for what JSON cannot hold', () => {
    const json = JSON.parse(
      resultsJson({
        machine: { cores: 2 },
        scenarios: [scenario({ dongflow: Number.NaN })],
        historyEvents: { payout: 21, paymentRequestPaid: 17, invoicePaid: null },
        providerCalls: { payout: { minimum: 4 } },
      }),
    );
    expect(Object.keys(json)).toEqual(['machine', 'scenarios', 'historyEvents', 'providerCalls']);
    expect(json.scenarios[0]).toMatchObject({ name: 'payout end to end', unit: 'payouts/s', dongflow: null, floor: 10, ratio: 0.8 });
  });

  it('draws an SVG with a bar per figure, the ratio, and escaped text', () => {
    const svg = svgChart([scenario({ name: 'webhook → state <p99>' }), scenario({ floor: null, ratio: null, met: false })], 'dongflow & floor');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('dongflow &amp; floor');
    expect(svg).toContain('webhook → state &lt;p99&gt;');
    expect(svg).toContain('×0.80');
    expect(svg.match(/<rect /g)).toHaveLength(1 + 3);
    expect(svg).toContain('#d9534f');
  });
});

describe('observe', () => {
  it('names a Finan call by its route, ids and query left out', () => {
    expect(routeOf('/finan/open/api/v1/payouts/6f1c-9/otps')).toBe('/finan/open/api/v1/payouts/:id/otps');
    expect(routeOf('/finan/open/api/v1/payouts')).toBe('/finan/open/api/v1/payouts');
    expect(routeOf('/finan/open/api/v1/payments?reference_id=A')).toBe('/finan/open/api/v1/payments');
  });
});
