/**
 * The variables the users stack sets on the users functions, and their loaders. Imports nothing
 * but zod and the reader, so the CDK app can use the names (and check the hashing cost with the
 * functions' own schema) without loading runtime code.
 */
import * as z from 'zod';
import { readVariable } from '../shared/config';

export const USERS_ENV = {
  /** log2 of scrypt's N for new password hashes (`-c passwordHashCost`), on register and login. */
  passwordHashCost: 'PASSWORD_HASH_COST',
} as const;

/** Production strength: N = 2^15 with r = 8, p = 3, one of OWASP's equivalent minimums. */
export const PRODUCTION_PASSWORD_HASH_COST = 15;
/**
 * The cheapest cost a stage may ask for. Only test runtimes go below production (each of their
 * registrations and logins would otherwise spend tens of ms of CPU in scrypt); below 2^10 is no
 * hashing cost worth the name anywhere.
 */
export const MIN_PASSWORD_HASH_COST = 10;
/** The dearest: 2^20 with r = 8 needs 1 GiB of memory, all the hashing functions are given. */
export const MAX_PASSWORD_HASH_COST = 20;
export const passwordHashCost = z.coerce.number().int().min(MIN_PASSWORD_HASH_COST).max(MAX_PASSWORD_HASH_COST);

export const usersConfig = {
  /** Production strength unless the stack says otherwise; hashes keep their own parameters, so verifying never needs this. */
  passwordHashCost: () => readVariable(USERS_ENV.passwordHashCost, passwordHashCost.default(PRODUCTION_PASSWORD_HASH_COST)),
};
