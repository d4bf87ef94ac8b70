/**
 * Answers the gateway makes itself (no route, throttled, too large, integration failed), rendered
 * from the app's AWS::ApiGateway::GatewayResponse resources the way API Gateway does:
 * the response type's own definition, else the DEFAULT_4XX / DEFAULT_5XX one, else the built-in
 * default `{"message": "..."}` with the type's default status code.
 */
import type { GatewayResponseDefinition } from './rest-api-model';
import { evaluateMapping, renderTemplate, type MappingSources } from './mapping-expressions';

export interface GatewayError {
  /** The gateway response type (`$context.error.responseType`). */
  readonly type: string;
  /** Status when neither the type's definition nor the DEFAULT_nXX one sets one. */
  readonly status: number;
  /** `$context.error.message`. */
  readonly message: string;
  /** `x-amzn-ErrorType`, where API Gateway's is known. */
  readonly errorType?: string;
}

/** The gateway errors the local gateway produces. */
export const GATEWAY_ERRORS = {
  /** No resource for the path, or no method for the verb on that resource. */
  missingAuthenticationToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN', status: 403, message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  throttled: { type: 'THROTTLED', status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  requestTooLarge: { type: 'REQUEST_TOO_LARGE', status: 413, message: 'Request Too Long' },
  /** The body is not JSON, or not what the method's model describes. */
  badRequestBody: { type: 'BAD_REQUEST_BODY', status: 400, message: 'Invalid request body', errorType: 'BadRequestException' },
  /** The function failed, timed out or returned a malformed proxy result. */
  integrationError: { type: 'DEFAULT_5XX', status: 502, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  /** The integration points nowhere we can reach (unknown function, unsupported integration). */
  configurationError: {
    type: 'API_CONFIGURATION_ERROR', status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException',
  },
  /** API Gateway gave up waiting for the integration (29 s). */
  integrationTimeout: { type: 'INTEGRATION_TIMEOUT', status: 504, message: 'Endpoint request timed out' },
} as const satisfies Record<string, GatewayError>;

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';
const JSON_TYPE = 'application/json';
const HEADER_PREFIX = 'gatewayresponse.header.';

export interface GatewayAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The media types an Accept header lists, in order (parameters and q-values ignored). */
function acceptedTypes(accept: string | undefined): string[] {
  return (accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0]!.trim().toLowerCase())
    .filter((type) => type !== '');
}

function chooseTemplate(templates: Readonly<Record<string, string>>, accept: string | undefined): [string, string] {
  const entries = Object.entries(templates);
  if (entries.length === 0) return [JSON_TYPE, DEFAULT_TEMPLATE];
  for (const type of acceptedTypes(accept)) {
    const found = entries.find(([contentType]) => contentType.toLowerCase() === type);
    if (found) return found;
  }
  return entries.find(([contentType]) => contentType.toLowerCase() === JSON_TYPE) ?? entries[0]!;
}

/**
 * Renders `error` for a request whose mapping sources (`$context` with requestId etc.) are given;
 * `error.*` context variables are added here.
 */
export function renderGatewayResponse(
  definitions: ReadonlyMap<string, GatewayResponseDefinition>,
  error: GatewayError,
  sources: MappingSources,
  validationErrorString = '',
): GatewayAnswer {
  const own = definitions.get(error.type);
  const fallback = definitions.get(error.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX');
  const definition = own ?? fallback;
  // A status on DEFAULT_nXX applies to every nXX type that does not set its own.
  const statusCode = own?.statusCode ?? fallback?.statusCode ?? error.status;

  const withError: MappingSources = {
    ...sources,
    context: {
      ...sources.context,
      'error.message': error.message,
      'error.messageString': JSON.stringify(error.message),
      'error.responseType': error.type,
      'error.validationErrorString': validationErrorString,
    },
  };
  const [contentType, template] = chooseTemplate(definition?.responseTemplates ?? {}, sources.requestHeaders['accept']);
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (error.errorType) headers['x-amzn-ErrorType'] = error.errorType;
  for (const [key, expression] of Object.entries(definition?.responseParameters ?? {})) {
    if (!key.startsWith(HEADER_PREFIX)) continue;
    const value = evaluateMapping(expression, withError);
    if (value === undefined) continue;
    const name = key.slice(HEADER_PREFIX.length);
    // Replace case-insensitively so the app's Content-Type wins over the default one.
    for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
    headers[name] = value;
  }
  return { statusCode, headers, body: renderTemplate(template, withError) };
}
