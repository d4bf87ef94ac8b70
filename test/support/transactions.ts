import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { vi } from 'vitest';

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const TRANSACTION_ITEM_LIMIT = 100;

/**
 * Records the item count of every TransactWriteItems the handlers send from now on, while the
 * calls still reach DynamoDB Local: `counts()` lists them in the order they were sent, `stop()`
 * removes the spy.
 */
export function recordTransactions() {
  const spy = vi.spyOn(DynamoDBDocumentClient.prototype, 'send');
  const counts = () =>
    spy.mock.calls
      .map(([command]): unknown => command)
      .filter((command) => command instanceof TransactWriteCommand)
      .map((command) => command.input.TransactItems?.length ?? 0);
  return { counts, stop: () => spy.mockRestore() };
}
