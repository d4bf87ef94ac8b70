import {
  ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException,
} from '@aws-sdk/client-dynamodb';

const isNamed = (error: unknown, name: string) => (error as { name?: string } | undefined)?.name === name;

/** The per-item cancellation codes of a cancelled transaction; undefined for any other error (a fault). */
function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (!(error instanceof TransactionCanceledException) && !isNamed(error, 'TransactionCanceledException')) return undefined;
  return ((error as TransactionCanceledException).CancellationReasons ?? []).map((reason) => reason.Code);
}

/**
 * Which items of a cancelled transaction failed their condition, by position; undefined when
 * the error is not a cancelled transaction (a fault, to be rethrown).
 */
export function failedConditions(error: unknown): boolean[] | undefined {
  return cancellationCodes(error)?.map((code) => code === 'ConditionalCheckFailed');
}

/**
 * A transaction that lost to a concurrent one on the same item (DynamoDB cancels it with
 * TransactionConflict): like a failed version check, the caller may read again and retry.
 */
export function lostToConcurrentTransaction(error: unknown): boolean {
  return cancellationCodes(error)?.includes('TransactionConflict') ?? false;
}

/** A single-item write that collided with a transaction in flight on the same item: nothing was written. */
export function collidedWithTransaction(error: unknown): boolean {
  return error instanceof TransactionConflictException || isNamed(error, 'TransactionConflictException');
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException || isNamed(error, 'ConditionalCheckFailedException');
}

/** A transaction DynamoDB cancelled for a reason its writer can answer: nothing was written. */
export interface Cancellation {
  readonly written: false;
  /** By position in the transaction: whether the item's condition failed. */
  readonly failed: readonly boolean[];
  /** Another transaction held one of its items (TransactionConflict): reading again and retrying may win. */
  readonly lostRace: boolean;
  /** The SDK's error, for a writer to rethrow a cancellation it has no answer for. */
  readonly error: unknown;
}

/** The cancellation `error` reports when a condition failed or a race was lost; undefined for a fault. */
export function cancellationOf(error: unknown): Cancellation | undefined {
  const failed = failedConditions(error);
  const lostRace = lostToConcurrentTransaction(error);
  if (failed === undefined || !(lostRace || failed.some(Boolean))) return undefined;
  return { written: false, failed, lostRace, error };
}
