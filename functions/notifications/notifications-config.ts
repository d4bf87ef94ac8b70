import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped } from '../contracts/events/orders';
import { UserRegistered } from '../contracts/events/users';

/**
 * What the notifications stack and its functions share. Imports nothing but event contracts, so
 * the CDK app can use it without loading runtime code.
 */
export const NOTIFICATIONS_ENV = {
  /** Which adapter sends the messages: one of NOTIFICATION_SENDERS (default `record`). */
  sender: 'NOTIFICATION_SENDER',
  /** The SES sender's From address (a verified SES identity, or an address of a verified domain). */
  fromAddress: 'NOTIFICATION_FROM_ADDRESS',
} as const;

/** `record` writes each message to the notifications table; `ses` emails it through Amazon SES. */
export const NOTIFICATION_SENDERS = ['record', 'ses'] as const;
export type NotificationSenderKind = (typeof NOTIFICATION_SENDERS)[number];

/** The events that notify someone: the consumer handles exactly these, and its rule selects exactly these. */
export const NOTIFYING_EVENTS = [UserRegistered, OrderConfirmed, OrderRejected, OrderCancelled, OrderShipped, OrderDelivered] as const;
