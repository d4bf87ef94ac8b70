import * as z from 'zod';

/**
 * Reads the function's configuration from its environment once, at cold start. A missing or
 * malformed variable fails the init phase with every problem named, instead of a request later.
 */
export function readConfig<S extends z.ZodRawShape>(shape: S, env: NodeJS.ProcessEnv = process.env): z.infer<z.ZodObject<S>> {
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid function configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** One variable, read and checked when called: what a context's config module offers its composition root. */
export function readVariable<S extends z.ZodType>(name: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  return readConfig({ [name]: schema }, env)[name] as z.output<S>;
}

/** A name or ARN the stack sets: present and not empty. */
export const nonEmpty = z.string().min(1);

/**
 * A base URL the function calls, from its deploy-time configuration: http(s), without
 * credentials, query or fragment. Parsed to its text without a trailing slash, so that paths
 * append as `${base}/users/me` whether or not it has a path of its own (`.../dev`).
 */
export const baseUrl = z.string().transform((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL' });
    return z.NEVER;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL without credentials, query or fragment' });
    return z.NEVER;
  }
  return url.href.replace(/\/+$/, '');
});
