import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, lostToConcurrentTransaction } from '../../shared/dynamo';
import { outboxPut } from '../../shared/events/outbox';
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
const shipmentKey = (orderId: string) => ({ pk: orderPartition(orderId), sk: 'SHIPMENT' });
const cancellationNoteKey = (orderId: string) => ({ pk: orderPartition(orderId), sk: 'ORDER_CANCELLED' });
const NOTE_RETENTION_SECONDS = 30 * 24 * 60 * 60;
const ABSENT = 'attribute_not_exists(pk)';

function shipmentItem(shipment: Shipment): Record<string, unknown> {
  return { ...shipmentKey(shipment.orderId), kind: 'shipment', ...shipment };
}

function toShipment(item: Record<string, unknown>): Shipment {
  const {
    shipmentId, orderId, customerId, status, carrier, trackingNumber, createdAt, updatedAt, dispatchEventId, deliveryEventId,
  } = item as unknown as Shipment;
  const optional = { carrier, trackingNumber, dispatchEventId, deliveryEventId };
  return {
    shipmentId, orderId, customerId, status, createdAt, updatedAt,
    ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
  };
}

export function dynamoShipmentStore(tableName: string): ShipmentStore {
  const db = documentClient();

  return {
    async get(orderId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: shipmentKey(orderId), ConsistentRead: true }));
      return Item ? toShipment(Item) : undefined;
    },

    async create(shipment, { unlessOrderCancelled }) {
      const noteAbsent = { ConditionCheck: { TableName: tableName, Key: cancellationNoteKey(shipment.orderId), ConditionExpression: ABSENT } };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: shipmentItem(shipment), ConditionExpression: ABSENT } },
              ...(unlessOrderCancelled ? [noteAbsent] : []),
            ],
          }),
        );
        return 'created';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed?.[0]) return 'exists';
        if (failed?.[1]) return 'orderCancelled';
        if (lostToConcurrentTransaction(error)) return 'lostRace';
        throw error;
      }
    },

    async noteCancellation(orderId, at) {
      const note = {
        ...cancellationNoteKey(orderId), kind: 'orderCancelledNote', orderId, at,
        ttl: Math.floor(Date.parse(at) / 1000) + NOTE_RETENTION_SECONDS,
      };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: note, ConditionExpression: ABSENT } },
              { ConditionCheck: { TableName: tableName, Key: shipmentKey(orderId), ConditionExpression: ABSENT } },
            ],
          }),
        );
        return 'noted';
      } catch (error) {
        const failed = failedConditions(error);
        if (failed?.[1]) return 'shipmentExists';
        // The first note is kept: a redelivered OrderCancelled changes nothing.
        if (failed?.[0]) return 'noted';
        if (lostToConcurrentTransaction(error)) return 'lostRace';
        throw error;
      }
    },

    async replace(next, from, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: shipmentItem(next),
                  // Also fails when the shipment is gone: a missing status equals nothing.
                  ConditionExpression: '#status = :from',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':from': from },
                },
              },
              ...(event ? [outboxPut(tableName, event)] : []),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (failedConditions(error)?.[0] || lostToConcurrentTransaction(error)) return false;
        throw error;
      }
    },
  };
}
