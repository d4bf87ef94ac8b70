/**
 * `orders flagged` and `rebuild orders`, on the orders table (see
 * functions/orders/adapters/dynamo-order-store.ts for its items). Both scan: an operator chore on
 * a table of this size, not a request path, so no index is paid for on every write.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { dynamoOrderHistory, type OrderHistory } from '../functions/orders/adapters/dynamo-order-history';
import { eventSortKey } from '../functions/orders/adapters/dynamo-order-store';
import { placedDetails, UnreplayableOrderError, type OrderSnapshot, type PlacedDetails } from '../functions/orders/domain/replay';
import { DEFAULT_SNAPSHOT_EVERY } from '../functions/orders/orders-config';
import { DynamoTable } from '../functions/shared/dynamo';
import { table, type Reporter } from './report';
import { required, type Target } from './target';

function documentClient(target: Target): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')), { marshallOptions: { removeUndefinedValues: true } });
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

/** The fields of the order's view that its later events change (the rest is as placed). */
export interface DerivedState {
  readonly status: string;
  readonly version: number;
  readonly updatedAt: string;
  readonly statusReason?: string;
}

/** What the view must say in the fields the events change, as every append writes them. */
export function derivedOf({ status, version, updatedAt, statusReason }: OrderSnapshot): DerivedState {
  return { status, version, updatedAt, ...(statusReason === undefined ? {} : { statusReason }) };
}

/** Which of the derived fields the stored state disagrees on. */
export function drift(stored: Record<string, unknown>, derived: DerivedState): string[] {
  return (Object.keys(derived) as (keyof DerivedState)[]).filter((field) => stored[field] !== derived[field]);
}

export interface RebuildSummary {
  readonly orders: number;
  readonly drifted: number;
  readonly rewritten: number;
  /** Orders with events and no view (wiped, lost): made again from their events. */
  readonly missing: number;
  readonly restored: number;
  /** Changed by the app between the read and the rewrite: left as the app wrote it. */
  readonly skipped: number;
  /** No view, and an OrderPlaced from before the event carried the order: cannot be made again. */
  readonly unreplayable: number;
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
  return new DynamoTable(tableName, client).updateIf({
    Key: { pk: stored.pk, sk: stored.sk }, UpdateExpression: update,
    ConditionExpression: '#version = :read', ExpressionAttributeNames: names, ExpressionAttributeValues: values,
  });
}

type Outcome = 'inSync' | 'drifted' | 'rewritten' | 'missing' | 'restored' | 'skipped' | 'unreplayable';

/** One order: its view made from its events (newest snapshot and the events after it), compared with the stored one, and mended. */
async function rebuildOne(history: OrderHistory, client: DynamoDBDocumentClient, tableName: string, orderId: string, dryRun: boolean, report: Reporter): Promise<Outcome[]> {
  const stored = await history.view(orderId);
  let replayed;
  try {
    // An OrderPlaced written before it carried the order takes it from the view, when there is one.
    replayed = await history.replay(orderId, stored ? { placed: placedDetails(stored as unknown as PlacedDetails) } : {});
  } catch (error) {
    if (!(error instanceof UnreplayableOrderError)) throw error;
    report.out(`order ${orderId}: no view, and its events do not carry the order as placed: left for a hand rebuild`);
    return ['unreplayable'];
  }
  if (replayed === undefined) return ['inSync'];
  const from = replayed.snapshotSeq === undefined ? `${replayed.folded} event(s)` : `the snapshot at ${replayed.snapshotSeq} and ${replayed.folded} event(s) after it`;
  if (!stored) {
    report.out(`order ${orderId}: no view → made again from ${from}`);
    if (dryRun) return ['missing'];
    return ['missing', (await history.restoreView(replayed.state)) ? 'restored' : 'skipped'];
  }
  const derived = derivedOf(replayed.state);
  const fields = drift(stored, derived);
  if (fields.length === 0) return ['inSync'];
  report.out(`order ${orderId}: ${fields.map((field) => `${field} ${String(stored[field])} → ${String(derived[field as keyof DerivedState])}`).join(', ')}`);
  if (dryRun) return ['drifted'];
  return ['drifted', (await rewrite(client, tableName, stored, derived)) ? 'rewritten' : 'skipped'];
}

/**
 * `rebuild orders`: every order that has events (found by its first event, so an order whose view
 * was wiped is found too) gets the view its events make: made again where it is missing,
 * rewritten where it drifted. Only what the events determine: the flags set beside them
 * (cancelRequested, the saga's claim, the operator flag) are not events and are not restored.
 */
export async function rebuildOrders(target: Target, options: { dryRun: boolean }, report: Reporter): Promise<RebuildSummary> {
  const tableName = required(target, 'ordersTableName');
  const client = documentClient(target);
  const history = dynamoOrderHistory(tableName, { pageSize: DEFAULT_SNAPSHOT_EVERY, db: client });
  const counts: Record<Outcome | 'orders', number> = { orders: 0, inSync: 0, drifted: 0, rewritten: 0, missing: 0, restored: 0, skipped: 0, unreplayable: 0 };
  const pages = paginateScan({ client }, {
    TableName: tableName, FilterExpression: 'sk = :first', ExpressionAttributeValues: { ':first': eventSortKey(1) }, ProjectionExpression: 'orderId',
  });
  for await (const page of pages) {
    for (const { orderId } of page.Items ?? []) {
      counts.orders++;
      for (const outcome of await rebuildOne(history, client, tableName, String(orderId), options.dryRun, report)) counts[outcome]++;
    }
    report.progress(`checked ${counts.orders} order(s), ${counts.drifted} drifted, ${counts.missing} missing`);
  }
  const { orders, drifted, rewritten, missing, restored, skipped, unreplayable } = counts;
  const action = options.dryRun ? 'dry run, nothing written' : `${rewritten} rewritten, ${restored} made again, ${skipped} changed meanwhile and left alone`;
  report.out(`rebuilt the orders view: ${orders} order(s), ${drifted} drifted, ${missing} missing (${action})${unreplayable ? `, ${unreplayable} cannot be made from their events` : ''}`);
  return { orders, drifted, rewritten, missing, restored, skipped, unreplayable };
}
