import type { Access } from '../../contracts/routes';
import type { Role } from '../../contracts/api/users';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { signingKeys } from '../signing-keys';
import { InvalidTokenError, verifyAccessToken } from './jwt';

export interface Caller {
  readonly userId: string;
  readonly role: Role;
}

const CHALLENGE = 'Bearer realm="commerce"';

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer ([^\s]+)$/i.exec(authorization?.trim() ?? '');
  if (!authorization) {
    throw new UnauthorizedError('This route needs an access token: send Authorization: Bearer <token>', {
      headers: { 'WWW-Authenticate': CHALLENGE },
    });
  }
  if (!match?.[1]) {
    throw new UnauthorizedError('The Authorization header must be "Bearer <token>"', {
      headers: { 'WWW-Authenticate': `${CHALLENGE}, error="invalid_request"` },
    });
  }
  return match[1];
}

/** Who is calling, or the 401/403 that the route's access level demands. */
export async function authenticate(access: Access, authorization: string | undefined): Promise<Caller | undefined> {
  if (access === 'public') return undefined;
  const token = bearerToken(authorization);
  let caller: Caller;
  try {
    const claims = verifyAccessToken(token, (await signingKeys()).accessToken);
    caller = { userId: claims.sub, role: claims.role };
  } catch (error) {
    if (!(error instanceof InvalidTokenError)) throw error;
    const detail = error.reason === 'expired' ? 'The access token has expired' : 'The access token is invalid';
    throw new UnauthorizedError(detail, { headers: { 'WWW-Authenticate': `${CHALLENGE}, error="invalid_token"` } });
  }
  if (access === 'admin' && caller.role !== 'admin') throw new ForbiddenError('This route is for administrators');
  return caller;
}
