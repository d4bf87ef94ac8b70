import { describe, expect, it } from 'vitest';
import { type InvalidTokenError, signAccessToken, verifyAccessToken } from '../../../functions/shared/auth/jwt';
import { deriveSigningKeys } from '../../../functions/shared/signing-keys';

const { accessToken: key } = deriveSigningKeys('unit-test-secret');
const at = new Date('2026-01-01T00:00:00Z');

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as InvalidTokenError).reason;
  }
  return 'accepted';
};

describe('access tokens (HS256)', () => {
  it('round-trips subject and role and expires after 15 minutes', () => {
    const { token, expiresIn } = signAccessToken({ userId: 'u1', role: 'admin' }, key, at);
    expect(expiresIn).toBe(900);
    expect(verifyAccessToken(token, key, new Date(at.getTime() + 899_000))).toMatchObject({ sub: 'u1', role: 'admin' });
    expect(reasonOf(() => verifyAccessToken(token, key, new Date(at.getTime() + 900_000)))).toBe('expired');
  });

  it('rejects another key, an edited payload, alg none and garbage', () => {
    const { token } = signAccessToken({ userId: 'u1', role: 'customer' }, key, at);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), role: 'admin' })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(reasonOf(() => verifyAccessToken(token, deriveSigningKeys('other').accessToken, at))).toBe('bad-signature');
    expect(reasonOf(() => verifyAccessToken(`${header}.${edited}.${signature}`, key, at))).toBe('bad-signature');
    expect(reasonOf(() => verifyAccessToken(`${none}.${payload}.`, key, at))).toBe('malformed');
    expect(reasonOf(() => verifyAccessToken(`${none}.${payload}.${signature}`, key, at))).toBe('malformed');
    expect(reasonOf(() => verifyAccessToken('a.b', key, at))).toBe('malformed');
    expect(reasonOf(() => verifyAccessToken('', key, at))).toBe('malformed');
  });

  it('derives distinct keys for tokens and cursors', () => {
    const keys = deriveSigningKeys('same-secret');
    expect(keys.accessToken.equals(keys.cursor)).toBe(false);
    expect(keys.accessToken.length).toBe(32);
  });
});
