/**
 * What every provider error carries, whatever the provider: the HTTP status, the provider's own code, the request id
 * and the provider's message, and whether a retry can help. Each provider's taxonomy (`providers/<name>/errors.ts`)
 * extends this base; none of them holds a secret, a header or a body.
 */
export interface ProviderErrorDetails<Code extends string | number> {
  httpStatus?: number;
  /** The provider's own code (Finan's business code, SePay's OAuth `error`, Tingee's envelope code), not the HTTP status. */
  providerCode?: Code;
  requestId?: string;
  providerMessage?: string;
  cause?: unknown;
}

export interface ProviderErrorJSON<Code extends string | number> {
  name: string;
  message: string;
  httpStatus: number | undefined;
  providerCode: Code | undefined;
  requestId: string | undefined;
  providerMessage: string | undefined;
  retryable: boolean;
}

export abstract class ProviderError<Code extends string | number> extends Error {
  abstract readonly retryable: boolean;
  readonly httpStatus: number | undefined;
  readonly providerCode: Code | undefined;
  readonly requestId: string | undefined;
  readonly providerMessage: string | undefined;

  protected constructor(message: string, details: ProviderErrorDetails<Code> = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.httpStatus = details.httpStatus;
    this.providerCode = details.providerCode;
    this.requestId = details.requestId;
    this.providerMessage = details.providerMessage;
  }

  /** What may be logged or put in a Temporal failure's details: an explicit allow-list of fields. */
  toJSON(): ProviderErrorJSON<Code> {
    return {
      name: this.name,
      message: this.message,
      httpStatus: this.httpStatus,
      providerCode: this.providerCode,
      requestId: this.requestId,
      providerMessage: this.providerMessage,
      retryable: this.retryable,
    };
  }
}
