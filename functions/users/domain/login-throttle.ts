/**
 * Password guessing is throttled per email (api.md, Users): after 5 failed logins within 15
 * minutes, further attempts are refused (429) without checking the password, for a time that
 * doubles with each further attempt, at most an hour. A known and an unknown email are treated
 * alike, so the throttle reveals nothing about which accounts exist.
 *
 * Every attempt is counted before its password is checked, atomically, so each attempt gets its
 * own number: of any number of parallel attempts, only those numbered 1 to 5 reach a password
 * check. A successful login then clears the count. This module is the policy, pure and in
 * epoch milliseconds; the store applies it atomically.
 */
export const LOGIN_THROTTLE = {
  /** Attempts whose password is checked before the first lock. */
  freeAttempts: 5,
  /** A record with no attempt and no lock for this long starts over. */
  windowMs: 15 * 60_000,
  /** The lock the first refused attempt sets; each further attempt doubles it. */
  firstLockMs: 30_000,
  maxLockMs: 60 * 60_000,
} as const;

/** The email's record right after this attempt was counted. */
export interface AttemptRecord {
  /** Attempts counted since the record started over, this one included. */
  attempts: number;
  /** Until when attempts are refused, once a refused attempt has set a lock. */
  lockedUntil?: number;
}

export type Verdict =
  /** Check the password. */
  | { kind: 'check' }
  /**
   * The lock has lapsed: one attempt may check the password, the one that moves the lock from
   * `lapsed` to `lockUntil` first (so that a failure is locked out again, twice as long); any
   * other attempt is refused like `refuse`.
   */
  | { kind: 'checkAfterLock'; lapsed: number; lockUntil: number; retryAfterSeconds: number }
  /** Refuse without checking, and lock at least until `lockUntil`. */
  | { kind: 'refuse'; lockUntil: number; retryAfterSeconds: number };

/** The lock that attempt number `attempts` (beyond the free ones) sets: 30 s, doubling, at most an hour. */
export function lockMs(attempts: number): number {
  const beyond = Math.max(attempts - LOGIN_THROTTLE.freeAttempts - 1, 0);
  return Math.min(LOGIN_THROTTLE.firstLockMs * 2 ** beyond, LOGIN_THROTTLE.maxLockMs);
}

/** Retry-After: whole seconds, rounded up, at least 1 (HTTP has no fractions, and 0 invites a busy loop). */
export function retryAfterSeconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

export function judge(record: AttemptRecord, now: number): Verdict {
  if (record.attempts <= LOGIN_THROTTLE.freeAttempts) return { kind: 'check' };
  const { lockedUntil } = record;
  const lockUntil = Math.max(lockedUntil ?? 0, now + lockMs(record.attempts));
  const retryAfter = retryAfterSeconds(lockUntil, now);
  if (lockedUntil !== undefined && lockedUntil <= now) {
    return { kind: 'checkAfterLock', lapsed: lockedUntil, lockUntil, retryAfterSeconds: retryAfter };
  }
  return { kind: 'refuse', lockUntil, retryAfterSeconds: retryAfter };
}

/** A record whose window start and lock both lie before this instant starts over. */
export function staleBefore(now: number): number {
  return now - LOGIN_THROTTLE.windowMs;
}

/** When the store may forget a record written at `now` (epoch seconds, for DynamoDB TTL): after any window or lock it can hold. */
export function forgetAfter(now: number): number {
  return Math.ceil((now + LOGIN_THROTTLE.windowMs + LOGIN_THROTTLE.maxLockMs) / 1000);
}
