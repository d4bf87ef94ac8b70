import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { Role } from '../../contracts/api/role';
import { decodeBase64Url } from '../base64url';

/** HS256 access tokens, signed and verified with node:crypto (no library, no `none` algorithm). */
const ISSUER = 'commerce';
const AUDIENCE = 'commerce-api';
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

const Header = z.object({ alg: z.literal('HS256'), typ: z.literal('JWT').optional() });
const Claims = z.object({
  sub: z.string().min(1),
  role: Role,
  iss: z.literal(ISSUER),
  aud: z.literal(AUDIENCE),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AccessClaims = z.infer<typeof Claims>;

export type TokenFailure = 'malformed' | 'bad-signature' | 'expired' | 'invalid-claims';

export class InvalidTokenError extends Error {
  constructor(readonly reason: TokenFailure) {
    super(`access token rejected: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sign = (input: string, key: Buffer) => createHmac('sha256', key).update(input).digest();

export function signAccessToken(
  subject: { userId: string; role: Role },
  key: Buffer,
  now: Date = new Date(),
): { token: string; expiresIn: number } {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: AccessClaims = {
    sub: subject.userId, role: subject.role, iss: ISSUER, aud: AUDIENCE, iat, exp: iat + ACCESS_TOKEN_TTL_SECONDS,
  };
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return { token: `${input}.${sign(input, key).toString('base64url')}`, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

function decodeJson(segment: string): unknown {
  const bytes = decodeBase64Url(segment);
  if (!bytes) throw new InvalidTokenError('malformed');
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new InvalidTokenError('malformed');
  }
}

export function verifyAccessToken(token: string, key: Buffer, now: Date = new Date()): AccessClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new InvalidTokenError('malformed');
  const [header, payload, signature] = parts as [string, string, string];
  // Only the spelling we issued: another spelling of the same signature bytes is a forgery.
  const given = decodeBase64Url(signature);
  if (!given || given.length === 0) throw new InvalidTokenError('malformed');
  if (!Header.safeParse(decodeJson(header)).success) throw new InvalidTokenError('malformed');

  // Check the signature before trusting anything in the payload.
  const expected = sign(`${header}.${payload}`, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidTokenError('bad-signature');

  const claims = Claims.safeParse(decodeJson(payload));
  if (!claims.success) throw new InvalidTokenError('invalid-claims');
  if (claims.data.exp <= Math.floor(now.getTime() / 1000)) throw new InvalidTokenError('expired');
  return claims.data;
}
