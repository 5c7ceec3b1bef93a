/** Finan's business codes: they travel in the body, beside (not instead of) the HTTP status. */
export const FinanCode = {
  Ok: 102000,
  Created: 102001,
  Error: 104000,
} as const;

export const FINAN_SUCCESS_CONTENT = 'Thực thi API thành công';
/** What the payments page's create example says with 102001. */
export const FINAN_CREATED_CONTENT = 'Tạo thành công';
export const FINAN_ERROR_CONTENT = 'Yêu cầu không hợp lệ';

export interface FinanSuccessEnvelope<T> {
  message: { content: string };
  code: typeof FinanCode.Ok | typeof FinanCode.Created;
  request_id: string;
  data: T;
}

export interface FinanErrorEnvelope {
  message: { content: string; error: string };
  code: typeof FinanCode.Error;
  request_id: string;
}

/** An error answered in Finan's envelope with the HTTP status the provider page gives for it. */
export class FinanApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'FinanApiError';
  }
}

export function successEnvelope<T>(
  code: FinanSuccessEnvelope<T>['code'],
  requestId: string,
  data: T,
  content: string = FINAN_SUCCESS_CONTENT,
): FinanSuccessEnvelope<T> {
  return { message: { content }, code, request_id: requestId, data };
}

export function errorEnvelope(requestId: string, error: string): FinanErrorEnvelope {
  return { message: { content: FINAN_ERROR_CONTENT, error }, code: FinanCode.Error, request_id: requestId };
}
