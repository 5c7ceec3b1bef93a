/**
 * The benchmark's floor: the thinnest workflows making the same Finan calls as dongflow's flows, with none of
 * dongflow's logic (no gateway, codec, search attributes, logging, failure handling or rate limit). They run on the
 * same Temporal server, in the same run, on task queues of their own (one for workflows, one for the Finan calls, as
 * dongflow has), so `dongflow / floor` is the cost of what dongflow adds, on this machine.
 */
import { allHandlersFinished, condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import { PAYOUT_DEFAULTS } from '../workflows/payout/rules';

export const FLOOR_TASK_QUEUE = 'bench-floor';
export const FLOOR_FINAN_TASK_QUEUE = 'bench-floor-finan';

export interface FloorPaymentRequest {
  paymentRequestId: string;
  remark: string;
}

export interface FloorActivities {
  /** The reference check then the create: the two calls dongflow's creation makes. */
  createPayout(referenceId: string): Promise<string>;
  verifyOtp(payoutId: string, code: string): Promise<boolean>;
  /** Throws while the payout is processing: polled by activity retry, as dongflow does. */
  awaitSettled(payoutId: string): Promise<string>;
  /** The lookup by reference then the create, as dongflow's creation does. */
  createPaymentRequest(referenceId: string, amount: number): Promise<FloorPaymentRequest>;
  /** Finan's paid amount of a request. */
  paidAmount(paymentRequestId: string): Promise<number>;
}

export const floorSubmitOtpUpdate = defineUpdate<boolean, [string]>('floorSubmitOtp');
export const floorCreatedUpdate = defineUpdate<FloorPaymentRequest>('floorCreated');
export const floorPaymentSignal = defineSignal('floorPayment');

const finan = proxyActivities<FloorActivities>({ taskQueue: FLOOR_FINAN_TASK_QUEUE, startToCloseTimeout: '30 seconds' });
const polling = proxyActivities<FloorActivities>({
  taskQueue: FLOOR_FINAN_TASK_QUEUE,
  startToCloseTimeout: '30 seconds',
  // dongflow's polling backoff: both flows wait for the bank alike.
  retry: { initialInterval: PAYOUT_DEFAULTS.pollInitialIntervalMs, backoffCoefficient: 2, maximumInterval: PAYOUT_DEFAULTS.pollMaxIntervalMs },
});

/** create → wait for the OTP (an update answered with the verification) → verify → poll until settled. */
export async function floorPayoutWorkflow(referenceId: string): Promise<string> {
  let code: string | undefined = undefined;
  let verified: boolean | undefined = undefined;
  setHandler(floorSubmitOtpUpdate, async (submitted) => {
    code = submitted;
    await condition(() => verified !== undefined);
    return verified!;
  });
  const payoutId = await finan.createPayout(referenceId);
  await condition(() => code !== undefined);
  verified = await finan.verifyOtp(payoutId, code!);
  const status = await polling.awaitSettled(payoutId);
  await condition(allHandlersFinished);
  return status;
}

/** create (answered to the caller by an update) → on each payment notice read Finan → end once paid. */
export async function floorPaymentWorkflow(referenceId: string, amount: number): Promise<string> {
  let created: FloorPaymentRequest | undefined = undefined;
  let notices = 0;
  setHandler(floorCreatedUpdate, async () => {
    await condition(() => created !== undefined);
    return created!;
  });
  setHandler(floorPaymentSignal, () => void notices++);
  created = await finan.createPaymentRequest(referenceId, amount);
  for (;;) {
    await condition(() => notices > 0);
    notices = 0;
    if ((await finan.paidAmount(created.paymentRequestId)) >= amount) break;
  }
  await condition(allHandlersFinished);
  return 'paid';
}
