/**
 * What EventBridge sends a rule target: the event itself, a constant `Input`, the part of the
 * event an `InputPath` selects, or an `InputTransformer` template filled from the event.
 *
 * The result is the payload *text*, as EventBridge produces it; each target kind then carries it
 * (a Lambda payload, an SQS message body, a Step Functions execution input). Notably a string
 * template keeps its quotes: CDK's `RuleTargetInput.fromText('hi')` synthesizes the template
 * `"hi"` and targets receive `"hi"` (aws/aws-cdk#38121).
 *
 * Placeholders (`<name>`) follow the EventBridge User Guide ("Transforming target input"):
 * - inside a JSON string literal of the template, the value is inserted as text (a string as is,
 *   anything else as its JSON), escaped so the literal stays valid JSON;
 * - elsewhere in a JSON template (one starting with `{` or `[`), the value is inserted as JSON, so
 *   strings get quoted;
 * - elsewhere in a text template, strings are inserted as is and other values as JSON.
 * A path that matches nothing yields an empty string. The predefined variables
 * `aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event`, `aws.events.event.json` and
 * `aws.events.event.ingestion-time` are supported.
 */

/** The JSONPath subset EventBridge evaluates: `$`, dot notation, `['key']` and `[index]`. */
export type JsonPath = readonly (string | number)[];

export class InputTransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputTransformError';
  }
}

/** Parses `$.detail.items[0].id`; throws {@link InputTransformError} for anything else. */
export function parseJsonPath(path: string): JsonPath {
  if (!path.startsWith('$')) throw new InputTransformError(`JSON path ${path} must start with $`);
  const segments: (string | number)[] = [];
  let rest = path.slice(1);
  // Bounded: every iteration consumes at least one character.
  while (rest !== '') {
    const dotted = /^\.([^.[\]]+)/.exec(rest);
    const indexed = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\['([^']*)'\]/.exec(rest);
    if (dotted?.[1] !== undefined) {
      if (dotted[1] === '*') throw new InputTransformError(`JSON path ${path}: wildcards are not supported locally`);
      segments.push(dotted[1]);
      rest = rest.slice(dotted[0].length);
    } else if (indexed?.[1] !== undefined) {
      segments.push(Number(indexed[1]));
      rest = rest.slice(indexed[0].length);
    } else if (quoted?.[1] !== undefined) {
      segments.push(quoted[1]);
      rest = rest.slice(quoted[0].length);
    } else {
      throw new InputTransformError(`JSON path ${path} is not supported (use dot notation, e.g. $.detail.id)`);
    }
  }
  return segments;
}

/** The value at `path`, or undefined when the event has nothing there. */
export function valueAtPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
    if (current === undefined) return undefined;
  }
  return current;
}

/** What a rule target says about its input (the properties of an `AWS::Events::Rule` target). */
export interface TargetInputSpec {
  readonly Input?: string;
  readonly InputPath?: string;
  readonly InputTransformer?: {
    readonly InputPathsMap?: Readonly<Record<string, string>>;
    readonly InputTemplate: string;
  };
}

export interface RuleIdentity {
  readonly ruleArn: string;
  readonly ruleName: string;
}

/** The payload text, or why nothing is sent (an InputPath that selects nothing). */
export type TargetPayload = { readonly kind: 'payload'; readonly text: string } | { readonly kind: 'nothing'; readonly reason: string };

/** A prepared input specification: paths are parsed once, at rule registration. */
export interface CompiledTargetInput {
  payloadFor(event: EventEnvelope, rule: RuleIdentity): TargetPayload;
}

/** The fields of the event a target receives (the JSON EventBridge delivers). */
export interface EventEnvelope {
  readonly version: string;
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

const PREDEFINED = new Set([
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
]);

/**
 * Validates and prepares a target's input specification; throws {@link InputTransformError}
 * where EventBridge would have rejected the target (both Input and InputPath, a bad path,
 * a placeholder with no variable, a constant Input that is not JSON).
 */
export function compileTargetInput(spec: TargetInputSpec): CompiledTargetInput {
  const given = (['Input', 'InputPath', 'InputTransformer'] as const).filter((key) => spec[key] !== undefined);
  if (given.length > 1) throw new InputTransformError(`only one of ${given.join(', ')} may be set`);

  if (spec.Input !== undefined) {
    const text = spec.Input;
    try {
      JSON.parse(text);
    } catch {
      throw new InputTransformError(`Input must be valid JSON: ${text}`);
    }
    return { payloadFor: () => ({ kind: 'payload', text }) };
  }

  if (spec.InputPath !== undefined) {
    const inputPath = spec.InputPath;
    const path = parseJsonPath(inputPath);
    return {
      payloadFor(event) {
        const value = valueAtPath(event, path);
        return value === undefined
          ? { kind: 'nothing', reason: `InputPath ${inputPath} matches nothing in the event` }
          : { kind: 'payload', text: JSON.stringify(value) };
      },
    };
  }

  if (spec.InputTransformer !== undefined) {
    return compileTransformer(spec.InputTransformer);
  }

  return { payloadFor: (event) => ({ kind: 'payload', text: JSON.stringify(event) }) };
}

function compileTransformer(transformer: NonNullable<TargetInputSpec['InputTransformer']>): CompiledTargetInput {
  const paths = new Map<string, JsonPath>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    if (PREDEFINED.has(name)) throw new InputTransformError(`InputPathsMap may not redefine the predefined variable ${name}`);
    paths.set(name, parseJsonPath(path));
  }
  const template = transformer.InputTemplate;
  const pieces = splitTemplate(template);
  for (const piece of pieces) {
    if (piece.kind === 'placeholder' && !paths.has(piece.name) && !PREDEFINED.has(piece.name)) {
      throw new InputTransformError(`InputTemplate uses <${piece.name}>, which InputPathsMap does not define`);
    }
  }
  const jsonTemplate = /^\s*[{[]/.test(template);

  return {
    payloadFor(event, rule) {
      const variable = (name: string): unknown => {
        switch (name) {
          case 'aws.events.rule-arn':
            return rule.ruleArn;
          case 'aws.events.rule-name':
            return rule.ruleName;
          case 'aws.events.event':
          case 'aws.events.event.json':
            return event;
          case 'aws.events.event.ingestion-time':
            return event.time;
        }
        const path = paths.get(name);
        const value = path === undefined ? undefined : valueAtPath(event, path);
        return value === undefined ? '' : value;
      };
      let text = '';
      for (const piece of pieces) {
        if (piece.kind === 'text') {
          text += piece.text;
        } else {
          const value = variable(piece.name);
          if (piece.inString) text += escapeForJsonString(typeof value === 'string' ? value : JSON.stringify(value));
          else if (jsonTemplate || typeof value !== 'string') text += JSON.stringify(value);
          else text += value;
        }
      }
      if (jsonTemplate) {
        try {
          JSON.parse(text);
        } catch {
          throw new InputTransformError(`the transformed input is not valid JSON: ${text}`);
        }
      }
      return { kind: 'payload', text };
    },
  };
}

type TemplatePiece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'placeholder'; readonly name: string; readonly inString: boolean };

/** Splits the template into text and `<name>` placeholders, noting which sit inside a JSON string literal. */
function splitTemplate(template: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let inString = false;
  let text = '';
  for (let index = 0; index < template.length; index++) {
    const char = template[index] ?? '';
    if (char === '\\' && inString) {
      // An escape inside a string literal: copy it with the escaped character.
      text += template.slice(index, index + 2);
      index++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', index + 1);
      const name = end === -1 ? '' : template.slice(index + 1, end);
      if (/^[A-Za-z0-9_.-]+$/.test(name)) {
        if (text !== '') pieces.push({ kind: 'text', text });
        text = '';
        pieces.push({ kind: 'placeholder', name, inString });
        index = end;
        continue;
      }
    }
    text += char;
  }
  if (text !== '') pieces.push({ kind: 'text', text });
  return pieces;
}

function escapeForJsonString(text: string): string {
  // JSON.stringify escapes exactly what a string literal needs; drop its surrounding quotes.
  return JSON.stringify(text).slice(1, -1);
}
