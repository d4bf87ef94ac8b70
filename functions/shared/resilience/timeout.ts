/** A call that did not answer within its time budget. */
export class TimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs`, and stops waiting for it then even
 * if the work ignores the signal: the caller's time budget holds either way.
 */
export async function withTimeout<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(Math.max(0, timeoutMs));
  let onAbort = () => {};
  // Listening before the work starts means the timeout wins the race against the work's own
  // abort error (e.g. fetch's DOMException), so callers see one kind of error for a timeout.
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(new TimeoutError(timeoutMs));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work(signal), expired]);
  } catch (error) {
    if (signal.aborted) throw new TimeoutError(timeoutMs);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
