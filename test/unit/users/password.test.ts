import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../functions/users/domain/password';
import { emailKey } from '../../../functions/users/domain/user';
import { MIN_PASSWORD_HASH_COST } from '../../../functions/users/users-config';

// The cheapest cost a stage may set, as the test runtimes do: the behaviour is the same at any cost.
const CHEAP = MIN_PASSWORD_HASH_COST;

describe('password hashing', () => {
  it('hashes at production strength unless told otherwise: scrypt N = 2^15, r = 8, p = 3, stored with the hash', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
  });

  it('salts every hash, stores the cost it was made at, and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse', CHEAP), hashPassword('correct horse', CHEAP)]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$3\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'bcrypt$whatever')).toBe(false);
  });

  it('treats canonically equal Unicode passwords as equal', async () => {
    const hash = await hashPassword('caf\u00e9 au lait', CHEAP);
    expect(await verifyPassword('cafe\u0301 au lait', hash)).toBe(true);
  });
});

describe('email uniqueness key', () => {
  it('ignores case and surrounding spaces', () => {
    expect(emailKey('  Ada@Example.COM ')).toBe('ada@example.com');
  });
});
