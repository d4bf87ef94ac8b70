/**
 * The file the OpenAPI function serves, written beside its bundle when bundling
 * (lib/platform/bundle.ts): the document is a pure function of the route contracts, so it is
 * built once per deployment instead of at every cold start, which would build every zod schema
 * of the API. Imports nothing, so the CDK app and the handler can both name it.
 */
export const OPENAPI_DOCUMENT_FILE = 'openapi.json';
