import { describe, expect, it } from 'vitest';
import {
  formatMoney, notificationOf, orderCancelled, orderConfirmed, orderDelivered, orderRejected, orderShipped, toView, welcome,
} from '../../../functions/notifications/domain/notification';

const metadata = { eventId: '01JEVENT000000000000000000', correlationId: 'c', occurredAt: '2026-03-01T10:00:00Z', version: 1 as const };
const address = { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
const line = (quantity: number) => ({ productId: 'p', quantity, unitPriceCents: 100 });

describe('notificationOf', () => {
  it("takes the event's id and time, so a redelivery yields the same notification, unread and PENDING", () => {
    const draft = orderDelivered({ orderId: 'o1', customerId: 'u1' });
    const first = notificationOf(draft, metadata);
    expect(first).toEqual({
      id: metadata.eventId, userId: 'u1', type: 'ORDER_DELIVERED', orderId: 'o1', subject: draft.subject, body: draft.body,
      read: false, createdAt: '2026-03-01T10:00:00.000Z', delivery: 'PENDING',
    });
    expect(notificationOf(draft, metadata)).toEqual(first);
  });

  it('writes every time in one format (milliseconds, Z), so times sort as text', () => {
    // In time order; as given, they would sort as text the other way round.
    const times = ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.5Z'];
    expect([...times].sort()).not.toEqual(times);
    const created = times.map((occurredAt) => notificationOf(welcome({ userId: 'u', email: 'a@b.co', name: 'A' }), { ...metadata, occurredAt }).createdAt);
    expect(created).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.123Z', '2026-03-01T10:00:00.500Z']);
    expect([...created].sort()).toEqual(created);
  });

  it('shows a notification without its owner or delivery, and without orderId when it has none', () => {
    const view = toView(notificationOf(welcome({ userId: 'u', email: 'a@b.co', name: 'A' }), metadata));
    expect(Object.keys(view).sort()).toEqual(['body', 'createdAt', 'id', 'read', 'subject', 'type']);
  });
});

describe('what each event says', () => {
  it('welcomes by name, naming the account', () => {
    const draft = welcome({ userId: 'u1', email: 'ada@example.com', name: 'Ada' });
    expect(draft).toMatchObject({ userId: 'u1', type: 'WELCOME' });
    expect(draft).not.toHaveProperty('orderId');
    expect(draft.subject).toContain('Ada');
    expect(draft.body).toContain('ada@example.com');
  });

  it('confirms with the order id, the number of units, the total charged and where it ships', () => {
    const draft = orderConfirmed({
      orderId: 'o1', customerId: 'u1', items: [line(2), line(1)], totalCents: 2598, currency: 'USD', shippingAddress: address,
    });
    expect(draft).toMatchObject({ userId: 'u1', type: 'ORDER_CONFIRMED', orderId: 'o1' });
    expect(draft.subject).toContain('o1');
    expect(draft.body).toMatch(/o1.*3 items.*\$25\.98.*London, GB/);
    expect(orderConfirmed({
      orderId: 'o1', customerId: 'u1', items: [line(1)], totalCents: 100, currency: 'USD', shippingAddress: address,
    }).body).toContain('1 item,');
  });

  it('explains a rejection, and that nothing was charged', () => {
    const draft = orderRejected({ orderId: 'o1', customerId: 'u1', reason: 'OUT_OF_STOCK' });
    expect(draft).toMatchObject({ type: 'ORDER_REJECTED', orderId: 'o1' });
    expect(draft.body).toMatch(/o1.*out of stock.*not been charged/);
  });

  it.each([
    ['PAYMENT_DECLINED', false, /declined.*not been charged/],
    ['PAYMENT_UNAVAILABLE', false, /payment provider.*not been charged/],
    ['CUSTOMER_REQUEST', true, /asked us to cancel.*refunded/],
  ] as const)('explains a cancellation for %s (refunded: %s)', (reason, refunded, says) => {
    const draft = orderCancelled({ orderId: 'o1', customerId: 'u1', reason, refunded });
    expect(draft).toMatchObject({ type: 'ORDER_CANCELLED', orderId: 'o1' });
    expect(draft.body).toContain('o1');
    expect(draft.body).toMatch(says);
  });

  it('names the carrier and the tracking number of a shipment', () => {
    const draft = orderShipped({ orderId: 'o1', customerId: 'u1', carrier: 'DHL', trackingNumber: 'JD0146' });
    expect(draft).toMatchObject({ type: 'ORDER_SHIPPED', orderId: 'o1' });
    expect(draft.body).toMatch(/o1.*DHL.*JD0146/);
  });

  it('says when an order was delivered', () => {
    expect(orderDelivered({ orderId: 'o1', customerId: 'u1' })).toMatchObject({
      type: 'ORDER_DELIVERED', orderId: 'o1', subject: expect.stringContaining('o1'), body: expect.stringContaining('delivered'),
    });
  });
});

describe('formatMoney', () => {
  it('shows minor units as an amount in the currency', () => {
    expect(formatMoney(2598, 'USD')).toBe('$25.98');
    expect(formatMoney(100000, 'USD')).toBe('$1,000.00');
    expect(formatMoney(5, 'EUR')).toBe('€0.05');
  });
});
