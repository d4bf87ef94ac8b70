/**
 * How a Task state fails, in the engine's terms: it matches `Retry`/`Catch` on the thrown error's
 * `name` (the States error name) and reports its `message` as the Cause; errors whose
 * `isRetryable`/`isCatchable` are false go straight to the execution, as `States.Runtime` does on AWS.
 */

/** A task failure with the error name and cause the integration reports on AWS. */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

/**
 * The task cannot run (an integration the emulator does not have, parameters the integration
 * cannot take): fails the execution whatever its Retry/Catch say.
 */
export class StatesRuntimeError extends Error {
  readonly isRetryable = false;
  readonly isCatchable = false;

  constructor(message: string) {
    super(message);
    this.name = 'States.Runtime';
  }
}

/** The engine retries and catches any error unless it says otherwise (see StatesRuntimeError). */
export function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('isRetryable' in error)) return true;
  return error.isRetryable !== false;
}

/** The error name the engine matches for a thrown value. */
export function errorNameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'States.Runtime';
}

/** The SDK exception name of a thrown value (`ResourceNotFoundException`...), when it has a specific one. */
export function exceptionNameOf(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  return error.name === 'Error' || error.name === '' ? undefined : error.name;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
