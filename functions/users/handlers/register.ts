import { usersRoutes } from '../../contracts/routes/users';
import { httpRoute } from '../../shared/http/route-handler';
import { hashing, userStore } from '../composition';
import { register } from '../domain/accounts';

export const handler = httpRoute(usersRoutes.register, async ({ body, correlationId }) => ({
  status: 201,
  body: await register(userStore, body, correlationId, hashing),
}));
