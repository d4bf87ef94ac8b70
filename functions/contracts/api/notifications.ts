import * as z from 'zod';
import { PageQuery } from './common';

export const NotificationType = z.enum([
  'WELCOME', 'ORDER_CONFIRMED', 'ORDER_REJECTED', 'ORDER_CANCELLED', 'ORDER_SHIPPED', 'ORDER_DELIVERED',
]);
export type NotificationType = z.infer<typeof NotificationType>;

export const Notification = z.object({
  id: z.string(),
  type: NotificationType,
  orderId: z.string().optional(),
  subject: z.string(),
  body: z.string(),
  read: z.boolean(),
  createdAt: z.iso.datetime(),
});
export type Notification = z.infer<typeof Notification>;

/** A page of the caller's notifications, with how many of all of them are unread (for the dashboard). */
export const NotificationPage = z.object({
  items: z.array(Notification),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int().nonnegative(),
});

export const ListNotificationsQuery = PageQuery;
