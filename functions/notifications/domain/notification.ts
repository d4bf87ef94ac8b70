import type { Notification, NotificationType } from '../../contracts/api/notifications';
import type { EventData, EventMetadata } from '../../contracts/events/envelope';
import type {
  CancellationReason, OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped, RejectionReason,
} from '../../contracts/events/orders';
import type { UserRegistered } from '../../contracts/events/users';
import type * as z from 'zod';

/** A Notification is a notification as GET /notifications shows it. */
export type { Notification, NotificationType };

/** The notifications context's own copy of a user's contact details, from UserRegistered. */
export interface Contact {
  userId: string;
  email: string;
  name: string;
}

/**
 * Where the notification's message stands: PENDING until the sender took it, SENT after, or
 * SKIPPED when the user had no contact address yet (an order event that overtook UserRegistered).
 */
export type Delivery = 'PENDING' | 'SENT' | 'SKIPPED';

/** What an event says to whom, before it becomes a notification. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  orderId?: string;
  subject: string;
  body: string;
}

export interface StoredNotification extends NotificationDraft {
  id: string;
  read: boolean;
  createdAt: string;
  delivery: Delivery;
}

/**
 * One notification per triggering event: it takes the event's id and the time the event
 * occurred, so a redelivered event yields the very same notification (same id, same key) and
 * the store can refuse it. The time is normalised to one ISO format, so notifications sort by it.
 */
export function notificationOf(draft: NotificationDraft, metadata: EventMetadata): StoredNotification {
  return {
    id: metadata.eventId,
    userId: draft.userId,
    type: draft.type,
    ...(draft.orderId === undefined ? {} : { orderId: draft.orderId }),
    subject: draft.subject,
    body: draft.body,
    // Nothing marks a notification read yet: every one starts, and stays, unread.
    read: false,
    createdAt: new Date(metadata.occurredAt).toISOString(),
    delivery: 'PENDING',
  };
}

export function toView(notification: StoredNotification): Notification {
  const { id, type, orderId, subject, body, read, createdAt } = notification;
  return { id, type, ...(orderId === undefined ? {} : { orderId }), subject, body, read, createdAt };
}

/** An amount in minor units, as a customer reads it: `$25.98`. */
export function formatMoney(minorUnits: number, currency: string): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency, minimumFractionDigits: 2 }).format(minorUnits / 100);
}

const REJECTION_REASONS: Record<z.infer<typeof RejectionReason>, string> = {
  OUT_OF_STOCK: 'some of its items are out of stock',
};

const CANCELLATION_REASONS: Record<z.infer<typeof CancellationReason>, string> = {
  PAYMENT_DECLINED: 'your payment was declined',
  PAYMENT_UNAVAILABLE: 'we could not reach the payment provider to take your payment',
  CUSTOMER_REQUEST: 'you asked us to cancel it',
  PROCESSING_FAILED: 'something went wrong on our side while we processed it',
};

export function welcome(data: EventData<typeof UserRegistered>): NotificationDraft {
  return {
    userId: data.userId,
    type: 'WELCOME',
    subject: `Welcome to Commerce, ${data.name}`,
    body: `Hi ${data.name}, your account ${data.email} is ready. We will keep you posted here about every order you place.`,
  };
}

/** A draft about one of the customer's orders: every order event's notification goes to its customer. */
function aboutOrder({ customerId, orderId }: { customerId: string; orderId: string }, type: NotificationType, subject: string, body: string): NotificationDraft {
  return { userId: customerId, type, orderId, subject, body };
}

export function orderConfirmed(data: EventData<typeof OrderConfirmed>): NotificationDraft {
  const units = data.items.reduce((sum, line) => sum + line.quantity, 0);
  const { city, country } = data.shippingAddress;
  return aboutOrder(
    data,
    'ORDER_CONFIRMED',
    `Order ${data.orderId} is confirmed`,
    `Your order ${data.orderId} is confirmed: ${units} ${units === 1 ? 'item' : 'items'}, ` +
      `${formatMoney(data.totalCents, data.currency)} charged. We will tell you when it ships to ${city}, ${country}.`,
  );
}

export function orderRejected(data: EventData<typeof OrderRejected>): NotificationDraft {
  const why = REJECTION_REASONS[data.reason];
  return aboutOrder(data, 'ORDER_REJECTED', `Order ${data.orderId} could not be placed`,
    `We could not accept your order ${data.orderId}: ${why}. You have not been charged.`);
}

export function orderCancelled(data: EventData<typeof OrderCancelled>): NotificationDraft {
  const money = data.refunded ? 'Your payment has been refunded.' : 'You have not been charged.';
  return aboutOrder(data, 'ORDER_CANCELLED', `Order ${data.orderId} is cancelled`,
    `Your order ${data.orderId} is cancelled because ${CANCELLATION_REASONS[data.reason]}. ${money}`);
}

export function orderShipped(data: EventData<typeof OrderShipped>): NotificationDraft {
  return aboutOrder(data, 'ORDER_SHIPPED', `Order ${data.orderId} has shipped`,
    `Your order ${data.orderId} is on its way with ${data.carrier}, tracking number ${data.trackingNumber}.`);
}

export function orderDelivered(data: EventData<typeof OrderDelivered>): NotificationDraft {
  return aboutOrder(data, 'ORDER_DELIVERED', `Order ${data.orderId} was delivered`, `Your order ${data.orderId} has been delivered. Enjoy!`);
}
