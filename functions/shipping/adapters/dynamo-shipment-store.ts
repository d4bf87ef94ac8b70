import { DynamoTable, expiresAfter, ITEM_ABSENT, itemKey, presentFields, putNew, replaceIfStill, type Item } from '../../shared/dynamo';
import type { ShipmentStore } from '../domain/shipping';
import type { Shipment } from '../domain/shipment';

/**
 * Items of the shipping table, partitioned by order:
 * - `ORDER#<orderId>`/`SHIPMENT`: the order's one shipment, written whole; every change is
 *   conditioned on the status it moves from.
 * - `ORDER#<orderId>`/`ORDER_CANCELLED`: notes an OrderCancelled that found no shipment, so an
 *   OrderConfirmed delivered after it (EventBridge does not keep order) creates the shipment
 *   CANCELLED. Written only while there is no shipment; removed by TTL after 30 days, longer
 *   than any redelivery (a day of EventBridge retries, 14 days in a dead-letter queue).
 * - `OUTBOX#<eventId>`/`OUTBOX`: ShipmentDispatched and ShipmentDelivered, for the relay.
 * Every write is a transaction, so a lost race reads the same (TransactionConflict) everywhere.
 */
const orderPartition = (orderId: string) => `ORDER#${orderId}`;
const shipmentKey = (orderId: string) => itemKey(orderPartition(orderId), 'SHIPMENT');
const cancellationNoteKey = (orderId: string) => itemKey(orderPartition(orderId), 'ORDER_CANCELLED');
const NOTE_RETENTION_SECONDS = 30 * 24 * 60 * 60;
const absent = (key: Item) => ({ ConditionCheck: { Key: key, ConditionExpression: ITEM_ABSENT } });

function shipmentItem(shipment: Shipment): Item {
  return { ...shipmentKey(shipment.orderId), kind: 'shipment', ...shipment };
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

  return {
    async get(orderId) {
      const item = await table.get(shipmentKey(orderId));
      return item ? toShipment(item) : undefined;
    },

    async create(shipment, { unlessOrderCancelled }) {
      const noteAbsent = unlessOrderCancelled ? [absent(cancellationNoteKey(shipment.orderId))] : [];
      const result = await table.transact([putNew(shipmentItem(shipment)), ...noteAbsent]);
      if (result.written) return 'created';
      if (result.failed[0]) return 'exists';
      return result.failed[1] ? 'orderCancelled' : 'lostRace';
    },

    async noteCancellation(orderId, at) {
      const note = { ...cancellationNoteKey(orderId), kind: 'orderCancelledNote', orderId, at, ...expiresAfter(at, NOTE_RETENTION_SECONDS) };
      const result = await table.transact([putNew(note), absent(shipmentKey(orderId))]);
      if (result.written) return 'noted';
      if (result.failed[1]) return 'shipmentExists';
      // The first note is kept: a redelivered OrderCancelled changes nothing.
      return result.failed[0] ? 'noted' : 'lostRace';
    },

    replace(next, from, event) {
      return table.transactIf([replaceIfStill(shipmentItem(next), 'status', from)], event);
    },
  };
}
