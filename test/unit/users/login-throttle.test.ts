import { describe, expect, it } from 'vitest';
import {
  forgetAfter, judge, lockMs, LOGIN_THROTTLE, retryAfterSeconds, staleBefore,
} from '../../../functions/users/domain/login-throttle';

const now = Date.parse('2026-03-01T12:00:00Z');
const SECOND = 1000;

describe('the login throttle policy', () => {
  it('is the documented one: 5 failed logins within 15 minutes, locks doubling up to an hour', () => {
    expect(LOGIN_THROTTLE.freeAttempts).toBe(5);
    expect(LOGIN_THROTTLE.windowMs).toBe(15 * 60 * SECOND);
    expect(LOGIN_THROTTLE.maxLockMs).toBe(3600 * SECOND);
  });

  it('checks the password of attempts 1 to 5, whatever else the record holds', () => {
    for (let attempts = 1; attempts <= 5; attempts += 1) {
      expect(judge({ attempts }, now)).toEqual({ kind: 'check' });
      expect(judge({ attempts, lockedUntil: now + 60 * SECOND }, now)).toEqual({ kind: 'check' });
    }
  });

  it('refuses attempt 6 and locks for 30 s', () => {
    expect(judge({ attempts: 6 }, now)).toEqual({ kind: 'refuse', lockUntil: now + 30 * SECOND, retryAfterSeconds: 30 });
  });

  it('doubles the lock with each further attempt, capped at one hour', () => {
    const seconds = [6, 7, 8, 9, 10, 11, 12, 13, 14, 50, 5000].map((attempts) => lockMs(attempts) / SECOND);
    expect(seconds).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]);
  });

  it('refuses while locked, answering the later of the current lock and the doubled one', () => {
    expect(judge({ attempts: 7, lockedUntil: now + 20 * SECOND }, now)).toEqual({
      kind: 'refuse', lockUntil: now + 60 * SECOND, retryAfterSeconds: 60,
    });
    expect(judge({ attempts: 7, lockedUntil: now + 3000 * SECOND }, now)).toEqual({
      kind: 'refuse', lockUntil: now + 3000 * SECOND, retryAfterSeconds: 3000,
    });
    // A lock that ends this very millisecond is still on: nothing may slip in at its edge.
    expect(judge({ attempts: 8, lockedUntil: now + 1 }, now).kind).toBe('refuse');
  });

  it('lets one attempt check after a lock lapsed, locking again for twice as long should it fail', () => {
    expect(judge({ attempts: 9, lockedUntil: now - 5 * SECOND }, now)).toEqual({
      kind: 'checkAfterLock', lapsed: now - 5 * SECOND, lockUntil: now + 240 * SECOND, retryAfterSeconds: 240,
    });
    expect(judge({ attempts: 9, lockedUntil: now }, now).kind).toBe('checkAfterLock');
  });

  it('answers Retry-After in whole seconds, rounded up, never below 1', () => {
    expect(retryAfterSeconds(now + 30 * SECOND, now)).toBe(30);
    expect(retryAfterSeconds(now + 1500, now)).toBe(2);
    expect(retryAfterSeconds(now + 1, now)).toBe(1);
    expect(retryAfterSeconds(now, now)).toBe(1);
    expect(retryAfterSeconds(now - 10 * SECOND, now)).toBe(1);
    for (let attempts = 6; attempts < 20; attempts += 1) {
      const verdict = judge({ attempts, lockedUntil: now + 1234 }, now);
      if (verdict.kind === 'check') throw new Error('expected a refusal');
      expect(Number.isInteger(verdict.retryAfterSeconds)).toBe(true);
      expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(verdict.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('starts a record over once its window and its lock both lie 15 minutes back', () => {
    expect(staleBefore(now)).toBe(now - 15 * 60 * SECOND);
  });

  it('lets the table forget a record only after any window or lock it can hold, in epoch seconds', () => {
    const expiry = forgetAfter(now);
    expect(Number.isInteger(expiry)).toBe(true);
    expect(expiry * SECOND).toBeGreaterThanOrEqual(now + LOGIN_THROTTLE.windowMs + LOGIN_THROTTLE.maxLockMs);
    expect(expiry * SECOND).toBeLessThan(now + LOGIN_THROTTLE.windowMs + LOGIN_THROTTLE.maxLockMs + 2 * SECOND);
  });
});
