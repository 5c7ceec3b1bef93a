/**
 * How every client call reaches Temporal: with a deadline, so an unreachable server is reported quickly instead
 * of waited for, and with Temporal's errors translated into the library's (`errors.ts`), in one place.
 */
import type { Client, Connection } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { DongflowError, DuplicateReferenceError, InvalidStateError, NotFoundError, TemporalUnavailableError, WorkerUnavailableError } from './errors';

/** Options every client of the library takes. */
export interface TemporalCallOptions {
  /** The workflows' task queue (default `dongflow`). */
  taskQueue?: string;
  /** How long a start or read may wait for Temporal before answering TemporalUnavailableError. Default 10 s. */
  rpcTimeoutMs?: number;
}

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/**
 * Runs Temporal calls with a deadline, so an unreachable server is reported quickly instead of being waited for,
 * and translates Temporal's errors into the library's. Every call of the library goes through it.
 */
export async function callTemporal<T>(
  client: Client,
  timeoutMs: number,
  kind: string,
  referenceId: string,
  call: () => Promise<T>,
  /** A flow-specific reading of the error, before the common translation. */
  interpret: (err: unknown) => unknown = (err) => err,
): Promise<T> {
  try {
    return await client.connection.withDeadline(Date.now() + timeoutMs, call);
  } catch (err) {
    const translated = translateTemporalError(interpret(err), kind, referenceId);
    // Out of time: either Temporal is unreachable, or it is up and no worker answered (a query or update needs one).
    if (translated instanceof TemporalUnavailableError && (await temporalAnswers(client))) throw new WorkerUnavailableError(kind, referenceId);
    throw translated;
  }
}

async function temporalAnswers(client: Client): Promise<boolean> {
  try {
    const connection = client.connection as Connection;
    await connection.withDeadline(Date.now() + 1_000, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}

/** Temporal's own errors, translated into the library's: one place, used by every call. */
export function translateTemporalError(err: unknown, kind: string, referenceId: string): unknown {
  if (err instanceof DongflowError) return err;
  if (err instanceof WorkflowExecutionAlreadyStartedError) return new DuplicateReferenceError(referenceId, kind);
  if (err instanceof WorkflowNotFoundError) return new NotFoundError(kind, referenceId);
  if (err instanceof WorkflowUpdateFailedError) return new InvalidStateError(err.cause?.message ?? err.message);
  const message = err instanceof Error ? err.message : String(err);
  const grpcCode = (err as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (err as { code?: unknown })?.code;
  // 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED: the server could not be reached; nothing happened.
  if (grpcCode === 14 || grpcCode === 4 || /UNAVAILABLE|ECONNREFUSED|failed to connect|Failed to connect|DEADLINE_EXCEEDED/i.test(message)) {
    return new TemporalUnavailableError(err);
  }
  return err;
}

/**
 * A `callTemporal` bound to a client and its default deadline: `guarded(kind, referenceId, call)`, with an optional
 * longer deadline and a flow-specific reading of the error.
 */
export function guardedCalls(client: Client, options: TemporalCallOptions) {
  return <T>(kind: string, referenceId: string, call: () => Promise<T>, timeoutMs = options.rpcTimeoutMs ?? DEFAULT_RPC_TIMEOUT_MS, interpret?: (err: unknown) => unknown): Promise<T> =>
    callTemporal(client, timeoutMs, kind, referenceId, call, interpret);
}
