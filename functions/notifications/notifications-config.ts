/**
 * What the notifications stack and its functions share: variable names, their loader, the
 * events that notify. Imports nothing but event contracts and the reader, so the CDK app can use
 * it without loading runtime code.
 */
import { OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped } from '../contracts/events/orders';
import { UserRegistered } from '../contracts/events/users';
import * as z from 'zod';
import { readVariable } from '../shared/config';

export const NOTIFICATIONS_ENV = {
  /** Which adapter sends the messages: one of NOTIFICATION_SENDERS (default `record`). */
  sender: 'NOTIFICATION_SENDER',
  /** The SES sender's From address (a verified SES identity, or an address of a verified domain). */
  fromAddress: 'NOTIFICATION_FROM_ADDRESS',
} as const;

/** `record` writes each message to the notifications table; `ses` emails it through Amazon SES. */
export const NOTIFICATION_SENDERS = ['record', 'ses'] as const;
export type NotificationSenderKind = (typeof NOTIFICATION_SENDERS)[number];

export const notificationsConfig = {
  /** The sender the stage chose (`record` unless it says otherwise); `ses` needs a valid From address. */
  sender: (): { kind: 'record' } | { kind: 'ses'; fromAddress: string } => {
    const kind = readVariable(NOTIFICATIONS_ENV.sender, z.enum(NOTIFICATION_SENDERS).default('record'));
    return kind === 'record' ? { kind } : { kind, fromAddress: readVariable(NOTIFICATIONS_ENV.fromAddress, z.email()) };
  },
};

/** The events that notify someone: the consumer handles exactly these, and its rule selects exactly these. */
export const NOTIFYING_EVENTS = [UserRegistered, OrderConfirmed, OrderRejected, OrderCancelled, OrderShipped, OrderDelivered] as const;
