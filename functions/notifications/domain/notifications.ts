import type { NotificationPage } from '../../contracts/api/notifications';
import type { EventData, EventMetadata } from '../../contracts/events/envelope';
import type { UserRegistered } from '../../contracts/events/users';
import { decodeCursor, encodeCursor, invalidCursor } from '../../shared/cursor';
import {
  notificationOf, toView, welcome, type Contact, type Delivery, type NotificationDraft, type StoredNotification,
} from './notification';
import type { NotificationSender } from './sender';
import type * as z from 'zod';

/** Where a listing resumes: the last notification of the page before. */
export interface ListingPosition {
  createdAt: string;
  id: string;
}

/** The notifications table as the domain sees it. */
export interface NotificationStore {
  /**
   * Stores the notification and counts it as unread, both at once, unless a notification of
   * the same event is stored already; with `contact`, the user's contact copy is written in the
   * same transaction. Answers the stored notification: this one when it was new, the earlier
   * one (with its delivery as it stands) for a duplicate.
   */
  add(notification: StoredNotification, contact?: Contact): Promise<{ created: boolean; notification: StoredNotification }>;
  contact(userId: string): Promise<Contact | undefined>;
  /** Records how the message went, unless its delivery is already settled (a concurrent duplicate). */
  settleDelivery(notification: StoredNotification, delivery: 'SENT' | 'SKIPPED'): Promise<void>;
  /** Up to `limit` of the user's notifications, newest first, older than `before` when given. */
  list(userId: string, query: { before?: ListingPosition; limit: number }): Promise<StoredNotification[]>;
  /** The user's unread notifications, counted as they were stored. */
  unreadCount(userId: string): Promise<number>;
}

export interface NotifyDeps {
  store: NotificationStore;
  sender: NotificationSender;
}

/** What became of a triggering event: whether it created its notification, and where its message stands. */
export interface NotifyOutcome {
  created: boolean;
  delivery: Delivery;
}

/**
 * Creates the notification of one event (exactly once, however often the event arrives) and
 * sends its message. A redelivery finds the notification stored and sends only if the message
 * is still PENDING, i.e. an earlier attempt failed between storing and sending. A user with no
 * contact copy yet still gets the notification; only the message is skipped.
 */
export async function notify(deps: NotifyDeps, draft: NotificationDraft, metadata: EventMetadata, contact?: Contact): Promise<NotifyOutcome> {
  const { created, notification } = await deps.store.add(notificationOf(draft, metadata), contact);
  if (notification.delivery !== 'PENDING') return { created, delivery: notification.delivery };
  const recipient = contact ?? (await deps.store.contact(draft.userId));
  if (!recipient) {
    await deps.store.settleDelivery(notification, 'SKIPPED');
    return { created, delivery: 'SKIPPED' };
  }
  await deps.sender.send({
    notificationId: notification.id,
    to: recipient,
    subject: notification.subject,
    body: notification.body,
  });
  await deps.store.settleDelivery(notification, 'SENT');
  return { created, delivery: 'SENT' };
}

/** A new user: keeps their contact details (this context's own copy) and welcomes them. */
export function welcomeUser(deps: NotifyDeps, data: EventData<typeof UserRegistered>, metadata: EventMetadata): Promise<NotifyOutcome> {
  const { userId, email, name } = data;
  return notify(deps, welcome(data), metadata, { userId, email, name });
}

/** A cursor belongs to one user's listing: another user's cursor is no cursor here. */
function listingScope(userId: string): string {
  return `notifications:user:${userId}`;
}

function positionOf(cursor: string, scope: string, key: Buffer): ListingPosition {
  const { createdAt, id } = decodeCursor(cursor, scope, key);
  // Signed by us, so only a cursor from an older format can fail this.
  if (typeof createdAt !== 'string' || typeof id !== 'string') throw invalidCursor();
  return { createdAt, id };
}

/**
 * The user's notifications, newest first, with the unread count of all of them. One
 * notification more than the page is read, so a page that ends the listing has no cursor
 * instead of one that leads to an empty page.
 */
export async function listNotifications(
  store: NotificationStore, userId: string, query: { limit: number; cursor?: string }, cursorKey: Buffer,
): Promise<z.infer<typeof NotificationPage>> {
  const scope = listingScope(userId);
  const before = query.cursor === undefined ? undefined : positionOf(query.cursor, scope, cursorKey);
  const [found, unreadCount] = await Promise.all([store.list(userId, { before, limit: query.limit + 1 }), store.unreadCount(userId)]);
  const page = found.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = found.length > query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }, scope, cursorKey) : null;
  return { items: page.map(toView), nextCursor, unreadCount };
}
