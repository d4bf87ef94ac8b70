/**
 * What a poller makes of a function's answer to a batch, following the Lambda guide's rules
 * for partial batch responses (`ReportBatchItemFailures`).
 */
import type { InvokeResult, LambdaInvoker } from '../types';
import { errorMessage } from './error-message';

export type BatchOutcome =
  /** Every record was processed. */
  | { readonly kind: 'success' }
  /** The function reported these items as failed (message ids, or stream sequence numbers). */
  | { readonly kind: 'partial'; readonly failedIds: readonly string[] }
  /** The whole batch failed: the function threw, timed out, or answered an invalid partial response. */
  | { readonly kind: 'failure'; readonly functionError?: string; readonly reason: string };

/**
 * Without ReportBatchItemFailures any answer is a success. With it, a missing, null or empty
 * `batchItemFailures` is a success, and an item failure without a valid identifier of this
 * batch fails the whole batch.
 */
export function batchOutcome(
  result: InvokeResult,
  reportBatchItemFailures: boolean,
  batchIds: readonly string[],
): BatchOutcome {
  if (!result.ok) {
    return { kind: 'failure', functionError: 'Unhandled', reason: `${result.error.errorType}: ${result.error.errorMessage}` };
  }
  if (!reportBatchItemFailures) return { kind: 'success' };
  const payload = result.payload;
  if (payload === null || payload === undefined) return { kind: 'success' };
  if (typeof payload !== 'object' || Array.isArray(payload)) return { kind: 'failure', reason: 'the partial batch response is not an object' };
  const failures: unknown = (payload as Record<string, unknown>).batchItemFailures;
  if (failures === null || failures === undefined) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'failure', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };

  const known = new Set(batchIds);
  const failedIds: string[] = [];
  for (const failure of failures) {
    const identifier: unknown = typeof failure === 'object' && failure !== null ? (failure as Record<string, unknown>).itemIdentifier : undefined;
    if (typeof identifier !== 'string' || identifier === '' || !known.has(identifier)) {
      return { kind: 'failure', reason: `batchItemFailures names an item that is not in the batch: ${JSON.stringify(failure)}` };
    }
    failedIds.push(identifier);
  }
  return { kind: 'partial', failedIds };
}

/** An invoker that throws (rather than reporting a function error) fails the batch the same way. */
export async function invokeSafely(lambda: LambdaInvoker, functionName: string, payload: unknown): Promise<InvokeResult> {
  try {
    return await lambda.invoke(functionName, payload);
  } catch (error) {
    return { ok: false, error: { errorType: 'InvokeError', errorMessage: errorMessage(error) } };
  }
}
