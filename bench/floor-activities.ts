/**
 * The floor's activities: the same Finan calls dongflow's activities make, through the same client and transport,
 * without dongflow's error mapping, adoption rules, QR check or logging.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { FinanClient } from '../providers/finan/client';
import { FINAN_SOURCE_ACCOUNT_ID } from '../sandbox/server';
import type { FloorActivities } from './floor-workflows';

export const BENCH_PAYOUT = {
  accountId: FINAN_SOURCE_ACCOUNT_ID,
  amount: 6_000_000,
  beneficiaryAccountName: 'NGUYEN VAN A',
  beneficiaryAccountNumber: '1234567890',
  beneficiaryBankId: '161',
  description: 'bench payout',
} as const;

export function floorActivities(finan: FinanClient): FloorActivities {
  return {
    async createPayout(referenceId) {
      const existing = (await finan.findPayoutsByReference(referenceId)).data[0];
      if (existing) return existing.id;
      const created = await finan.createPayout({
        account_id: BENCH_PAYOUT.accountId,
        amount: BENCH_PAYOUT.amount,
        beneficiary_account_name: BENCH_PAYOUT.beneficiaryAccountName,
        beneficiary_account_number: BENCH_PAYOUT.beneficiaryAccountNumber,
        beneficiary_bank_id: BENCH_PAYOUT.beneficiaryBankId,
        currency: 'VND',
        reference_id: referenceId,
        description: BENCH_PAYOUT.description,
      });
      return created.data.id;
    },
    async verifyOtp(payoutId, code) {
      await finan.verifyPayoutOtp(payoutId, code);
      return true;
    },
    async awaitSettled(payoutId) {
      const { status } = (await finan.getPayout(payoutId)).data;
      if (status === 'processing' || status === 'waiting_confirm') throw ApplicationFailure.retryable(`still ${status}`, 'StillProcessing');
      return status;
    },
    async createPaymentRequest(referenceId, amount) {
      const listed = (await finan.listPaymentRequests({ referenceId })).data[0];
      if (listed) return { paymentRequestId: listed.payment_request_id, remark: '' };
      const created = await finan.createPaymentRequest({
        payment_method: 'bank_transfer',
        account_id: FINAN_SOURCE_ACCOUNT_ID,
        amount,
        description: 'bench',
        reference_id: referenceId,
      });
      return { paymentRequestId: created.data.payment_request_id, remark: created.data.bank_transfer_detail?.remark ?? '' };
    },
    async paidAmount(paymentRequestId) {
      return (await finan.getPaymentRequest(paymentRequestId)).data.paid_amount;
    },
  };
}
