import { notificationsRoutes } from '../../contracts/routes/notifications';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { notificationStore } from '../composition';
import { listNotifications } from '../domain/notifications';

export const handler = httpRoute(notificationsRoutes.listNotifications, async ({ query, caller }) => ({
  status: 200,
  body: await listNotifications(notificationStore, caller.userId, query, (await signingKeys()).cursor),
}));
