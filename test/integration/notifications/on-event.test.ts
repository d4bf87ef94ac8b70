import { beforeAll, describe, expect, it } from 'vitest';
import { ProductCreated } from '../../../functions/contracts/events/catalog';
import { useHandlerEnvironment } from '../../support/handler-env';
import { busEvent, deliver, eventIdOf, listNotifications, loadHandlers, newOrderId, newUserId, orderEvents, recordedMessage, registered, storedItem, storedNotifications, unreadCounter, withMetadata, type Env, type Handlers } from './fixture';
import { queued, sqsRecord } from '../../support/bus-event';

let env: Env;
let handlers: Handlers;

beforeAll(async () => {
  env = await useHandlerEnvironment('notifications');
  handlers = await loadHandlers();
});

/** The user's notifications as GET /notifications shows them. */
async function notificationsOf(userId: string) {
  const response = await listNotifications(handlers, userId);
  expect(response.status).toBe(200);
  return response.body;
}

describe('on-event: one notification per event', () => {
  it('welcomes a registered user and keeps their contact copy', async () => {
    const userId = newUserId();
    const event = registered(userId, { name: 'Grace' });
    expect(await deliver(handlers, queued(event))).toEqual({ batchItemFailures: [] });

    const { items, unreadCount } = await notificationsOf(userId);
    expect(items).toEqual([{
      id: eventIdOf(event),
      type: 'WELCOME',
      subject: expect.stringContaining('Grace'),
      body: expect.stringContaining(`${userId.toLowerCase()}@example.com`),
      read: false,
      createdAt: (event.detail as { metadata: { occurredAt: string } }).metadata.occurredAt,
    }]);
    expect(unreadCount).toBe(1);
    expect(await storedItem(env, `USER#${userId}`, 'CONTACT')).toMatchObject({
      userId, email: `${userId.toLowerCase()}@example.com`, name: 'Grace',
    });
  });

  const cases = [
    ['confirmed', 'ORDER_CONFIRMED', [/confirmed/i, /\$25\.98/, /2 items/, /London/]],
    ['rejected', 'ORDER_REJECTED', [/out of stock/, /not been charged/]],
    ['cancelled', 'ORDER_CANCELLED', [/payment was declined/, /not been charged/]],
    ['shipped', 'ORDER_SHIPPED', [/UPS/, /1Z999AA10123456784/]],
    ['delivered', 'ORDER_DELIVERED', [/delivered/]],
  ] as const;

  it.each(cases)('turns Order %s into exactly one %s notification for the customer, about the order', async (kind, type, says) => {
    const userId = newUserId();
    const orderId = newOrderId();
    await deliver(handlers, queued(registered(userId)));
    const event = orderEvents[kind](userId, orderId);
    expect(await deliver(handlers, queued(event))).toEqual({ batchItemFailures: [] });

    const { items, unreadCount } = await notificationsOf(userId);
    expect(items.map((n) => n.type)).toEqual([type, 'WELCOME']);
    const [notification] = items;
    expect(notification).toMatchObject({ id: eventIdOf(event), orderId, read: false });
    expect(notification!.subject).toContain(orderId);
    expect(notification!.body).toContain(orderId);
    for (const phrase of says) expect(notification!.body).toMatch(phrase);
    expect(unreadCount).toBe(2);
    // Nobody else is notified.
    expect(await notificationsOf(newUserId())).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
  });

  it('records the message of each notification, addressed to the contact copy (the default sender)', async () => {
    const userId = newUserId();
    const orderId = newOrderId();
    const welcome = registered(userId, { email: 'grace@example.com', name: 'Grace' });
    const shipped = orderEvents.shipped(userId, orderId);
    await deliver(handlers, queued(welcome), queued(shipped));

    expect(await recordedMessage(env, eventIdOf(welcome))).toMatchObject({
      kind: 'message', channel: 'email', userId, to: 'grace@example.com', toName: 'Grace', subject: expect.stringContaining('Grace'),
    });
    const message = await recordedMessage(env, eventIdOf(shipped));
    expect(message).toMatchObject({ to: 'grace@example.com', subject: `Order ${orderId} has shipped` });
    expect(message!.body).toContain('1Z999AA10123456784');
    expect(message!.ttl).toEqual(expect.any(Number));
    expect((await storedNotifications(env, userId)).map((n) => n.delivery)).toEqual(['SENT', 'SENT']);
  });

  it('still notifies a user whose contact is not known yet, and records the message as skipped', async () => {
    const userId = newUserId();
    const early = orderEvents.confirmed(userId, newOrderId());
    expect(await deliver(handlers, queued(early))).toEqual({ batchItemFailures: [] });
    expect((await notificationsOf(userId)).items.map((n) => n.type)).toEqual(['ORDER_CONFIRMED']);
    expect((await storedNotifications(env, userId))[0]).toMatchObject({ delivery: 'SKIPPED' });
    expect(await recordedMessage(env, eventIdOf(early))).toBeUndefined();

    // Once the user is known, later messages go out; the skipped one stays skipped.
    const later = registered(userId);
    await deliver(handlers, queued(later), queued(early));
    expect(await recordedMessage(env, eventIdOf(later))).toBeDefined();
    expect(await recordedMessage(env, eventIdOf(early))).toBeUndefined();
    expect((await notificationsOf(userId)).unreadCount).toBe(2);
  });
});

describe('on-event: idempotent on the event id', () => {
  it('creates nothing more, and leaves the unread count, when an event arrives again', async () => {
    const userId = newUserId();
    const welcome = registered(userId);
    const shipped = orderEvents.shipped(userId, newOrderId());
    await deliver(handlers, queued(welcome), queued(shipped));
    const before = await notificationsOf(userId);
    expect(before.unreadCount).toBe(2);
    const firstMessage = await recordedMessage(env, eventIdOf(shipped));

    expect(await deliver(handlers, queued(shipped), queued(welcome))).toEqual({ batchItemFailures: [] });
    expect(await deliver(handlers, queued(shipped))).toEqual({ batchItemFailures: [] });

    expect(await notificationsOf(userId)).toEqual(before);
    expect(await unreadCounter(env, userId)).toBe(2);
    expect(await storedNotifications(env, userId)).toHaveLength(2);
    // The message is not sent again either.
    expect(await recordedMessage(env, eventIdOf(shipped))).toEqual(firstMessage);
  });

  it('counts a duplicate in the same batch once', async () => {
    const userId = newUserId();
    const delivered = orderEvents.delivered(userId, newOrderId());
    expect(await deliver(handlers, queued(delivered), queued(delivered))).toEqual({ batchItemFailures: [] });
    expect((await notificationsOf(userId)).items).toHaveLength(1);
    expect(await unreadCounter(env, userId)).toBe(1);
  });

  it('counts an event delivered to two invocations at once once (the transaction decides)', async () => {
    const userId = newUserId();
    await deliver(handlers, queued(registered(userId)));
    const confirmed = orderEvents.confirmed(userId, newOrderId());
    const results = await Promise.all([deliver(handlers, queued(confirmed)), deliver(handlers, queued(confirmed))]);
    // The loser either saw the notification stored (a duplicate) or lost the transaction race and is redelivered.
    expect(results.flatMap((r) => r.batchItemFailures).length).toBeLessThanOrEqual(1);
    await deliver(handlers, queued(confirmed));
    expect((await notificationsOf(userId)).items.map((n) => n.type)).toEqual(['ORDER_CONFIRMED', 'WELCOME']);
    expect(await unreadCounter(env, userId)).toBe(2);
  });

  it('treats two different events about the same order as two notifications', async () => {
    const userId = newUserId();
    const orderId = newOrderId();
    await deliver(handlers, queued(orderEvents.shipped(userId, orderId)), queued(orderEvents.shipped(userId, orderId)));
    expect((await notificationsOf(userId)).items).toHaveLength(2);
  });
});

describe('on-event: a batch whose records fail on their own', () => {
  it('reports exactly the malformed record in batchItemFailures and processes the rest', async () => {
    const userId = newUserId();
    const first = registered(userId);
    const last = orderEvents.delivered(userId, newOrderId());
    const response = await deliver(handlers, queued(first, 'ok-1'), sqsRecord('{"detail-type": "UserRegist', 'bad-1'), queued(last, 'ok-2'));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect((await notificationsOf(userId)).items.map((n) => n.id)).toEqual([eventIdOf(last), eventIdOf(first)]);
  });

  it('fails every kind of malformed record, never drops it: not JSON, not an event, unknown event, broken contract', async () => {
    const userId = newUserId();
    const broken = orderEvents.shipped(userId, newOrderId());
    (broken.detail as { data: Record<string, unknown> }).data.trackingNumber = 42;
    const noMetadata = orderEvents.delivered(userId, newOrderId());
    delete (noMetadata.detail as { metadata?: unknown }).metadata;
    const foreign = busEvent(ProductCreated, {
      productId: 'p1', name: 'Mug', category: 'kitchen', priceCents: 100, currency: 'USD', sku: 'MUG',
    });
    const wrongSource = { ...orderEvents.shipped(userId, newOrderId()), source: 'commerce.shipping' };
    const good = orderEvents.shipped(userId, newOrderId());

    const response = await deliver(
      handlers,
      sqsRecord('not json', 'not-json'),
      sqsRecord(JSON.stringify({ hello: 'world' }), 'not-an-event'),
      queued(foreign, 'unknown-event'),
      queued(wrongSource, 'wrong-source'),
      queued(broken, 'broken-contract'),
      queued(noMetadata, 'no-metadata'),
      queued(good, 'good'),
    );
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'not-json', 'not-an-event', 'unknown-event', 'wrong-source', 'broken-contract', 'no-metadata',
    ]);
    const { items } = await notificationsOf(userId);
    expect(items.map((n) => n.id)).toEqual([eventIdOf(good)]);
    expect(items[0]!.type).toBe('ORDER_SHIPPED');
  });
});

describe('GET /notifications ordering', () => {
  it('lists by when the event occurred, newest first, whatever order the events arrive in', async () => {
    const userId = newUserId();
    const at = (minute: number) => ({ occurredAt: `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z` });
    const orderId = newOrderId();
    const welcome = withMetadata(registered(userId), at(0));
    const confirmed = withMetadata(orderEvents.confirmed(userId, orderId), at(1));
    const shipped = withMetadata(orderEvents.shipped(userId, orderId), at(2));
    await deliver(handlers, queued(shipped), queued(welcome), queued(confirmed));
    const { items } = await notificationsOf(userId);
    expect(items.map((n) => n.type)).toEqual(['ORDER_SHIPPED', 'ORDER_CONFIRMED', 'WELCOME']);
    expect(items.map((n) => n.createdAt)).toEqual([at(2), at(1), at(0)].map((m) => m.occurredAt));
  });
});
