import { ListNotificationsQuery, NotificationPage } from '../api/notifications';
import type { RouteContract } from '../route-contract';

/** The routes of notifications: what its functions import instead of the whole API's (see routes.ts). */
export const notificationsRoutes = {
  listNotifications: {
    method: 'GET', path: '/notifications', owner: 'notifications', access: 'user',
    summary: "The caller's notifications, newest first",
    query: ListNotificationsQuery,
    responses: { 200: { description: 'A page of notifications and the unread count', schema: NotificationPage } },
    errors: [400, 401],
  },
} as const satisfies Record<string, RouteContract>;
