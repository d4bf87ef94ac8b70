import * as z from 'zod';

export type JsonSchema = Record<string, unknown>;

// An empty registry: every schema is written inline, so each document stands alone
// (API Gateway models cannot follow references into another document).
const INLINE = z.registry<Record<string, unknown>>();

/**
 * The JSON Schema of a zod contract: draft 2020-12 for OpenAPI 3.1, draft-04 for API Gateway
 * request models. `input` describes what a client sends (defaults optional), `output` what it receives.
 */
export function toJsonSchema(
  schema: z.ZodType,
  target: 'draft-2020-12' | 'draft-04',
  io: 'input' | 'output',
): JsonSchema {
  const json = z.toJSONSchema(schema, { target, io, unrepresentable: 'any', metadata: INLINE }) as JsonSchema;
  delete json.$schema;
  return json;
}
