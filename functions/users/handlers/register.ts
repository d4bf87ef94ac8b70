import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { userStore } from '../composition';
import { register } from '../domain/accounts';

export const handler = httpRoute(routes.register, async ({ body, correlationId }) => ({
  status: 201,
  body: await register(userStore, body, correlationId),
}));
