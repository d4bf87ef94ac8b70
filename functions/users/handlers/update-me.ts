import { usersRoutes } from '../../contracts/routes/users';
import { httpRoute } from '../../shared/http/route-handler';
import { userStore } from '../composition';
import { rename } from '../domain/accounts';

export const handler = httpRoute(usersRoutes.updateMe, async ({ caller, body }) => ({
  status: 200,
  body: await rename(userStore, caller.userId, body.name),
}));
