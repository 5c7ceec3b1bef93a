/** Minimal workflows for the codec's end-to-end tests: `otp` signals as the payout takes them, and a refused transfer. */
import { ApplicationFailure, condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

export const otpSignal = defineSignal<[{ code: string }]>('otp');

export async function collectOtpsWorkflow(input: { expected: number; note: string }): Promise<{ codes: string[]; note: string }> {
  const codes: string[] = [];
  setHandler(otpSignal, ({ code }) => void codes.push(code));
  await condition(() => codes.length >= input.expected);
  return { codes, note: input.note };
}

export interface RefusingActivities {
  /** Fails the way a provider error does when its message names the beneficiary's account. */
  refuseTransfer(accountNumber: string): Promise<void>;
}

const { refuseTransfer } = proxyActivities<RefusingActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } });

/** Fails with the activity's failure, then with a failure of its own naming the account too. */
export async function refusedTransferWorkflow(accountNumber: string): Promise<void> {
  try {
    await refuseTransfer(accountNumber);
  } catch (err) {
    throw ApplicationFailure.create({ message: `transfer to account ${accountNumber} was refused`, type: 'TransferRefused', nonRetryable: true, details: [{ accountNumber }], cause: err as Error });
  }
}
