/** How a failed save reaches the caller: each failure type of the flow becomes one of the library's errors (one HTTP status). */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { saveRefusal } from '../../client/einvoice-accounts';
import { InvalidStateError, ProviderRejectedError, ProviderUnavailableError } from '../../client/errors';

const failed = (type: string, message = 'Tingee 200 (code 1050): Mật khẩu không hợp lệ', info: object = { httpStatus: 200, providerCode: '1050', requestId: 'req-9' }) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ message, type, nonRetryable: true, details: [info] }));

describe('a failed e-invoice account save, for the caller', () => {
  it.each([
    ['TingeeUnprocessable', ProviderRejectedError, 422],
    ['TingeeValidation', ProviderRejectedError, 422],
    ['TingeeUnauthorized', ProviderUnavailableError, 503],
    ['TingeeRequestExpired', ProviderUnavailableError, 503],
    ['TingeeUnavailable', ProviderUnavailableError, 503],
    ['TingeeNetwork', ProviderUnavailableError, 503],
    ['TingeeInvalidResponse', ProviderUnavailableError, 503],
    ['Timeout', ProviderUnavailableError, 503],
    ['EinvoiceAccountConflict', InvalidStateError, 409],
  ])('%s → %s (%i), keeping status, code and request id', (type, kind, status) => {
    const error = saveRefusal(failed(type));
    expect(error).toBeInstanceOf(kind);
    expect((error as ProviderRejectedError).httpStatus).toBe(status);
    expect((error as ProviderRejectedError).details).toMatchObject({ type, httpStatus: 200, providerCode: '1050', requestId: 'req-9' });
  });

  it('says what to do: fix the configuration for 90/97, send again after an outage', () => {
    expect((saveRefusal(failed('TingeeUnauthorized', 'Tingee refused the signature (code 97)')) as Error).message).toMatch(/fix the configuration, then send the same request again$/);
    expect((saveRefusal(failed('TingeeUnavailable', 'Tingee 503')) as Error).message).toMatch(/it adopts whatever Tingee may have created$/);
  });

  it('leaves other errors to the common translation', () => {
    const validator = new WorkflowUpdateFailedError('rejected', ApplicationFailure.create({ message: 'username must be a non-empty string', type: 'Error' }));
    expect(saveRefusal(validator)).toBe(validator);
    const other = new Error('boom');
    expect(saveRefusal(other)).toBe(other);
  });
});
