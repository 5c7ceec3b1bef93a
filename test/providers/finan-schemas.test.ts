import {
  CreatePayoutRequest,
  FinanEnvelope,
  Payout,
  PayoutCreated,
  PayoutList,
  VerifyOtpResult,
} from '../../providers/finan/schemas';

/** The payout page's own examples, verbatim. */
const pageCreateRequest = {
  account_id: '54957437-0cb5-4992-ad0e-76d26ba4ddc3',
  amount: 6000000,
  beneficiary_account_name: 'NGUYEN VAN A',
  beneficiary_account_number: '1234567890',
  beneficiary_bank_id: '161',
  currency: 'VND',
  reference_id: 'PAYOUT-001',
  description: 'thanh toan don hang',
};

const pageCreateResponse = {
  message: { content: 'Thực thi API thành công' },
  code: 102001,
  request_id: 'abc123...',
  data: { id: '660e8400-e29b-41d4-a716-446655440001', status: 'waiting_confirm', remaining_try: 3 },
};

const pageListResponse = {
  message: { content: 'Thực thi API thành công' },
  code: 102000,
  request_id: 'abc123...',
  data: [
    {
      id: '660e8400-e29b-41d4-a716-446655440001',
      status: 'success',
      amount: 6000000,
      beneficiary_account_name: 'NGUYEN VAN A',
      beneficiary_account_number: '1234567890',
      beneficiary_bank_id: '161',
      reference_id: 'PAYOUT-001',
      remaining_try: 0,
      created_at: '2024-01-20T14:00:00Z',
    },
  ],
};

const pageVerifyResponse = {
  message: { content: 'Thực thi API thành công' },
  code: 102000,
  request_id: 'abc123...',
  data: { id: '660e8400-e29b-41d4-a716-446655440001', status: 'processing', remaining_try: 2 },
};

const pageErrorResponse = {
  message: { content: 'Yêu cầu không hợp lệ', error: 'IP address not whitelisted' },
  code: 104000,
  request_id: 'abc123...',
};

function firstIssue(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  expect(result.success).toBe(false);
  return result.error?.issues[0];
}

describe('Finan payout schemas', () => {
  it("accept the page's create-payout request", () => {
    expect(CreatePayoutRequest.parse(pageCreateRequest)).toEqual(pageCreateRequest);
  });

  it("accept the page's responses: created, list, OTP verified, error", () => {
    expect(PayoutCreated.parse(FinanEnvelope.parse(pageCreateResponse).data)).toEqual(pageCreateResponse.data);
    expect(PayoutList.parse(FinanEnvelope.parse(pageListResponse).data)).toEqual(pageListResponse.data);
    expect(VerifyOtpResult.parse(FinanEnvelope.parse(pageVerifyResponse).data)).toEqual(pageVerifyResponse.data);
    expect(FinanEnvelope.parse(pageErrorResponse).message.error).toBe('IP address not whitelisted');
  });

  it('a description of 31 characters is refused, naming description', () => {
    const issue = firstIssue(CreatePayoutRequest.safeParse({ ...pageCreateRequest, description: 'x'.repeat(31) }));
    expect(issue?.path).toEqual(['description']);
    expect(issue?.message).toBe('must be at most 30 characters');
    expect(CreatePayoutRequest.safeParse({ ...pageCreateRequest, description: 'x'.repeat(30) }).success).toBe(true);
  });

  it.each([
    ['account_id', 'not-a-uuid', 'must be a UUID'],
    ['amount', 0, 'must be positive'],
    ['amount', 1.5, 'must be an integer (smallest currency unit)'],
    ['amount', '6000000', 'must be a number'],
    ['beneficiary_account_name', '', 'must not be empty'],
    ['beneficiary_account_number', '', 'must not be empty'],
    ['beneficiary_bank_id', '', 'must not be empty'],
    ['currency', 'vnd', 'must be an ISO 4217 code such as VND'],
    ['description', undefined, 'is required'],
  ])('refuses %s = %p: %s', (field, value, rule) => {
    const issue = firstIssue(CreatePayoutRequest.safeParse({ ...pageCreateRequest, [field]: value }));
    expect(issue?.path).toEqual([field]);
    expect(issue?.message).toBe(rule);
  });

  it('refuses an unknown key, so a camelCase reference cannot be silently dropped', () => {
    const { reference_id: _dropped, ...rest } = pageCreateRequest;
    expect(CreatePayoutRequest.safeParse({ ...rest, referenceId: 'PAYOUT-001' }).success).toBe(false);
  });

  it('currency and reference_id are optional', () => {
    const { currency: _c, reference_id: _r, ...required } = pageCreateRequest;
    expect(CreatePayoutRequest.safeParse(required).success).toBe(true);
  });

  it('a payout read tolerates missing optional fields, a null reference and fields Finan adds later', () => {
    const item = pageListResponse.data[0];
    expect(Payout.parse({ ...item, reference_id: null }).reference_id).toBeNull();
    const { reference_id: _r, ...withoutReference } = item ?? {};
    expect(Payout.parse(withoutReference).reference_id).toBeUndefined();
    expect(Payout.parse({ ...item, description: 'thanh toan', currency: 'VND', bank_fee: 0 })).not.toHaveProperty('bank_fee');
  });

  it('a payout with a status outside the four documented ones is refused', () => {
    expect(Payout.safeParse({ ...pageListResponse.data[0], status: 'cancelled' }).success).toBe(false);
  });

  it('the envelope tolerates unknown extra fields and requires code and request_id', () => {
    expect(FinanEnvelope.safeParse({ ...pageVerifyResponse, trace: 'x' }).success).toBe(true);
    const { request_id: _r, ...withoutRequestId } = pageVerifyResponse;
    expect(FinanEnvelope.safeParse(withoutRequestId).success).toBe(false);
    expect(FinanEnvelope.safeParse({ ...pageVerifyResponse, code: '102000' }).success).toBe(false);
  });
});
