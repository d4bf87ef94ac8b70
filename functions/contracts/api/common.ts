import * as z from 'zod';

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    correlationId: z.string(),
  });
export type Problem = z.infer<typeof Problem>;

/** Opaque ids in paths: bounded so a silly value is a 404 lookup, never an oversized key. */
export const Id = z.string().min(1).max(64);

export const Currency = z.enum(['USD']);
export type Currency = z.infer<typeof Currency>;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
