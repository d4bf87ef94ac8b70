import { DynamoTable, expiresAfter, ITEM_ABSENT, itemKey, presentFields, replaceIfStill, type Item } from '../../shared/dynamo';
import type { ShipmentStore } from '../domain/shipping';
import type { Shipment } from '../domain/shipment';

/**
 * Items of the shipping table, partitioned by order:
 * - `ORDER#<orderId>`/`SHIPMENT`: the order's one shipment, written whole; every change is
 *   conditioned on the status it moves from. Or, in its place, the note of an OrderCancelled that
 *   found no shipment (kind `orderCancelledNote`), so an OrderConfirmed delivered after it
 *   (EventBridge does not keep order) creates the shipment CANCELLED. Note and shipment share the
 *   key, so each excludes the other with one conditional Put (no transaction with a check of a
 *   second item): a note is written only where there is nothing, a shipment heeding notes only
 *   where there is nothing, and one that does not (CANCELLED) replaces a note. Removed by TTL
 *   after 30 days, longer than any redelivery (a day of EventBridge retries, 14 days in a
 *   dead-letter queue); no reader takes it for a shipment.
 * - `OUTBOX#<eventId>`/`OUTBOX`: ShipmentDispatched and ShipmentDelivered, for the relay.
 * A lost race reads the same everywhere: a write that collides with a transaction in flight
 * (TransactionConflict) is retried by the domain like a failed condition.
 */
const orderPartition = (orderId: string) => `ORDER#${orderId}`;
const shipmentKey = (orderId: string) => itemKey(orderPartition(orderId), 'SHIPMENT');
const NOTE_RETENTION_SECONDS = 30 * 24 * 60 * 60;
const KINDS = { shipment: 'shipment', note: 'orderCancelledNote' } as const;

function shipmentItem(shipment: Shipment): Item {
  return { ...shipmentKey(shipment.orderId), kind: KINDS.shipment, ...shipment };
}

function toShipment(item: Item): Shipment {
  const {
    shipmentId, orderId, customerId, status, carrier, trackingNumber, createdAt, updatedAt, dispatchEventId, deliveryEventId,
  } = item as unknown as Shipment;
  return {
    shipmentId, orderId, customerId, status, createdAt, updatedAt, ...presentFields({ carrier, trackingNumber, dispatchEventId, deliveryEventId }),
  };
}

export function dynamoShipmentStore(tableName: string): ShipmentStore {
  const table = new DynamoTable(tableName);

  /** What holds the order's key after a Put refused by its condition (read only then: a redelivery or a race). */
  async function holder(orderId: string): Promise<'shipment' | 'note' | 'nothing'> {
    const kind = (await table.get(shipmentKey(orderId)))?.kind;
    if (kind === undefined) return 'nothing';
    return kind === KINDS.note ? 'note' : 'shipment';
  }

  return {
    async get(orderId) {
      const item = await table.get(shipmentKey(orderId));
      return item?.kind === KINDS.shipment ? toShipment(item) : undefined;
    },

    async create(shipment, { unlessOrderCancelled }) {
      const created = await table.putIf({
        Item: shipmentItem(shipment),
        ...(unlessOrderCancelled
          ? { ConditionExpression: ITEM_ABSENT }
          : { ConditionExpression: `${ITEM_ABSENT} OR kind = :note`, ExpressionAttributeValues: { ':note': KINDS.note } }),
      });
      if (created) return 'created';
      // Refused, then gone (only TTL removes an item): decide again from a fresh read.
      const found = await holder(shipment.orderId);
      return found === 'shipment' ? 'exists' : found === 'note' ? 'orderCancelled' : 'lostRace';
    },

    async noteCancellation(orderId, at) {
      const note = { ...shipmentKey(orderId), kind: KINDS.note, orderId, at, ...expiresAfter(at, NOTE_RETENTION_SECONDS) };
      if (await table.putIf({ Item: note, ConditionExpression: ITEM_ABSENT })) return 'noted';
      const found = await holder(orderId);
      // The first note is kept: a redelivered OrderCancelled changes nothing.
      return found === 'shipment' ? 'shipmentExists' : found === 'note' ? 'noted' : 'lostRace';
    },

    replace(next, from, event) {
      return table.transactIf([replaceIfStill(shipmentItem(next), 'status', from)], event);
    },
  };
}
