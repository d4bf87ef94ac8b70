import { TransactionCanceledException, TransactionConflictException } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../functions/shared/dynamo/document-client';

const WRITES = new Set(['TransactWriteItemsCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

/** What real DynamoDB answers a write that meets another transaction in flight on its item. */
function conflictFor(commandName: string, input: { TransactItems?: unknown[] }): Error {
  const $metadata = { httpStatusCode: 400 };
  if (commandName !== 'TransactWriteItemsCommand') {
    return new TransactionConflictException({ message: 'Transaction is ongoing for the item', $metadata });
  }
  const reasons = (input.TransactItems ?? []).map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' }));
  return new TransactionCanceledException({
    message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
    $metadata,
    CancellationReasons: reasons,
  });
}

/**
 * A DynamoDB client wrapper for handler tests: the writes of the handlers' shared client can be
 * made to fail as DynamoDB fails them when they lose to a concurrent transaction (which DynamoDB
 * Local never does), or with any other error (a lost response). A failed write never reaches the
 * table. Call after the handler environment is set up (the client is created on first use).
 */
export interface FaultOptions {
  /** The writes that fail, by the low-level command name (default: every write). */
  commands?: readonly string[];
  /** What they fail with (default: DynamoDB's conflict error for the command). */
  error?: (commandName: string) => Error;
}

export function transactionConflicts() {
  let remaining = 0;
  let injected = 0;
  let options: FaultOptions = {};
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? '';
      if (remaining > 0 && WRITES.has(name) && (options.commands?.includes(name) ?? true)) {
        remaining -= 1;
        injected += 1;
        throw options.error?.(name) ?? conflictFor(name, args.input as { TransactItems?: unknown[] });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectTransactionConflicts', priority: 'high' },
  );
  return {
    /** The next `count` writes (of `commands`) fail, with a conflict unless `error` says otherwise. */
    failNext(count: number, faults: FaultOptions = {}) {
      remaining = count;
      injected = 0;
      options = faults;
    },
    /** Every write conflicts until stop(). */
    failAll() {
      remaining = Number.POSITIVE_INFINITY;
      injected = 0;
      options = {};
    },
    stop() {
      remaining = 0;
    },
    injected: () => injected,
  };
}
