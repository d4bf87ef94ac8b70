import { describe, expect, it } from 'vitest';
import type { Contact, StoredNotification } from '../../../functions/notifications/domain/notification';
import { orderShipped } from '../../../functions/notifications/domain/notification';
import { listNotifications, notify, welcomeUser, type NotificationStore } from '../../../functions/notifications/domain/notifications';
import type { NotificationSender, OutgoingMessage } from '../../../functions/notifications/domain/sender';
import { decodeCursor, encodeCursor } from '../../../functions/shared/cursor';
import { ValidationError } from '../../../functions/shared/errors';

/** The store contract in memory: the use cases' rules, without a database. */
function memoryStore() {
  const notifications = new Map<string, StoredNotification>();
  const contacts = new Map<string, Contact>();
  const unread = new Map<string, number>();
  const store: NotificationStore = {
    async add(notification, contact) {
      const existing = notifications.get(notification.id);
      if (existing) return { created: false, notification: { ...existing } };
      notifications.set(notification.id, { ...notification });
      unread.set(notification.userId, (unread.get(notification.userId) ?? 0) + 1);
      if (contact) contacts.set(contact.userId, contact);
      return { created: true, notification };
    },
    async contact(userId) {
      return contacts.get(userId);
    },
    async settleDelivery(notification, delivery) {
      const stored = notifications.get(notification.id)!;
      if (stored.delivery === 'PENDING') stored.delivery = delivery;
    },
    async list(userId, { before, limit }) {
      const key = (n: { createdAt: string; id: string }) => `${n.createdAt}#${n.id}`;
      return [...notifications.values()]
        .filter((n) => n.userId === userId && (before === undefined || key(n) < key(before)))
        .sort((a, b) => (key(a) < key(b) ? 1 : -1))
        .slice(0, limit);
    },
    async unreadCount(userId) {
      return unread.get(userId) ?? 0;
    },
  };
  return { store, notifications, contacts, unread };
}

/** A sender that keeps what it was given, and can be told to fail the next sends. */
function fakeSender() {
  const sent: OutgoingMessage[] = [];
  let failures = 0;
  const sender: NotificationSender = {
    async send(message) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('SES is down');
      }
      sent.push(message);
    },
  };
  return { sender, sent, failNext: (times = 1) => { failures = times; } };
}

let sequence = 0;
const metadataAt = (occurredAt: string) => ({
  eventId: `01JEVENT${String(sequence++).padStart(18, '0')}`, correlationId: 'c', occurredAt, version: 1 as const,
});
const ada = { userId: 'u1', email: 'ada@example.com', name: 'Ada' };
const shipped = (customerId = 'u1') => orderShipped({ orderId: 'o1', customerId, carrier: 'UPS', trackingNumber: '1Z' });

describe('notify', () => {
  it('stores the notification, sends its message to the contact copy, and settles it SENT', async () => {
    const { store, notifications, unread } = memoryStore();
    const { sender, sent } = fakeSender();
    await welcomeUser({ store, sender }, ada, metadataAt('2026-03-01T10:00:00Z'));
    const metadata = metadataAt('2026-03-01T11:00:00Z');
    expect(await notify({ store, sender }, shipped(), metadata)).toEqual({ created: true, delivery: 'SENT' });
    expect(sent.at(-1)).toEqual({ notificationId: metadata.eventId, to: ada, subject: shipped().subject, body: shipped().body });
    expect(notifications.get(metadata.eventId)).toMatchObject({ delivery: 'SENT', type: 'ORDER_SHIPPED' });
    expect(unread.get('u1')).toBe(2);
  });

  it('welcomes with the contact the event brings, and keeps it for later events', async () => {
    const { store, contacts } = memoryStore();
    const { sender, sent } = fakeSender();
    expect(await welcomeUser({ store, sender }, ada, metadataAt('2026-03-01T10:00:00Z'))).toEqual({ created: true, delivery: 'SENT' });
    expect(contacts.get('u1')).toEqual(ada);
    expect(sent[0]!.to).toEqual(ada);
  });

  it('sends nothing and counts nothing for an event it already notified', async () => {
    const { store, unread } = memoryStore();
    const { sender, sent } = fakeSender();
    await welcomeUser({ store, sender }, ada, metadataAt('2026-03-01T10:00:00Z'));
    const metadata = metadataAt('2026-03-01T11:00:00Z');
    await notify({ store, sender }, shipped(), metadata);
    expect(await notify({ store, sender }, shipped(), metadata)).toEqual({ created: false, delivery: 'SENT' });
    expect(sent).toHaveLength(2);
    expect(unread.get('u1')).toBe(2);
  });

  it('keeps a notification whose send failed PENDING, and sends it on the redelivery without counting it again', async () => {
    const { store, notifications, unread } = memoryStore();
    const { sender, sent, failNext } = fakeSender();
    await welcomeUser({ store, sender }, ada, metadataAt('2026-03-01T10:00:00Z'));
    const metadata = metadataAt('2026-03-01T11:00:00Z');
    failNext();
    await expect(notify({ store, sender }, shipped(), metadata)).rejects.toThrow('SES is down');
    expect(notifications.get(metadata.eventId)!.delivery).toBe('PENDING');

    expect(await notify({ store, sender }, shipped(), metadata)).toEqual({ created: false, delivery: 'SENT' });
    expect(sent.filter((m) => m.notificationId === metadata.eventId)).toHaveLength(1);
    expect(unread.get('u1')).toBe(2);
  });

  it('notifies a user with no contact copy yet and settles the message SKIPPED, never sending it later', async () => {
    const { store, notifications } = memoryStore();
    const { sender, sent } = fakeSender();
    const metadata = metadataAt('2026-03-01T10:00:00Z');
    expect(await notify({ store, sender }, shipped('u9'), metadata)).toEqual({ created: true, delivery: 'SKIPPED' });
    expect(sent).toEqual([]);
    await welcomeUser({ store, sender }, { ...ada, userId: 'u9' }, metadataAt('2026-03-01T11:00:00Z'));
    expect(await notify({ store, sender }, shipped('u9'), metadata)).toEqual({ created: false, delivery: 'SKIPPED' });
    expect(sent.map((m) => m.notificationId)).not.toContain(metadata.eventId);
    expect(notifications.get(metadata.eventId)!.delivery).toBe('SKIPPED');
  });
});

describe('listNotifications', () => {
  const cursorKey = Buffer.alloc(32, 3);

  async function userWith(count: number) {
    const { store } = memoryStore();
    const { sender } = fakeSender();
    for (let i = 0; i < count; i += 1) await notify({ store, sender }, shipped(), metadataAt(`2026-03-01T10:0${i}:00Z`));
    return store;
  }

  it('answers a page newest first, a cursor only when more follow, and the count of all unread', async () => {
    const store = await userWith(3);
    const first = await listNotifications(store, 'u1', { limit: 2 }, cursorKey);
    expect(first.items.map((n) => n.createdAt)).toEqual(['2026-03-01T10:02:00.000Z', '2026-03-01T10:01:00.000Z']);
    expect(first.unreadCount).toBe(3);
    expect(decodeCursor(first.nextCursor!, 'notifications:user:u1', cursorKey)).toEqual({
      createdAt: '2026-03-01T10:01:00.000Z', id: first.items[1]!.id,
    });
    const second = await listNotifications(store, 'u1', { limit: 2, cursor: first.nextCursor! }, cursorKey);
    expect(second.items.map((n) => n.createdAt)).toEqual(['2026-03-01T10:00:00.000Z']);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses another user's cursor and a cursor without a position", async () => {
    const store = await userWith(3);
    const { nextCursor } = await listNotifications(store, 'u1', { limit: 1 }, cursorKey);
    await expect(listNotifications(store, 'u2', { limit: 1, cursor: nextCursor! }, cursorKey)).rejects.toBeInstanceOf(ValidationError);
    const empty = encodeCursor({}, 'notifications:user:u1', cursorKey);
    await expect(listNotifications(store, 'u1', { limit: 1, cursor: empty }, cursorKey)).rejects.toBeInstanceOf(ValidationError);
  });
});
