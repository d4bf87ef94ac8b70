import * as z from 'zod';
import { lineOfText } from './common';
import { Role } from './role';

export { Role };

// Surrounding spaces are forgiven (trimmed) before the address is checked.
const Email = z.string().trim().pipe(z.email().max(254));
const Name = lineOfText(100);

export const RegisterRequest = z
  .strictObject({ email: Email, password: z.string().min(8).max(128), name: Name });

export const LoginRequest = z
  .strictObject({ email: z.string().min(1).max(254), password: z.string().min(1).max(128) });

export const UpdateMeRequest = z.strictObject({ name: Name });

export const UserProfile = z
  .object({ id: z.string(), email: z.string(), name: z.string(), role: Role, createdAt: z.iso.datetime() });
export type UserProfile = z.infer<typeof UserProfile>;

export const AccessToken = z
  .object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() });
