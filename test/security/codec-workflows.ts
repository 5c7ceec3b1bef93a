/** A minimal workflow for the codec's end-to-end test: collects `otp` signals, as the payout workflow does. */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const otpSignal = defineSignal<[{ code: string }]>('otp');

export async function collectOtpsWorkflow(input: { expected: number; note: string }): Promise<{ codes: string[]; note: string }> {
  const codes: string[] = [];
  setHandler(otpSignal, ({ code }) => void codes.push(code));
  await condition(() => codes.length >= input.expected);
  return { codes, note: input.note };
}
