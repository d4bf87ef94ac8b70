import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../../functions/users/domain/password';
import { emailKey } from '../../../functions/users/domain/user';

describe('password hashing', () => {
  it('salts every hash and verifies only the right password', async () => {
    const [a, b] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[\w-]+\$[\w-]+$/);
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('correct horsf', a)).toBe(false);
    expect(await verifyPassword('correct horse', 'bcrypt$whatever')).toBe(false);
  });

  it('treats canonically equal Unicode passwords as equal', async () => {
    const hash = await hashPassword('caf\u00e9 au lait');
    expect(await verifyPassword('cafe\u0301 au lait', hash)).toBe(true);
  });
});

describe('email uniqueness key', () => {
  it('ignores case and surrounding spaces', () => {
    expect(emailKey('  Ada@Example.COM ')).toBe('ada@example.com');
  });
});
