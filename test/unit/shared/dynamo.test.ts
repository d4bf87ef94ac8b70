import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { failedConditions, lostToConcurrentTransaction } from '../../../functions/shared/dynamo';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

describe('reading a cancelled transaction', () => {
  it('tells which item failed its condition', () => {
    expect(failedConditions(cancelled('None', 'ConditionalCheckFailed', 'None'))).toEqual([false, true, false]);
    expect(failedConditions(new Error('fault'))).toBeUndefined();
  });

  it('tells a lost race with a concurrent transaction from a fault', () => {
    expect(lostToConcurrentTransaction(cancelled('TransactionConflict', 'None'))).toBe(true);
    expect(lostToConcurrentTransaction(cancelled('ConditionalCheckFailed'))).toBe(false);
    expect(lostToConcurrentTransaction(new Error('TransactionConflict'))).toBe(false);
  });
});
