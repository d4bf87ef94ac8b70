import { usersRoutes } from '../../contracts/routes/users';
import { httpRoute } from '../../shared/http/route-handler';
import { userStore } from '../composition';
import { profile } from '../domain/accounts';

export const handler = httpRoute(usersRoutes.getMe, async ({ caller }) => ({
  status: 200,
  body: await profile(userStore, caller.userId),
}));
