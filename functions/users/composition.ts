import { sharedConfig } from '../shared/environment';
import { dynamoLoginThrottle } from './adapters/dynamo-login-throttle';
import { dynamoUserStore } from './adapters/dynamo-user-store';
import { usersConfig } from './users-config';

/**
 * The users context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
const tableName = sharedConfig.tableName();
export const userStore = dynamoUserStore(tableName);
export const loginThrottle = dynamoLoginThrottle(tableName);
/** scrypt's cost for new password hashes (production strength unless the stack sets another). */
export const hashing = { hashCost: usersConfig.passwordHashCost() };
