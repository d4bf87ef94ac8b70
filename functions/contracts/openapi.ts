import type * as z from 'zod';
import { Problem } from './api/common';
import { toJsonSchema, type JsonSchema } from './json-schema';
import { routes, type RouteContract } from './routes';

const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid request', 401: 'Not authenticated', 403: 'Not allowed', 404: 'Not found',
  409: 'Conflict with the current state', 413: 'Body larger than 64 KiB',
  422: 'Semantically impossible', 429: 'Throttled', 503: 'A dependency is unavailable',
};

const RETRY_AFTER: JsonSchema = {
  description: 'Seconds to wait before trying again',
  required: true,
  schema: { type: 'integer', minimum: 1 },
};

const schemaOf = (schema: z.ZodType, io: 'input' | 'output') => toJsonSchema(schema, 'draft-2020-12', io);

function parametersOf(route: RouteContract): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, shape] of [['path', route.params], ['query', route.query], ['header', route.headers]] as const) {
    if (!shape) continue;
    const json = schemaOf(shape, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(json.properties ?? {})) {
      params.push({ name, in: location, required: location === 'path' || (json.required ?? []).includes(name), schema });
    }
  }
  return params;
}

function operationOf(id: string, route: RouteContract): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    responses[status] = schema
      ? { description, content: { 'application/json': { schema: schemaOf(schema, 'output') } } }
      : { description };
  }
  for (const status of route.errors) {
    responses[String(status)] = {
      description: STATUS_TITLES[status] ?? 'Error',
      ...(status === 429 || status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    operationId: id,
    summary: route.summary,
    tags: [route.owner],
    ...(route.access === 'public' ? { security: [] } : {}),
    ...(route.access === 'admin' ? { description: 'Admin role required.' } : {}),
    parameters: parametersOf(route),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } }
      : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route, generated from the schemas that validate requests. */
export function buildOpenApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const [id, route] of Object.entries(routes) as [string, RouteContract][]) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(id, route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Commerce API', version: '1.0.0', description: 'Serverless e-commerce reference API.' },
    paths,
    components: {
      schemas: { Problem: schemaOf(Problem, 'output') },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
  };
}
