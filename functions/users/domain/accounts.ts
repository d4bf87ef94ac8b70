import type { Role, UserProfile } from '../../contracts/api/users';
import { UserRegistered } from '../../contracts/events/users';
import { signAccessToken } from '../../shared/auth/jwt';
import { ConcurrentUpdateError, NotFoundError } from '../../shared/errors';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { newId, nowIso } from '../../shared/ids';
import { retryOnLostRace } from '../../shared/lost-race';
import { forgetAfter, judge, staleBefore, type AttemptRecord } from './login-throttle';
import { hashPassword, spendVerificationTime, verifyPassword } from './password';
import {
  emailKey, InvalidCredentialsError, LoginThrottledError, toProfile, type Credentials, type User,
} from './user';

/** The users table as the domain sees it. */
export interface UserStore {
  /** Stores the user, its credentials and the event at once; EmailTakenError when the email is in use. */
  create(user: User, credentials: Credentials, event: PendingEvent): Promise<void>;
  credentialsByEmail(emailKey: string): Promise<Credentials | undefined>;
  get(userId: string): Promise<User | undefined>;
  /** The user after the change, or undefined when there is no such user. */
  rename(userId: string, name: string, at: string): Promise<User | undefined>;
}

/** The login throttle's records (one per email key) as the domain sees them; see login-throttle.ts. */
export interface LoginThrottleStore {
  /** Counts one attempt atomically (starting the record over when it is stale) and returns the record after it. */
  count(emailKey: string, at: { now: number; staleBefore: number; forgetAfter: number }): Promise<AttemptRecord>;
  /** Moves a lapsed lock to `lockUntil` only while it is still `lapsed`: true for the one attempt that did. */
  takeLapsedLock(emailKey: string, lapsed: number, lockUntil: number): Promise<boolean>;
  /** Raises the lock to `lockUntil`, unless a later one is set already. */
  extendLock(emailKey: string, lockUntil: number): Promise<void>;
  /** Forgets the attempts of the email: its login succeeded. */
  clear(emailKey: string): Promise<void>;
}

export interface Registration {
  email: string;
  password: string;
  name: string;
  role?: Role;
}

/** Attempts to store a registration that keeps losing to concurrent writes of the same email. */
export const MAX_REGISTER_ATTEMPTS = 3;

/** How new passwords are hashed: scrypt's cost (log2 N), production strength when not given. */
export interface Hashing {
  hashCost?: number;
}

export async function register(store: UserStore, input: Registration, correlationId: string, { hashCost }: Hashing = {}): Promise<UserProfile> {
  const now = nowIso();
  const user: User = {
    id: newId(),
    email: input.email.trim(),
    name: input.name,
    role: input.role ?? 'customer',
    createdAt: now,
    updatedAt: now,
  };
  const credentials: Credentials = { userId: user.id, role: user.role, passwordHash: await hashPassword(input.password, hashCost) };
  const event = domainEvent(UserRegistered, { userId: user.id, email: user.email, name: user.name }, correlationId);
  // Two registrations of one email at once: DynamoDB may cancel one outright (TransactionConflict).
  // Try again, and the email claim then decides (201, or 409 email-taken).
  await retryOnLostRace(() => store.create(user, credentials, event), {
    attempts: MAX_REGISTER_ATTEMPTS, exhausted: () => new ConcurrentUpdateError('Another request is registering this email; try again'),
  });
  return toProfile(user);
}

/** Lets the attempt check a password, or refuses it (429) as the throttle policy says. */
async function admit(throttle: LoginThrottleStore, key: string, now: number): Promise<void> {
  const verdict = judge(await throttle.count(key, { now, staleBefore: staleBefore(now), forgetAfter: forgetAfter(now) }), now);
  if (verdict.kind === 'check') return;
  if (verdict.kind === 'checkAfterLock' && (await throttle.takeLapsedLock(key, verdict.lapsed, verdict.lockUntil))) return;
  await throttle.extendLock(key, verdict.lockUntil);
  throw new LoginThrottledError(verdict.retryAfterSeconds);
}

export interface LoginDeps extends Hashing {
  store: UserStore;
  throttle: LoginThrottleStore;
}

/**
 * The throttle comes first, the same for every email, known or not: a refused attempt learns
 * nothing, not even whether its password was right.
 */
export async function login(deps: LoginDeps, input: { email: string; password: string }, signingKey: Buffer, now = Date.now()) {
  const key = emailKey(input.email);
  await admit(deps.throttle, key, now);
  const credentials = await deps.store.credentialsByEmail(key);
  if (!credentials) {
    // At the cost new hashes get here, which is what a known email's hash was made with.
    await spendVerificationTime(input.password, deps.hashCost);
    throw new InvalidCredentialsError();
  }
  if (!(await verifyPassword(input.password, credentials.passwordHash))) throw new InvalidCredentialsError();
  await deps.throttle.clear(key);
  const { token, expiresIn } = signAccessToken({ userId: credentials.userId, role: credentials.role }, signingKey);
  return { accessToken: token, tokenType: 'Bearer' as const, expiresIn };
}

/** A valid token whose user is gone (or never existed in this target) is a 404, not a 500. */
const noSuchUser = () => new NotFoundError('No account matches this access token');

export async function profile(store: UserStore, userId: string): Promise<UserProfile> {
  const user = await store.get(userId);
  if (!user) throw noSuchUser();
  return toProfile(user);
}

export async function rename(store: UserStore, userId: string, name: string): Promise<UserProfile> {
  const user = await store.rename(userId, name, nowIso());
  if (!user) throw noSuchUser();
  return toProfile(user);
}
