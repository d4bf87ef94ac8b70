import type { Role, UserProfile } from '../../contracts/api/users';
import { ConflictError, TooManyRequestsError, UnauthorizedError } from '../../shared/errors';

export interface User extends UserProfile {
  updatedAt: string;
}

/** What login needs, kept on the email's uniqueness item so a login is one read. */
export interface Credentials {
  userId: string;
  role: Role;
  passwordHash: string;
}

/** Emails are unique regardless of case and surrounding spaces; the address keeps its spelling. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

export function toProfile({ id, email, name, role, createdAt }: User): UserProfile {
  return { id, email, name, role, createdAt };
}

export class EmailTakenError extends ConflictError {
  override readonly code = 'email-taken';
  constructor() {
    super('An account with this email already exists');
  }
}

/** One message for an unknown email and a wrong password: the answer must not reveal which. */
export class InvalidCredentialsError extends UnauthorizedError {
  constructor() {
    super('The email or password is incorrect');
  }
}

/** One message whether or not the email has an account: the throttle must not reveal which either. */
export class LoginThrottledError extends TooManyRequestsError {
  override readonly code = 'login-throttled';
  constructor(retryAfterSeconds: number) {
    super('Too many failed logins for this email; try again after the time in Retry-After', retryAfterSeconds);
  }
}
