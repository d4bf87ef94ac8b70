import { ConditionalCheckFailedException, TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../../functions/shared/errors';
import { isLostRace, LOST_RACE, retryOnLostRace } from '../../../functions/shared/lost-race';

const $metadata = {};
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata, CancellationReasons: codes.map((Code) => ({ Code })) });
const collided = () => new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata });

class Busy extends ConflictError {
  override readonly code = 'concurrent-update';
}
const options = { attempts: 3, exhausted: () => new Busy('busy'), maxDelayMs: 1 };

describe('isLostRace', () => {
  it('is a cancelled transaction with a TransactionConflict, or a single write that met a transaction', () => {
    expect(isLostRace(cancelled('None', 'TransactionConflict'))).toBe(true);
    expect(isLostRace(collided())).toBe(true);
    // Serialized across process boundaries, only the name is left.
    expect(isLostRace(Object.assign(new Error('x'), { name: 'TransactionConflictException' }))).toBe(true);
  });

  it('is not a failed condition, another cancellation or any other error', () => {
    expect(isLostRace(cancelled('ConditionalCheckFailed', 'None'))).toBe(false);
    expect(isLostRace(cancelled('ThrottlingError'))).toBe(false);
    expect(isLostRace(new ConditionalCheckFailedException({ message: 'no', $metadata }))).toBe(false);
    expect(isLostRace(new Error('boom'))).toBe(false);
    expect(isLostRace(undefined)).toBe(false);
  });
});

describe('retryOnLostRace', () => {
  it('returns the first winning attempt, after lost races of either kind', async () => {
    const outcomes = [() => { throw cancelled('TransactionConflict'); }, () => LOST_RACE, () => 'won'];
    const attempt = vi.fn(async (n: number) => outcomes[n - 1]!());
    expect(await retryOnLostRace(attempt, options)).toBe('won');
    expect(attempt.mock.calls.map(([n]) => n)).toEqual([1, 2, 3]);
  });

  it('throws the exhausted error after the last lost attempt, and no more attempts', async () => {
    const attempt = vi.fn(async () => {
      throw collided();
    });
    await expect(retryOnLostRace(attempt, options)).rejects.toBeInstanceOf(Busy);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('lets any other error through at once', async () => {
    const attempt = vi.fn(async () => {
      throw cancelled('ConditionalCheckFailed');
    });
    await expect(retryOnLostRace(attempt, options)).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  it('pauses a random time below the doubling bound before each retry (full jitter)', async () => {
    const delays: number[] = [];
    const timeout = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((resolve: () => void, ms: number) => {
      delays.push(ms);
      resolve();
      return 0;
    }) as unknown as typeof setTimeout);
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      await expect(retryOnLostRace(async () => LOST_RACE, { ...options, attempts: 4, maxDelayMs: 100 })).rejects.toBeInstanceOf(Busy);
    } finally {
      timeout.mockRestore();
      random.mockRestore();
    }
    expect(delays).toEqual([50, 100, 200]);
  });
});
