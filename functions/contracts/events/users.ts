import * as z from 'zod';
import { defineEvent } from './envelope';

export const UserRegistered = defineEvent(
  'users',
  'UserRegistered',
  z.object({ userId: z.string(), email: z.email(), name: z.string() }),
);
