import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { PRODUCTION_PASSWORD_HASH_COST } from '../users-config';

/**
 * scrypt with a per-password salt, parameters stored with the hash so they can be raised later
 * without invalidating old hashes. N=2^15, r=8, p=3 is one of OWASP's equivalent minimums; a
 * stage may hash new passwords at another cost (log2 N: users-config.ts), and every hash is
 * verified with the parameters it was made with.
 */
const R = 8;
const P = 3;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;

function derive(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** A new hash at N = 2^cost (production strength unless the stage says otherwise). */
export async function hashPassword(password: string, cost: number = PRODUCTION_PASSWORD_HASH_COST): Promise<string> {
  const params = { N: 2 ** cost, r: R, p: P };
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// Hashes of nothing anyone knows, one per cost: checked when the email is unknown, so both
// failures take as long as a known email's hash (made at the same cost) takes to verify.
const decoys = new Map<number, Promise<string>>();

export async function spendVerificationTime(password: string, cost: number = PRODUCTION_PASSWORD_HASH_COST): Promise<void> {
  if (!decoys.has(cost)) decoys.set(cost, hashPassword(randomBytes(16).toString('hex'), cost));
  await verifyPassword(password, await decoys.get(cost)!);
}
