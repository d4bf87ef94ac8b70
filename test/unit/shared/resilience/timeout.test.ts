import { describe, expect, it } from 'vitest';
import { TimeoutError, withTimeout } from '../../../../functions/shared/resilience/timeout';

const never = () => new Promise<never>(() => {});

describe('withTimeout', () => {
  it('returns what the work returns in time', async () => {
    await expect(withTimeout(1000, async () => 'done')).resolves.toBe('done');
  });

  it('rethrows the work\'s own error unchanged', async () => {
    const error = new Error('boom');
    await expect(withTimeout(1000, async () => { throw error; })).rejects.toBe(error);
  });

  it('gives up with TimeoutError on work that ignores the signal', async () => {
    const started = Date.now();
    const error = await withTimeout(30, never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(30);
    // The work never ends: any answer is the timeout's. Bounded only against a unit slip (30 s for
    // 30 ms), well above what a stalled worker on a loaded host adds to a 30 ms timer.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('aborts the signal the work was given, and reports a TimeoutError rather than the abort', async () => {
    let signal: AbortSignal | undefined;
    const error = await withTimeout(30, (s) => {
      signal = s;
      return new Promise((_, reject) => s.addEventListener('abort', () => reject(s.reason)));
    }).catch((e: unknown) => e);
    expect(signal?.aborted).toBe(true);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});
