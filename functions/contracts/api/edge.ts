import * as z from 'zod';

export const Health = z
  .object({ status: z.enum(['ok', 'degraded']), checks: z.record(z.string(), z.string()) });
