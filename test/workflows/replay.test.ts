/**
 * Determinism guard: today's workflow code must replay the histories recorded from earlier versions
 * (`test/histories/`, made by `scripts/record-histories.ts`). A change that breaks one needs `patched()`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';

const dir = join(__dirname, '..', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quiet });
});

test('there are committed histories to replay', () => {
  expect(files.length).toBeGreaterThanOrEqual(3);
});

/** Workflows merged without a recorded history yet (their scenario belongs in scripts/record-histories.ts). */
const AWAITING_HISTORY: string[] = [];

test('every workflow the worker registers has at least one committed history', async () => {
  const registered = Object.keys(await import('../../workflows')).sort();
  const recorded = new Set(
    files.map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[] };
      return json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name;
    }),
  );
  expect(registered.filter((name) => !recorded.has(name) && !AWAITING_HISTORY.includes(name))).toEqual([]);
  // A workflow leaves the list once its history is committed.
  expect(AWAITING_HISTORY.filter((name) => recorded.has(name) || !registered.includes(name))).toEqual([]);
});

test.each(files)('%s replays without non-determinism', async (file) => {
  const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, `replay-${file}`)).resolves.toBeUndefined();
});

test('a history whose first activity differs from what the code schedules is refused as non-deterministic', async () => {
  // The same history, with its first activity renamed: replay must refuse it.
  const json = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8')) as { events: { activityTaskScheduledEventAttributes?: { activityType?: { name: string } } }[] };
  const scheduled = json.events.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType!.name = 'someOtherActivity';
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(json), 'replay-tampered')).rejects.toThrow(/[Nn]ondeterminism/);
});
