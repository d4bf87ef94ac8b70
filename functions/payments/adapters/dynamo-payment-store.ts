import { DynamoTable, ITEM_ABSENT, itemKey, presentFields, type Item } from '../../shared/dynamo';
import { relayedEventUpdate, type PendingEvent } from '../../shared/events/outbox';
import type { PaymentStore } from '../domain/payments';
import type { Payment, Settlement } from '../domain/payment';

/**
 * Items: `PAYMENT#<orderId>`/`PAYMENT`, one per order: customerId, amountCents, currency, status,
 * attempts, paymentId (once captured), declineReason (once declined), createdAt, updatedAt.
 * No index: every read is by order. A settlement or a refund carries its event on the payment
 * itself (relayedEventUpdate), which the relay publishes when the payment changes: one UpdateItem
 * instead of a transaction with an outbox record (the table holds none).
 *
 * Concurrency rests on two conditions: an attempt is counted only while the payment is FAILED
 * (or absent), and an attempt settles only while the payment is still FAILED. So of any number of
 * concurrent calls, one settlement wins, and it alone writes its event. An attempt is counted
 * only on a FAILED payment, which carries no event (a FAILED settlement removes the last one's), so
 * the relay never publishes an event twice for a change that has none.
 */
const paymentKey = (orderId: string) => itemKey(`PAYMENT#${orderId}`, 'PAYMENT');
const UNSETTLED: Payment['status'] = 'FAILED';

const removing = (attributes: readonly string[]) => (attributes.length ? ` REMOVE ${attributes.join(', ')}` : '');

function toPayment(item: Item): Payment {
  const { orderId, customerId, amountCents, currency, status, attempts, paymentId, declineReason, createdAt, updatedAt } = item;
  // Written only by this store: a status always comes with the paymentId or declineReason it needs.
  return {
    orderId, customerId, amountCents, currency, status, attempts, createdAt, updatedAt, ...presentFields({ paymentId, declineReason }),
  } as Payment;
}

/** The attributes a settlement sets besides status and updatedAt. */
function settlementFields(settlement: Settlement): Record<string, string> {
  switch (settlement.status) {
    case 'CAPTURED':
      return { paymentId: settlement.paymentId };
    case 'DECLINED':
      return { declineReason: settlement.declineReason };
    case 'FAILED':
      return {};
  }
}

export function dynamoPaymentStore(tableName: string): PaymentStore {
  const table = new DynamoTable(tableName);

  /**
   * One UpdateItem: the payment's change under its condition, carrying its event when there is
   * one (relayedEventUpdate: the relay publishes the changed payment as that event), so the change
   * and its event are written together or not at all without a transaction or an outbox record.
   */
  function transition(
    orderId: string,
    fields: Record<string, string>,
    condition: { status: Payment['status'] },
    event: PendingEvent | undefined,
  ): Promise<boolean> {
    const relay = relayedEventUpdate(event);
    const names: Record<string, string> = { '#status': 'status', ...relay.names };
    const values: Record<string, unknown> = { ':expected': condition.status, ...relay.values };
    const assignments = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      return `#f${i} = :f${i}`;
    });
    return table.updateIf(
      {
        Key: paymentKey(orderId),
        UpdateExpression: `SET ${[...assignments, ...relay.set].join(', ')}${removing(relay.remove)}`,
        // Also fails when there is no payment: a missing status equals nothing.
        ConditionExpression: '#status = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
      // A collision with a concurrent write answers as a lost race did in a transaction: read again.
      { collisionFails: true },
    );
  }

  return {
    async get(orderId) {
      const item = await table.get(paymentKey(orderId));
      return item ? toPayment(item) : undefined;
    },

    async beginAttempt({ orderId, customerId, amountCents, currency }, at) {
      const attributes = await table.updateReturning(
        {
          Key: paymentKey(orderId),
          // The first attempt's facts stand: a retry cannot change who pays or how much.
          UpdateExpression:
            'SET #kind = :kind, orderId = :orderId, customerId = if_not_exists(customerId, :customerId), ' +
            'amountCents = if_not_exists(amountCents, :amountCents), currency = if_not_exists(currency, :currency), ' +
            '#status = :unsettled, createdAt = if_not_exists(createdAt, :at), updatedAt = :at ADD attempts :one',
          ConditionExpression: `${ITEM_ABSENT} OR #status = :unsettled`,
          ExpressionAttributeNames: { '#kind': 'kind', '#status': 'status' },
          ExpressionAttributeValues: {
            ':kind': 'payment', ':orderId': orderId, ':customerId': customerId, ':amountCents': amountCents,
            ':currency': currency, ':unsettled': UNSETTLED, ':at': at, ':one': 1,
          },
        },
        { collisionFails: true },
      );
      return attributes ? toPayment(attributes) : undefined;
    },

    settle(orderId, settlement, at, event) {
      return transition(orderId, { status: settlement.status, updatedAt: at, ...settlementFields(settlement) }, { status: UNSETTLED }, event);
    },

    refund(orderId, at, event) {
      return transition(orderId, { status: 'REFUNDED', updatedAt: at }, { status: 'CAPTURED' }, event);
    },
  };
}
