import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { userStore } from '../composition';
import { profile } from '../domain/accounts';

export const handler = httpRoute(routes.getMe, async ({ caller }) => ({
  status: 200,
  body: await profile(userStore, caller.userId),
}));
