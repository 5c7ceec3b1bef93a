import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { customerFailure } from '../../client/customers';
import { NotFoundError, ProviderConflictError, ProviderRejectedError, ProviderUnavailableError, ValidationError } from '../../client/errors';

const failed = (type: string, details?: unknown[]) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message: `${type} happened`, details, nonRetryable: true }));
const finan = (httpStatus: number, providerMessage: string) => ({ httpStatus, providerCode: 104000, requestId: 'req-7', providerMessage });
const read = customerFailure('CUST1');

describe("a failed customer operation, as the caller's error", () => {
  it('an unknown code is a 404', () => {
    expect(read(failed('CustomerNotFound'))).toEqual(new NotFoundError('customer', 'CUST1'));
  });

  it('a merged record breaking a rule is a 400 naming the field', () => {
    const err = read(failed('CustomerInvalid', [[{ field: 'contactPersons', rule: 'is required for type company' }]])) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.problems).toEqual([{ field: 'contactPersons', rule: 'is required for type company' }]);
  });

  it("Finan's 409 is a 409 with Finan's message, code and request id", () => {
    const err = read(failed('FinanConflict', [finan(409, 'Customer has unpaid invoices')])) as ProviderConflictError;
    expect(err).toBeInstanceOf(ProviderConflictError);
    expect(err.httpStatus).toBe(409);
    expect(err.message).toBe('Finan refused: Customer has unpaid invoices');
    expect(err.details).toEqual({ type: 'FinanConflict', httpStatus: 409, providerCode: 104000, requestId: 'req-7', providerMessage: 'Customer has unpaid invoices' });
  });

  it.each(['FinanValidation', 'FinanUnprocessable', 'FinanNotFound'])("Finan's refusal of the record (%s) is a 422", (type) => {
    const err = read(failed(type, [finan(422, 'bad')])) as ProviderRejectedError;
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect(err.details).toMatchObject({ type, requestId: 'req-7' });
  });

  it.each(['FinanUnavailable', 'FinanNetwork', 'FinanUnauthorized', 'FinanForbidden', 'FinanRateLimited', 'FinanInvalidResponse'])(
    '%s (an outage, or Finan refusing us) is a 503: send it again',
    (type) => {
      expect(read(failed(type))).toBeInstanceOf(ProviderUnavailableError);
    },
  );

  it('anything that is not a failed operation is left to the common translation', () => {
    const other = new Error('UNAVAILABLE: connection refused');
    expect(read(other)).toBe(other);
  });
});
