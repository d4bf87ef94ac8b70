import { RegisterRequest } from '../../contracts/api/users';
import { newId } from '../../shared/ids';
import { register } from '../domain/accounts';
import { emailKey } from '../domain/user';
import { dynamoUserStore } from './dynamo-user-store';

/**
 * Creating an administrator, shared by `npm run admin` (a deployed table) and `npm start` (the
 * offline runtime's table): it goes through the users domain exactly like a registration, so the
 * admin gets a hashed password, a uniqueness claim on its email and a UserRegistered event.
 */

/** The administrator `npm start` and the e2e suite use (README); COMMERCE_ADMIN_EMAIL/PASSWORD override it. */
export const DEFAULT_ADMIN = { email: 'admin@commerce.test', password: 'commerce-admin-password' } as const;

/** Validates like POST /auth/register (a weak password or bad email throws the zod error). */
export async function createAdmin(input: { email: string; password: string; name: string; table: string }) {
  const valid = RegisterRequest.parse({ email: input.email, password: input.password, name: input.name });
  return register(dynamoUserStore(input.table), { ...valid, role: 'admin' }, `admin-script-${newId()}`);
}

/** The administrator's password hash as the table holds it, undefined when the email is no administrator's: what `npm start` keeps with its demo data. */
export async function adminPasswordHash(input: { email: string; table: string }): Promise<string | undefined> {
  const credentials = await dynamoUserStore(input.table).credentialsByEmail(emailKey(input.email));
  return credentials?.role === 'admin' ? credentials.passwordHash : undefined;
}
