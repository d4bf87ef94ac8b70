import type { EventMetadata } from '../../contracts/events/envelope';
import { logger } from '../../shared/observability';
import { notificationSender, notificationStore } from '../composition';
import {
  orderCancelled, orderConfirmed, orderDelivered, orderRejected, orderShipped, type NotificationDraft,
} from '../domain/notification';
import { notify, welcomeUser, type NotifyOutcome } from '../domain/notifications';
import { NOTIFYING_EVENTS } from '../notifications-config';
import { queuedEventConsumer } from '../../shared/events/event-consumer';

const deps = { store: notificationStore, sender: notificationSender() };

/** A duplicate is expected with at-least-once delivery: logged, never an error. */
function report({ created, delivery }: NotifyOutcome): void {
  if (created) logger.info('Notification created', { delivery });
  else logger.info('Event already notified', { delivery });
}

const notifyOf = <D>(draft: (data: D) => NotificationDraft) => async (data: D, metadata: EventMetadata) =>
  report(await notify(deps, draft(data), metadata));

/**
 * One notification per user and order event, from the notifications queue, each record on its
 * own; idempotent on the event's id (see domain/notifications.ts).
 */
export const handler = queuedEventConsumer(NOTIFYING_EVENTS, {
  UserRegistered: async (data, metadata) => report(await welcomeUser(deps, data, metadata)),
  OrderConfirmed: notifyOf(orderConfirmed),
  OrderRejected: notifyOf(orderRejected),
  OrderCancelled: notifyOf(orderCancelled),
  OrderShipped: notifyOf(orderShipped),
  OrderDelivered: notifyOf(orderDelivered),
});
