/** The benchmark's arithmetic, pure and unit-tested: percentiles, ratios and the search for saturation. */

/** Nearest-rank percentile; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function latency(samples: readonly number[]): Latency {
  return { n: samples.length, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.length ? Math.max(...samples) : Number.NaN };
}

/** dongflow / floor, or null when either is missing or the floor is zero. */
export function ratio(dongflow: number | null, floor: number | null): number | null {
  if (dongflow === null || floor === null || !Number.isFinite(dongflow) || !Number.isFinite(floor) || floor === 0) return null;
  return dongflow / floor;
}

export interface LevelResult {
  concurrency: number;
  /** Flows completed per second over the level. */
  rate: number;
}

/**
 * Whether raising the load further is pointless: the last level gained less than `minGain` (10 %) over the best
 * before it, or lost ground. The machine is saturated then.
 */
export function saturated(levels: readonly LevelResult[], minGain = 0.1): boolean {
  if (levels.length < 2) return false;
  const last = levels[levels.length - 1]!;
  const bestBefore = Math.max(...levels.slice(0, -1).map((l) => l.rate));
  return last.rate < bestBefore * (1 + minGain);
}

/** The best sustained rate over the levels tried, with the concurrency that reached it. */
export function best(levels: readonly LevelResult[]): LevelResult | undefined {
  return levels.reduce<LevelResult | undefined>((top, l) => (top === undefined || l.rate > top.rate ? l : top), undefined);
}

/**
 * Raises the load level by level (e.g. 10 → 50 → 200) until the machine saturates or the levels run out; returns
 * every level tried. `run` measures one level.
 */
export async function sweep<R extends LevelResult>(concurrencies: readonly number[], run: (concurrency: number) => Promise<R>, minGain = 0.1): Promise<R[]> {
  const done: R[] = [];
  for (const concurrency of concurrencies) {
    done.push(await run(concurrency));
    if (saturated(done, minGain)) break;
  }
  return done;
}

/**
 * Runs `count` flows with at most `concurrency` in flight (a closed loop: a new flow starts when one ends), and
 * returns each outcome in order with the wall time.
 */
export async function closedLoop<T>(
  count: number,
  concurrency: number,
  flow: (index: number) => Promise<T>,
  now: () => number = () => performance.now(),
): Promise<{ outcomes: PromiseSettledResult<T>[]; wallMs: number }> {
  const outcomes: PromiseSettledResult<T>[] = new Array(count);
  let next = 0;
  const started = now();
  const lane = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        outcomes[i] = { status: 'fulfilled', value: await flow(i) };
      } catch (reason) {
        outcomes[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { outcomes, wallMs: now() - started };
}
