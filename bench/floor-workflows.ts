/**
 * The benchmark's floor: the thinnest workflow with the shape of a payout (create activity → wait for one update →
 * verify activity, whose result answers the update → poll activity), with no-op activities, no codec, no search
 * attributes and no logging. It runs on the same Temporal server as dongflow, on a task queue of its own, so
 * `dongflow / floor` is the cost of what dongflow adds, on this machine, in this run.
 */
import { allHandlersFinished, condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

export interface FloorActivities {
  create(reference: string): Promise<string>;
  verify(code: string): Promise<boolean>;
  poll(id: string): Promise<string>;
}

export type FloorState = 'creating' | 'waiting' | 'processing' | 'success';

export const floorStateQuery = defineQuery<FloorState>('floorState');
export const floorSubmitUpdate = defineUpdate<boolean, [string]>('floorSubmit');

const activities = proxyActivities<FloorActivities>({ startToCloseTimeout: '30 seconds' });

export async function floorWorkflow(reference: string): Promise<FloorState> {
  let state: FloorState = 'creating';
  let code: string | undefined;
  let verified: boolean | undefined = undefined;
  setHandler(floorStateQuery, () => state);
  setHandler(floorSubmitUpdate, async (submitted) => {
    code = submitted;
    await condition(() => verified !== undefined);
    return verified!;
  });

  const id = await activities.create(reference);
  state = 'waiting';
  await condition(() => code !== undefined);
  verified = await activities.verify(code!);
  state = 'processing';
  await activities.poll(id);
  state = 'success';
  await condition(allHandlersFinished);
  return state;
}
