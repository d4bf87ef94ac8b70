/**
 * `orders flagged` and `rebuild orders`, on the orders table (see
 * functions/orders/adapters/dynamo-order-store.ts for its items). Both scan: an operator chore on
 * a table of this size, not a request path, so no index is paid for on every write.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery, paginateScan, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { OrderEvent } from '../functions/orders/domain/order';
import { table, type Reporter } from './report';
import { required, type Target } from './target';

function documentClient(target: Target): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
}

export interface FlaggedOrder {
  readonly orderId: string;
  readonly status: string;
  readonly flaggedAt: string;
  readonly error: string;
}

export async function flaggedOrders(target: Target, report: Reporter): Promise<FlaggedOrder[]> {
  const tableName = required(target, 'ordersTableName');
  const flagged: FlaggedOrder[] = [];
  let scanned = 0;
  const pages = paginateScan({ client: documentClient(target) }, {
    TableName: tableName,
    FilterExpression: 'sk = :state AND needsOperator = :yes',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':state': 'STATE', ':yes': true },
    ProjectionExpression: 'orderId, #status, flaggedAt, operatorError',
  });
  for await (const page of pages) {
    scanned += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      flagged.push({ orderId: String(item.orderId), status: String(item.status), flaggedAt: String(item.flaggedAt ?? ''), error: String(item.operatorError ?? '') });
    }
    report.progress(`scanned ${scanned} item(s), ${flagged.length} flagged order(s) so far`);
  }
  flagged.sort((a, b) => a.flaggedAt.localeCompare(b.flaggedAt));
  for (const line of table(['ORDER', 'STATUS', 'FLAGGED AT', 'ERROR'], flagged.map((order) => [order.orderId, order.status, order.flaggedAt, order.error]))) {
    report.out(line);
  }
  report.out(`${flagged.length} order(s) need an operator`);
  return flagged;
}

/** The fields of the order's state item that its events determine. */
export interface DerivedState {
  readonly status: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly statusReason?: string;
}

/** Folds an order's events (oldest first) into what its state item must say, as every append writes it. */
export function foldOrderEvents(events: readonly Pick<OrderEvent, 'seq' | 'status' | 'at' | 'reason'>[]): DerivedState | undefined {
  const last = events.at(-1);
  if (last === undefined) return undefined;
  const reason = events.findLast((event) => event.reason !== undefined)?.reason;
  return { status: last.status, version: last.seq, updatedAt: last.at, ...(reason === undefined ? {} : { statusReason: reason }) };
}

/** Which of the derived fields the stored state disagrees on. */
export function drift(stored: Record<string, unknown>, derived: DerivedState): string[] {
  return (Object.keys(derived) as (keyof DerivedState)[]).filter((field) => stored[field] !== derived[field]);
}

export interface RebuildSummary {
  readonly orders: number;
  readonly drifted: number;
  readonly rewritten: number;
  /** Changed by the app between the read and the rewrite: left as the app wrote it. */
  readonly skipped: number;
}

async function eventsOf(client: DynamoDBDocumentClient, tableName: string, orderId: string): Promise<OrderEvent[]> {
  const events: OrderEvent[] = [];
  const pages = paginateQuery({ client }, {
    TableName: tableName, ConsistentRead: true,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
    ExpressionAttributeValues: { ':pk': `ORDER#${orderId}`, ':event': 'EVENT#' },
  });
  for await (const page of pages) events.push(...((page.Items ?? []) as OrderEvent[]));
  return events;
}

/** Rewrites the derived fields, only if the state item is still the version that was read. */
async function rewrite(client: DynamoDBDocumentClient, tableName: string, stored: Record<string, unknown>, derived: DerivedState): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
  const values: Record<string, unknown> = { ':status': derived.status, ':version': derived.version, ':updatedAt': derived.updatedAt, ':read': stored.version };
  let update = 'SET #status = :status, #version = :version, updatedAt = :updatedAt';
  if (derived.statusReason !== undefined) {
    update += ', statusReason = :reason';
    values[':reason'] = derived.statusReason;
  }
  try {
    await client.send(new UpdateCommand({
      TableName: tableName, Key: { pk: stored.pk, sk: stored.sk }, UpdateExpression: update,
      ConditionExpression: '#version = :read', ExpressionAttributeNames: names, ExpressionAttributeValues: values,
    }));
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** `rebuild orders`: every order's state item checked against its events, and rewritten where it drifted. */
export async function rebuildOrders(target: Target, options: { dryRun: boolean }, report: Reporter): Promise<RebuildSummary> {
  const tableName = required(target, 'ordersTableName');
  const client = documentClient(target);
  let orders = 0, drifted = 0, rewritten = 0, skipped = 0;
  const pages = paginateScan({ client }, { TableName: tableName, FilterExpression: 'sk = :state', ExpressionAttributeValues: { ':state': 'STATE' } });
  for await (const page of pages) {
    for (const stored of page.Items ?? []) {
      orders++;
      const derived = foldOrderEvents(await eventsOf(client, tableName, String(stored.orderId)));
      const fields = derived === undefined ? [] : drift(stored, derived);
      if (derived === undefined || fields.length === 0) continue;
      drifted++;
      report.out(`order ${String(stored.orderId)}: ${fields.map((field) => `${field} ${String(stored[field])} → ${String(derived[field as keyof DerivedState])}`).join(', ')}`);
      if (options.dryRun) continue;
      if (await rewrite(client, tableName, stored, derived)) rewritten++;
      else skipped++;
    }
    report.progress(`checked ${orders} order(s), ${drifted} drifted`);
  }
  const action = options.dryRun ? 'dry run, nothing written' : `${rewritten} rewritten, ${skipped} changed meanwhile and left alone`;
  report.out(`rebuilt the orders view: ${orders} order(s), ${drifted} drifted (${action})`);
  return { orders, drifted, rewritten, skipped };
}
