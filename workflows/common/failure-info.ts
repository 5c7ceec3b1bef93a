/** Turning a failed activity into the `failure` a flow reports: one mapping for every flow. */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { FailureInfo } from './failures';

export function failureInfo(err: unknown): FailureInfo {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    // Activities put the provider error's safe fields (status, code, request id) in the first detail.
    const details = (cause.details?.[0] ?? {}) as Partial<FailureInfo>;
    return {
      type: cause.type ?? 'Error',
      message: cause.message,
      httpStatus: details.httpStatus,
      providerCode: details.providerCode,
      requestId: details.requestId,
    };
  }
  if (cause instanceof TimeoutFailure) return { type: 'Timeout', message: 'Finan did not answer in time' };
  return { type: 'Error', message: err instanceof Error ? err.message : String(err) };
}
