import { usersRoutes } from '../../contracts/routes/users';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { hashing, loginThrottle, userStore } from '../composition';
import { login } from '../domain/accounts';

export const handler = httpRoute(usersRoutes.login, async ({ body }) => ({
  status: 200,
  body: await login({ store: userStore, throttle: loginThrottle, ...hashing }, body, (await signingKeys()).accessToken),
}));
