import { describe, expect, it, vi } from 'vitest';
import {
  backoffDelay, DeadlineExceededError, isRetryableStatus, retrying, type RetryOptions, type RetryPolicy,
} from '../../../../functions/shared/resilience/retry';

const policy: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

class Transient extends Error {}
class Permanent extends Error {}

/** Retry options on a fake clock: sleeping moves the clock instead of waiting. */
function options(overrides: Partial<RetryOptions> = {}) {
  const clock = { now: 0 };
  const sleeps: number[] = [];
  const opts: RetryOptions = {
    policy,
    isRetryable: (error) => error instanceof Transient,
    deadline: 10_000,
    now: () => clock.now,
    random: () => 0.5,
    sleep: async (ms) => { sleeps.push(ms); clock.now += ms; },
    ...overrides,
  };
  return { opts, sleeps, clock };
}

describe('isRetryableStatus', () => {
  it.each([429, 500, 502, 503, 504])('retries %i', (status) => expect(isRetryableStatus(status)).toBe(true));
  it.each([400, 401, 403, 404, 409, 422])('does not retry %i', (status) => expect(isRetryableStatus(status)).toBe(false));
});

describe('backoffDelay (full jitter)', () => {
  it('is 0 at the bottom of the jitter range', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('stays below a ceiling that doubles with each retry', () => {
    const top = () => 0.999999;
    expect(backoffDelay(1, policy, top)).toBe(99);
    expect(backoffDelay(2, policy, top)).toBe(199);
    expect(backoffDelay(3, policy, top)).toBe(399);
  });

  it('never grows beyond maxDelayMs', () => {
    expect(backoffDelay(10, policy, () => 0.999999)).toBe(999);
  });

  it('scales the random draw over the whole range', () => {
    expect(backoffDelay(2, policy, () => 0.25)).toBe(50);
  });

  it('stays within [0, ceiling) for any draw', () => {
    for (let retry = 1; retry <= 6; retry += 1) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
      for (let i = 0; i < 200; i += 1) {
        const delay = backoffDelay(retry, policy);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    }
  });
});

describe('retrying', () => {
  it('returns the first success without retrying', async () => {
    const attempt = vi.fn(async () => 'ok');
    const { opts, sleeps } = options();
    await expect(retrying(attempt, opts)).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
  });

  it('retries transient errors, sleeping a jittered, growing backoff in between', async () => {
    const attempt = vi.fn<(remaining: number) => Promise<string>>()
      .mockRejectedValueOnce(new Transient())
      .mockRejectedValueOnce(new Transient())
      .mockResolvedValueOnce('ok');
    const { opts, sleeps } = options();
    await expect(retrying(attempt, opts)).resolves.toBe('ok');
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(sleeps).toEqual([50, 100]);
  });

  it('is bounded: after maxRetries it throws the last error', async () => {
    const last = new Transient('third');
    const attempt = vi.fn<(remaining: number) => Promise<string>>()
      .mockRejectedValueOnce(new Transient('first'))
      .mockRejectedValueOnce(new Transient('second'))
      .mockRejectedValueOnce(last);
    const { opts } = options();
    await expect(retrying(attempt, opts)).rejects.toBe(last);
    expect(attempt).toHaveBeenCalledTimes(policy.maxRetries + 1);
  });

  it('does not retry an error that is not retryable', async () => {
    const attempt = vi.fn(async () => { throw new Permanent(); });
    const { opts } = options();
    await expect(retrying(attempt, opts)).rejects.toBeInstanceOf(Permanent);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('gives up rather than sleep past the deadline', async () => {
    const attempt = vi.fn(async () => { throw new Transient(); });
    const { opts, sleeps } = options({ deadline: 40, random: () => 0.5 });
    await expect(retrying(attempt, opts)).rejects.toBeInstanceOf(Transient);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(sleeps).toEqual([]);
  });

  it('tells each attempt how much of the deadline is left', async () => {
    const seen: number[] = [];
    const { opts, clock } = options({ deadline: 1000 });
    const attempt = async (remaining: number) => {
      seen.push(remaining);
      clock.now += 200;
      if (seen.length < 3) throw new Transient();
      return 'ok';
    };
    await retrying(attempt, opts);
    expect(seen).toEqual([1000, 750, 450]);
  });

  it('starts no attempt once the deadline has passed', async () => {
    const attempt = vi.fn(async () => 'ok');
    const { opts } = options({ deadline: 0 });
    await expect(retrying(attempt, opts)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(attempt).not.toHaveBeenCalled();
  });
});
