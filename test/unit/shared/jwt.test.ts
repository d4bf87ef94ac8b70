import { describe, expect, it } from 'vitest';
import { type InvalidTokenError, signAccessToken, verifyAccessToken } from '../../../functions/shared/auth/jwt';
import { deriveSigningKeys } from '../../../functions/shared/signing-keys';
import { respell, respellSignature } from '../../support/respell';

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

  it('rejects a token whose signature, header or payload is spelled differently (same bytes, not our spelling)', () => {
    const { token } = signAccessToken({ userId: 'u1', role: 'customer' }, key, at);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(reasonOf(() => verifyAccessToken(token, key, at))).toBe('accepted');
    const forged = respellSignature(token);
    expect(forged).not.toBe(token);
    expect(reasonOf(() => verifyAccessToken(forged, key, at))).toBe('malformed');
    for (const variant of [`${signature}=`, `${signature}==`, `${signature} `, `+${signature.slice(1)}`, `${signature.slice(0, 10)}!${signature.slice(10)}`]) {
      expect(reasonOf(() => verifyAccessToken(`${header}.${payload}.${variant}`, key, at)), variant).toBe('malformed');
    }
    // The header and payload are signed as sent, so a respelling of them fails one way or another.
    if (header.length % 4 >= 2) expect(reasonOf(() => verifyAccessToken(`${respell(header)}.${payload}.${signature}`, key, at))).not.toBe('accepted');
    if (payload.length % 4 >= 2) expect(reasonOf(() => verifyAccessToken(`${header}.${respell(payload)}.${signature}`, key, at))).not.toBe('accepted');
  });

  it('derives distinct keys for tokens and cursors', () => {
    const keys = deriveSigningKeys('same-secret');
    expect(keys.accessToken.equals(keys.cursor)).toBe(false);
    expect(keys.accessToken.length).toBe(32);
  });
});
