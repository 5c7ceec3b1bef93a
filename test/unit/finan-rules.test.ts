/**
 * One rule each, checked the same way at every layer: Finan's 30-character texts (counted as the pages count
 * "ký tự": code points), the bank's 6-digit OTP, and the failure taxonomy's retryable-or-not.
 */
import fc from 'fast-check';
import { toActivityFailure } from '../../activities/finan/failures';
import type { ApplicationFailure } from '@temporalio/common';
import { InvoiceCollectionSchema } from '../../client/schemas/invoices';
import { PaymentRequestSchema } from '../../client/schemas/payment-requests';
import { OtpRequestSchema, PayoutRequestSchema } from '../../client/schemas/payouts';
import {
  FinanBadRequestError,
  FinanConflictError,
  FinanForbiddenError,
  FinanInvalidResponseError,
  FinanNetworkError,
  FinanNotFoundError,
  FinanRateLimitedError,
  FinanRequestValidationError,
  FinanServerError,
  FinanTimeoutError,
  FinanUnauthorizedError,
  FinanUnprocessableError,
} from '../../providers/finan/errors';
import { CreatePaymentRequest } from '../../providers/finan/payment-schemas';
import { FINAN_TEXT_MAX_CHARACTERS, finanTextLength, isOtpCode } from '../../providers/finan/rules';
import { CreatePayoutRequest } from '../../providers/finan/schemas';
import { NON_RETRYABLE_FINAN_FAILURES, PROVIDER_FAILURE_KINDS } from '../../workflows/common/failures';
import { otpSubmissionProblem } from '../../workflows/payout/rules';

const ACCOUNT = '54957437-0cb5-4992-ad0e-76d26ba4ddc3';

/** Whether each layer that checks a Finan description accepts this one. */
function verdicts(description: string): Record<string, boolean> {
  return {
    'gateway payout': PayoutRequestSchema.safeParse({
      referenceId: 'R-1', accountId: ACCOUNT, amount: 1000, beneficiaryAccountName: 'NGUYEN VAN A',
      beneficiaryAccountNumber: '1234567890', beneficiaryBankId: '161', description,
    }).success,
    'gateway payment request': PaymentRequestSchema.safeParse({ referenceId: 'R-1', accountId: ACCOUNT, amount: 1000, description }).success,
    'gateway invoice': InvoiceCollectionSchema.safeParse({ accountId: ACCOUNT, amount: 1000, dueDate: '2999-01-01', description }).success,
    'Finan payout body': CreatePayoutRequest.safeParse({
      account_id: ACCOUNT, amount: 1000, beneficiary_account_name: 'NGUYEN VAN A', beneficiary_account_number: '1234567890',
      beneficiary_bank_id: '161', description,
    }).success,
    'Finan payment body': CreatePaymentRequest.safeParse({ payment_method: 'bank_transfer', account_id: ACCOUNT, amount: 1000, reference_id: 'R-1', description }).success,
  };
}

const everyLayer = (accepted: boolean) => ({
  'gateway payout': accepted, 'gateway payment request': accepted, 'gateway invoice': accepted, 'Finan payout body': accepted, 'Finan payment body': accepted,
});

describe("Finan's 30-character texts, counted in code points at every layer", () => {
  it('30 Vietnamese letters with their marks pass everywhere; one more is refused everywhere', () => {
    const thirty = 'Thanh toán đơn hàng tháng Tư ạ'; // precomposed (NFC): one code point per letter
    expect(finanTextLength(thirty)).toBe(30);
    expect(verdicts(thirty)).toEqual(everyLayer(true));
    expect(verdicts(`${thirty}!`)).toEqual(everyLayer(false));
  });

  it('an emoji is one character, though it is two UTF-16 units', () => {
    const text = `${'Chúc mừng năm mới '.padEnd(29, '.')}🎉`;
    expect(text.length).toBe(31); // what a UTF-16 count would refuse
    expect(finanTextLength(text)).toBe(30);
    expect(verdicts(text)).toEqual(everyLayer(true));
  });

  it('decomposed (NFD) Vietnamese counts its combining marks, as it is sent', () => {
    const nfc = 'Nguyễn Thị Phượng trả tiền hàng';
    const nfd = nfc.normalize('NFD');
    expect(finanTextLength(nfc)).toBe(31);
    expect(finanTextLength(nfd)).toBeGreaterThan(31);
    expect(finanTextLength('ệ'.normalize('NFD'))).toBe(3);
    const short = 'Phượng trả tiền';
    expect(finanTextLength(short)).toBe(15);
    expect(finanTextLength(short.normalize('NFD'))).toBe(21);
    expect(verdicts(short.normalize('NFD'))).toEqual(everyLayer(true));
  });

  it('every layer agrees with the one count, on any text', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom('ạ', 'ệ', 'đ', 'Ư', '🎉', 'e\u0302\u0323'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), { minLength: 1, maxLength: 40 }), (units) => {
        const text = units.join('');
        expect(verdicts(text)).toEqual(everyLayer([...text].length <= FINAN_TEXT_MAX_CHARACTERS));
      }),
    );
  });
});

describe('the OTP format, one rule at every layer', () => {
  it.each(['012345', '999999'])('%p is an OTP everywhere', (code) => {
    expect(isOtpCode(code)).toBe(true);
    expect(OtpRequestSchema.safeParse({ code }).success).toBe(true);
    expect(otpSubmissionProblem({ status: 'waiting_confirm' }, code)).toBeNull();
  });

  it('the gateway, the workflow validator and the Finan client agree on any input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^\d{5,7}$/), fc.string({ maxLength: 8 }), fc.integer()), (code) => {
        const otp = isOtpCode(code);
        expect(OtpRequestSchema.safeParse({ code }).success).toBe(otp);
        expect(otpSubmissionProblem({ status: 'waiting_confirm' }, code) === null).toBe(otp);
      }),
    );
  });
});

describe('one failure taxonomy', () => {
  const http = (httpStatus: number) => ({ httpStatus, providerCode: 104000, requestId: 'req-1' });
  it.each([
    new FinanBadRequestError(http(400)),
    new FinanRequestValidationError('description', 'must be at most 30 characters'),
    new FinanUnauthorizedError(http(401)),
    new FinanForbiddenError(http(403)),
    new FinanNotFoundError(http(404)),
    new FinanUnprocessableError(http(422)),
    new FinanConflictError(http(409)),
    new FinanRateLimitedError(http(429)),
    new FinanServerError(http(502)),
    new FinanInvalidResponseError({ ...http(200), reason: 'not JSON' }),
    new FinanNetworkError('GET /api/v1/payouts', 'ECONNRESET'),
    new FinanTimeoutError('GET /api/v1/payouts', 15_000),
  ])("%s: the provider's retryable and the taxonomy's agree", (error) => {
    const failure = toActivityFailure(error) as ApplicationFailure;
    const kind = failure.type!.replace(/^Finan/, '') as keyof typeof PROVIDER_FAILURE_KINDS;
    expect(PROVIDER_FAILURE_KINDS[kind].retryable).toBe(error.retryable);
    expect(failure.nonRetryable).toBe(!error.retryable);
    expect(NON_RETRYABLE_FINAN_FAILURES.includes(failure.type!)).toBe(!error.retryable);
  });
});
