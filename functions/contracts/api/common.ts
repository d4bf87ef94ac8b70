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

// C0 controls, DEL and C1 controls forge lines in mails, labels, logs and terminals; bidi
// embeddings, overrides and isolates make text display as other text ("\u202Etxt.exe").
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const NO_CONTROLS = /^[^\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$/;
// Half of a surrogate pair alone is no character: stored as UTF-8 it silently becomes U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One line of human text (a name, an address line): trimmed, up to `max`, printable, well-formed. */
export function lineOfText(max: number, min = 1) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(NO_CONTROLS, 'must not contain control characters')
    .refine((text) => !LONE_SURROGATE.test(text), 'must be well-formed Unicode');
}

export const Currency = z.enum(['USD']);
export type Currency = z.infer<typeof Currency>;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
