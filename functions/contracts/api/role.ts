import * as z from 'zod';

/**
 * A user's role, in the users API and in every access token. Apart from ./users so that verifying
 * a token (shared/auth/jwt.ts, in every signed-in route's function) builds none of the users API.
 */
export const Role = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof Role>;
