import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoTable, ITEM_ABSENT, type Item } from '../../shared/dynamo';
import type { OrderState } from '../domain/order';
import { replayOrder, type OrderSnapshot, type PlacedDetails } from '../domain/replay';
import { EVENT_PREFIX, ORDER_ITEM_KINDS, orderPartition, stateItem, stateKey, toEvent } from './dynamo-order-store';

/** What a replay made, and from what. */
export interface ReplayedOrder {
  readonly state: OrderSnapshot;
  /** The version of the snapshot it started from; absent when it folded every event from the first. */
  readonly snapshotSeq?: number;
  /** How many events it folded (after the snapshot, when there was one). */
  readonly folded: number;
}

/** The order event store as the rebuild of the orders view reads and writes it (`ops rebuild orders`). */
export interface OrderHistory {
  /**
   * The order its events make: the newest snapshot and the events after it, or every event when
   * there is no snapshot; undefined for an order with no events. `placed` stands in for an
   * OrderPlaced written before the event carried the order.
   */
  replay(orderId: string, options?: { placed?: PlacedDetails }): Promise<ReplayedOrder | undefined>;
  /** The order's view (its STATE item) as stored. */
  view(orderId: string): Promise<Item | undefined>;
  /** Writes the view an order's events make, only where the order has none: false when one appeared meanwhile. */
  restoreView(state: OrderSnapshot): Promise<boolean>;
}

export interface OrderHistoryOptions {
  /**
   * Items per Query: the stack's snapshot interval makes the replay one round trip (the newest
   * snapshot is among the `snapshotEvery` newest items); any other size is as correct, in more
   * round trips or larger ones.
   */
  readonly pageSize: number;
  /** @default the functions' shared client */
  readonly db?: DynamoDBDocumentClient;
}

/** Above every event and snapshot key (`EVENT#<digits>...`), below `PAYMENT` and `STATE`. */
const ABOVE_EVENTS = `${EVENT_PREFIX}\uffff`;

export function dynamoOrderHistory(tableName: string, { pageSize, db }: OrderHistoryOptions): OrderHistory {
  const table = new DynamoTable(tableName, ...(db ? [db] : []));

  return {
    async replay(orderId, { placed } = {}) {
      // Newest first: a snapshot's key sorts right after its event's, so the items before it are
      // exactly the events after it.
      const newestFirst: Item[] = [];
      let below = ABOVE_EVENTS;
      let snapshot: Item | undefined;
      for (;;) {
        const page = await table.queryUpTo({ partition: orderPartition(orderId), below, newestFirst: true, consistent: true }, pageSize);
        const at = page.findIndex((item) => item.kind === ORDER_ITEM_KINDS.snapshot);
        newestFirst.push(...(at < 0 ? page : page.slice(0, at)));
        if (at >= 0) snapshot = page[at];
        if (at >= 0 || page.length < pageSize) break;
        below = String(page.at(-1)!.sk);
      }
      const events = newestFirst.reverse().map(toEvent);
      const state = replayOrder(orderId, snapshot?.state as OrderSnapshot | undefined, events, placed);
      if (state === undefined) return undefined;
      return { state, folded: events.length, ...(snapshot ? { snapshotSeq: snapshot.seq as number } : {}) };
    },

    view(orderId) {
      return table.get(stateKey(orderId));
    },

    restoreView(state) {
      return table.putIf({ Item: stateItem(state as OrderState), ConditionExpression: ITEM_ABSENT });
    },
  };
}
