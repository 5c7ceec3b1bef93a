/** Errors of the dongflow client library: each maps to one HTTP status in the gateway. */

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `description`. */
  field: string;
  /** The rule it broke, in words. */
  rule: string;
}

export abstract class DongflowError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  readonly details: unknown;
  constructor(message: string, details?: unknown) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class ValidationError extends DongflowError {
  readonly code = 'validation_failed';
  readonly httpStatus = 400;
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.rule}`).join('; '), problems);
  }
}

export class DuplicateReferenceError extends DongflowError {
  readonly code = 'duplicate_reference';
  readonly httpStatus = 409;
  constructor(readonly referenceId: string, kind: string) {
    super(`A ${kind} with reference ${referenceId} already exists; a reference can be used only once`, { referenceId });
  }
}

export class NotFoundError extends DongflowError {
  readonly code = 'not_found';
  readonly httpStatus = 404;
  constructor(kind: string, referenceId: string) {
    super(`No ${kind} with reference ${referenceId}`, { referenceId });
  }
}

/** The flow exists but is not in a state that allows the request (e.g. an OTP for a payout already processing). */
export class InvalidStateError extends DongflowError {
  readonly code = 'invalid_state';
  readonly httpStatus = 409;
}

/** Temporal answered, but no worker handled the request in time (workers down or overloaded). */
export class WorkerUnavailableError extends DongflowError {
  readonly code = 'worker_unavailable';
  readonly httpStatus = 504;
  constructor(kind: string, referenceId: string) {
    super(`No worker answered in time for ${kind} ${referenceId}; the flow is safe in Temporal and continues once a worker runs`, { referenceId });
  }
}

export class TemporalUnavailableError extends DongflowError {
  readonly code = 'temporal_unavailable';
  readonly httpStatus = 503;
  constructor(cause: unknown) {
    super('Temporal is unreachable; nothing was changed, retry later', { cause: cause instanceof Error ? cause.message : String(cause) });
  }
}

/** Finan refused the request (unknown account, a rule of its own): nothing was created, nothing can be paid. */
export class ProviderRejectedError extends DongflowError {
  readonly code = 'provider_rejected';
  readonly httpStatus = 422;
}

/**
 * Finan could not be reached (or refused our credentials / IP) while creating: nothing usable was created, the
 * reference stays usable, and the same request may be sent again (it adopts whatever the first attempt left).
 */
export class ProviderUnavailableError extends DongflowError {
  readonly code = 'provider_unavailable';
  readonly httpStatus = 503;
}

/** Finan answered 409: the resource's state refuses the request (e.g. a customer with an unpaid invoice). */
export class ProviderConflictError extends DongflowError {
  readonly code = 'provider_conflict';
  readonly httpStatus = 409;
}

/**
 * A provider's answer passed on with the status that fits it: SePay's refusal of a change (422, its message), its
 * 403 (the user's role or the token's scope), a connection that needs consent (409).
 */
export class ProviderAnswerError extends DongflowError {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    details?: unknown,
  ) {
    super(message, details);
  }
}
