import type { NotificationPage } from '../../contracts/api/notifications';
import type { EventData, EventMetadata } from '../../contracts/events/envelope';
import type { UserRegistered } from '../../contracts/events/users';
import { paginate, type PageQuery } from '../../shared/paging';
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

/**
 * The user's notifications, newest first (a cursor holds the last one of the page it ends), with
 * the unread count of all of them.
 */
export async function listNotifications(
  store: NotificationStore, userId: string, query: PageQuery, cursorKey: Buffer,
): Promise<z.infer<typeof NotificationPage>> {
  const [{ items, nextCursor }, unreadCount] = await Promise.all([
    paginate({
      scope: listingScope(userId),
      key: cursorKey,
      fields: ['createdAt', 'id'],
      positionOf: ({ createdAt, id }: StoredNotification) => ({ createdAt, id }),
      read: (before, limit) => store.list(userId, { before, limit }),
    }, query),
    store.unreadCount(userId),
  ]);
  return { items: items.map(toView), nextCursor, unreadCount };
}
