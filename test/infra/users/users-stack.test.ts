import { beforeAll, describe, expect, it } from 'vitest';
import { USERS_ENV } from '../../../functions/users/users-config';
import { passwordHashCostFrom, UsersStack } from '../../../lib/users/users-stack';
import { synthesizeStack } from '../../support/stack';

const usersStack = (context?: Record<string, unknown>) =>
  synthesizeStack((app, platform) => new UsersStack(app, 'users', { platform }), { env: null, context });
let byDefault: ReturnType<typeof usersStack>;
let cheap: ReturnType<typeof usersStack>;

beforeAll(() => {
  byDefault = usersStack();
  cheap = usersStack({ passwordHashCost: '10' });
}, 120_000);

describe('UsersStack: the cost of new password hashes', () => {
  it('is production strength (scrypt N = 2^15) on register and login unless -c passwordHashCost, and only there', () => {
    const { stack, environmentOf } = byDefault;
    const { register, login, getMe, updateMe } = stack.routeFunctions;
    for (const fn of [register, login]) expect(environmentOf(fn)[USERS_ENV.passwordHashCost], fn.node.path).toBe('15');
    for (const fn of [getMe, updateMe]) expect(environmentOf(fn)[USERS_ENV.passwordHashCost], fn.node.path).toBeUndefined();
  });

  it('follows -c passwordHashCost=N (a test runtime), within a floor and a ceiling', () => {
    const { stack, environmentOf } = cheap;
    for (const fn of [stack.routeFunctions.register, stack.routeFunctions.login]) expect(environmentOf(fn)[USERS_ENV.passwordHashCost]).toBe('10');
    expect(passwordHashCostFrom(12)).toBe(12);
    for (const weak of ['9', '0', '21', 'cheap', '12.5']) {
      expect(() => passwordHashCostFrom(weak)).toThrow(/passwordHashCost must be a whole number from 10 to 20 .*production: 15/);
    }
  });
});
