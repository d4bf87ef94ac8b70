/**
 * API Gateway's request body validation: a method whose RequestValidator validates bodies checks
 * the body against the model of the request's content type (draft-04 JSON Schema, as API Gateway
 * uses), before any integration runs. A body that is not JSON, or not what the model describes, is
 * refused with the BAD_REQUEST_BODY gateway response.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';

/** Content type → the model's schema, as the method declares them. */
export type RequestModels = Readonly<Record<string, object>>;

// Formats are not checked: API Gateway's validator ignores `format` too.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** The model API Gateway picks: the request's media type (JSON when it sends none), else `$default`. */
function modelFor(models: RequestModels, contentType: string | undefined): object | undefined {
  const mediaType = (contentType ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  const byType = Object.entries(models).find(([type]) => type.toLowerCase() === mediaType)?.[1];
  return byType ?? models['$default'];
}

function describeError(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'object' : `instance ${error.instancePath}`;
  return `${where} ${error.message ?? 'is invalid'}`;
}

/**
 * Why the body fails its model, in the shape of `$context.error.validationErrorString`
 * (`[problem, problem]`); undefined when it passes or no model applies to its content type.
 */
export function bodyValidationError(models: RequestModels, contentType: string | undefined, body: Buffer): string | undefined {
  const schema = modelFor(models, contentType);
  if (!schema) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return '[Invalid JSON in request body]';
  }
  const validate = validatorFor(schema);
  if (validate(value)) return undefined;
  return `[${(validate.errors ?? []).map(describeError).join(', ')}]`;
}
