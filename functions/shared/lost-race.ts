import { collidedWithTransaction, lostToConcurrentTransaction } from './dynamo';

/**
 * Retrying a write that lost a race with a concurrent one. A write loses in two ways: its own
 * version check fails (the attempt returns LOST_RACE and reads again on the next one), or DynamoDB
 * cancels it because another transaction held one of its items at that moment (TransactionConflict;
 * DynamoDB Local never produces it). Either way nothing was written, so the attempt may run again.
 */
export const LOST_RACE: unique symbol = Symbol('lost race');
export type Attempt<T> = (attempt: number) => Promise<T | typeof LOST_RACE>;

export interface RaceOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The error thrown when every attempt lost: a typed 409 for an HTTP caller. */
  exhausted: () => Error;
  /** The longest pause before the first retry; it doubles for each further one. @default 25 */
  maxDelayMs?: number;
}

/** A write DynamoDB refused because a concurrent transaction held its item: nothing was written. */
export function isLostRace(error: unknown): boolean {
  return lostToConcurrentTransaction(error) || collidedWithTransaction(error);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it wins, at most `attempts` times, with a random pause before each retry
 * (full jitter) so that writers who collided once do not collide again in lockstep. Any other
 * error than a lost race propagates at once.
 */
export async function retryOnLostRace<T>(attempt: Attempt<T>, options: RaceOptions): Promise<T> {
  const maxDelayMs = options.maxDelayMs ?? 25;
  for (let n = 1; n <= options.attempts; n += 1) {
    if (n > 1) await pause(Math.random() * maxDelayMs * 2 ** (n - 2));
    try {
      const result = await attempt(n);
      if (result !== LOST_RACE) return result as T;
    } catch (error) {
      if (!isLostRace(error)) throw error;
    }
  }
  throw options.exhausted();
}
