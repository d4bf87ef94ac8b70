/**
 * Offline resolution of CloudFormation intrinsic functions.
 *
 * The local runtime reads the synthesized cloud assembly (`cdk.out`) and needs
 * concrete values for every property it uses: table names, queue URLs, ARNs,
 * environment variables, state machine definitions... This module turns the
 * template JSON into plain JSON, the way CloudFormation would at deploy time,
 * with every environment-specific lookup delegated to a small {@link ResolveContext}.
 *
 * It is pure: no I/O, no globals. Anything it cannot resolve faithfully is an
 * error naming the stack, the logical id and the template path, never a guess.
 */

/** A CloudFormation template parameter declaration. */
export interface CfnParameter {
  readonly Type: string;
  readonly Default?: unknown;
  readonly Description?: string;
  readonly NoEcho?: boolean | string;
}

/** A resource declaration. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly Metadata?: Readonly<Record<string, unknown>>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** An output declaration. */
export interface CfnOutput {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/** The parts of a template the resolver looks at. */
export interface CfnTemplate {
  readonly Parameters?: Readonly<Record<string, CfnParameter>>;
  readonly Mappings?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly Conditions?: Readonly<Record<string, unknown>>;
  readonly Resources?: Readonly<Record<string, CfnResource>>;
  readonly Outputs?: Readonly<Record<string, CfnOutput>>;
  readonly Rules?: Readonly<Record<string, unknown>>;
}

/** What `Fn::GetAtt` may yield: most attributes are strings, a few are lists. */
export type AttributeValue = string | readonly string[];

/**
 * Everything environment-specific the resolver needs. One context per stack.
 * Callbacks may throw; the resolver re-throws with the template location.
 */
export interface ResolveContext {
  /** The deployed stack name (AWS::StackName), e.g. `Commerce-dev-Users`. */
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** AWS::URLSuffix; defaults to `amazonaws.com` (`amazonaws.com.cn` in aws-cn). */
  readonly urlSuffix?: string;
  readonly template: CfnTemplate;
  /** Parameter values overriding the template defaults, by parameter name. */
  readonly parameters?: Readonly<Record<string, string>>;
  /** What `Fn::GetAZs` returns; defaults to `<region>a`, `<region>b`, `<region>c`. */
  readonly availabilityZones?: readonly string[];
  /** The value `Ref` returns for a resource of this template. */
  physicalId(logicalId: string): string;
  /** The value `Fn::GetAtt` returns for a resource of this template. */
  attribute(logicalId: string, attribute: string): AttributeValue;
  /** The value of another stack's export (`Fn::ImportValue`). */
  importValue(exportName: string): string;
  /** An SSM parameter's value: `{{resolve:ssm:...}}` and `AWS::SSM::Parameter::Value<...>` parameters. */
  ssmParameter(name: string): string;
  /**
   * A Secrets Manager secret's SecretString (`{{resolve:secretsmanager:...}}`);
   * with `jsonKey`, that key of the JSON secret string.
   */
  secretValue(secretIdOrArn: string, jsonKey?: string): string;
}

/** A path into the template: property names and array indices. */
export type TemplatePath = readonly (string | number)[];

const SECTION_KINDS: Readonly<Record<string, string>> = { Resources: 'resource', Outputs: 'output', Conditions: 'condition' };

/** Thrown for anything that cannot be resolved; names the stack, the logical id and the template path. */
export class IntrinsicError extends Error {
  readonly stackName: string;
  readonly logicalId: string | undefined;
  /** Dotted path, e.g. `Resources.OrdersFn.Properties.Environment.Variables.TABLE_NAME.Ref`. */
  readonly templatePath: string;

  constructor(ctx: Pick<ResolveContext, 'stackName'>, path: TemplatePath, reason: string, options?: { cause?: unknown }) {
    const logicalId = logicalIdOf(path);
    const templatePath = formatPath(path);
    const kind = SECTION_KINDS[String(path[0])] ?? '';
    const where = `stack ${ctx.stackName}${logicalId ? `, ${kind} ${logicalId}` : ''}, at ${templatePath || '(template root)'}`;
    super(`${reason} (${where})`, options);
    this.name = 'IntrinsicError';
    this.stackName = ctx.stackName;
    this.logicalId = logicalId;
    this.templatePath = templatePath;
  }
}

/** `Resources.Fn.Properties.Layers[0]` style. */
export function formatPath(path: TemplatePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

function logicalIdOf(path: TemplatePath): string | undefined {
  const [section, id] = path;
  if ((section === 'Resources' || section === 'Outputs' || section === 'Conditions') && typeof id === 'string') {
    return id;
  }
  return undefined;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/** Marker for `Ref: AWS::NoValue`: the enclosing key or array element disappears. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');
type Resolved = unknown;

type Obj = Readonly<Record<string, unknown>>;

function isPlainObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The single key of `{ "Ref": ... }` / `{ "Fn::X": ... }` objects, else undefined. */
function intrinsicName(value: Obj): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

/**
 * True when `value` still contains an intrinsic function (`Ref`, `Fn::*`) or a
 * dynamic reference (`{{resolve:...}}`) anywhere.
 */
export function containsIntrinsic(value: unknown): boolean {
  if (typeof value === 'string') return DYNAMIC_REFERENCE.test(value);
  if (Array.isArray(value)) return value.some(containsIntrinsic);
  if (isPlainObject(value)) {
    if (intrinsicName(value) !== undefined) return true;
    return Object.values(value).some(containsIntrinsic);
  }
  return false;
}

function urlSuffixOf(ctx: ResolveContext): string {
  return ctx.urlSuffix ?? (ctx.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
}

/** Deterministic, UUID-shaped stack id tail so AWS::StackId is stable across runs. */
function stackIdOf(ctx: ResolveContext): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (const ch of `${ctx.accountId}/${ctx.region}/${ctx.stackName}`) {
    const c = ch.codePointAt(0) ?? 0;
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  const hex = (h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0')).repeat(2);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return `arn:${ctx.partition}:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/${uuid}`;
}

class Resolver {
  private readonly evaluating: string[] = [];

  constructor(private readonly ctx: ResolveContext) {}

  fail(path: TemplatePath, reason: string, cause?: unknown): never {
    throw new IntrinsicError(this.ctx, path, reason, cause === undefined ? undefined : { cause });
  }

  /** Runs a context callback, re-throwing its failure with the template location. */
  call<T>(path: TemplatePath, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (error instanceof IntrinsicError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return this.fail(path, `${what}: ${message}`, error);
    }
  }

  // ---------------------------------------------------------------- values

  resolve(value: unknown, path: TemplatePath): Resolved {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((item, index) => {
        const resolved = this.resolve(item, [...path, index]);
        if (resolved !== NO_VALUE) out.push(resolved);
      });
      return out;
    }
    if (isPlainObject(value)) {
      const fn = intrinsicName(value);
      if (fn !== undefined) return this.intrinsic(fn, value[fn], [...path, fn]);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const resolved = this.resolve(item, [...path, key]);
        if (resolved !== NO_VALUE) out[key] = resolved;
      }
      return out;
    }
    return value;
  }

  private intrinsic(fn: string, args: unknown, path: TemplatePath): Resolved {
    switch (fn) {
      case 'Ref':
        return this.ref(this.string(args, path, 'Ref'), path);
      case 'Fn::GetAtt':
        return this.getAtt(args, path);
      case 'Fn::Sub':
        return this.sub(args, path);
      case 'Fn::Join':
        return this.join(args, path);
      case 'Fn::Select':
        return this.select(args, path);
      case 'Fn::Split':
        return this.split(args, path);
      case 'Fn::ImportValue': {
        const name = this.string(args, path, 'Fn::ImportValue');
        return this.call(path, `Fn::ImportValue of export "${name}" failed`, () => this.ctx.importValue(name));
      }
      case 'Fn::If':
        return this.if(args, path);
      case 'Fn::GetAZs': {
        const region = this.string(args, path, 'Fn::GetAZs');
        const effective = region === '' ? this.ctx.region : region;
        return this.ctx.availabilityZones ? [...this.ctx.availabilityZones] : ['a', 'b', 'c'].map((z) => `${effective}${z}`);
      }
      case 'Fn::Base64':
        return Buffer.from(this.string(args, path, 'Fn::Base64'), 'utf8').toString('base64');
      case 'Fn::FindInMap':
        return this.findInMap(args, path);
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.fail(path, `${fn} is a condition function: use it in the Conditions section or inside Fn::If's condition`);
      default:
        return this.fail(path, `Unsupported intrinsic function ${fn}`);
    }
  }

  /** Resolves `value` and requires a string (numbers and booleans are stringified like CloudFormation does). */
  private string(value: unknown, path: TemplatePath, what: string): string {
    const resolved = this.resolve(value, path);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    return this.fail(path, `${what} expects a string, got ${describe(resolved)}`);
  }

  private list(value: unknown, path: TemplatePath, what: string): unknown[] {
    const resolved = this.resolve(value, path);
    if (Array.isArray(resolved)) return resolved;
    return this.fail(path, `${what} expects a list, got ${describe(resolved)}`);
  }

  private args(value: unknown, path: TemplatePath, fn: string, min: number, max = min): unknown[] {
    if (!Array.isArray(value) || value.length < min || value.length > max) {
      const count = min === max ? `${min}` : `${min} to ${max}`;
      return this.fail(path, `${fn} expects a list of ${count} arguments, got ${describe(value)}`);
    }
    return value;
  }

  // ------------------------------------------------------------- functions

  ref(name: string, path: TemplatePath): Resolved {
    if (PSEUDO_PARAMETERS.has(name)) return this.pseudo(name);
    const parameter = this.ctx.template.Parameters?.[name];
    if (parameter) return this.parameter(name, parameter, path);
    if (this.ctx.template.Resources?.[name]) {
      this.requireEnabled(name, path);
      return this.call(path, `Ref to resource ${name} failed`, () => this.ctx.physicalId(name));
    }
    return this.fail(path, `Unresolvable Ref "${name}": not a pseudo parameter, parameter or resource of this template`);
  }

  private pseudo(name: string): Resolved {
    const ctx = this.ctx;
    switch (name) {
      case 'AWS::AccountId':
        return ctx.accountId;
      case 'AWS::Region':
        return ctx.region;
      case 'AWS::Partition':
        return ctx.partition;
      case 'AWS::StackName':
        return ctx.stackName;
      case 'AWS::StackId':
        return stackIdOf(ctx);
      case 'AWS::URLSuffix':
        return urlSuffixOf(ctx);
      case 'AWS::NotificationARNs':
        return [];
      default:
        return NO_VALUE;
    }
  }

  private parameter(name: string, parameter: CfnParameter, path: TemplatePath): Resolved {
    const raw = this.ctx.parameters?.[name] ?? parameter.Default;
    if (raw === undefined) {
      return this.fail(path, `Parameter ${name} has no value: supply it in the context's parameters or give it a Default`);
    }
    const type = parameter.Type;
    const text = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
    const ssm = /^AWS::SSM::Parameter::Value<(.+)>$/.exec(type);
    if (ssm) {
      const value = this.call(path, `SSM parameter "${text}" (for template parameter ${name}) failed`, () =>
        this.ctx.ssmParameter(text),
      );
      return isListType(ssm[1] ?? '') ? splitList(value) : value;
    }
    return isListType(type) ? splitList(text) : text;
  }

  private requireEnabled(logicalId: string, path: TemplatePath): void {
    const condition = this.ctx.template.Resources?.[logicalId]?.Condition;
    if (condition !== undefined && !this.condition(condition, path)) {
      this.fail(path, `Resource ${logicalId} is not created (its condition ${condition} is false)`);
    }
  }

  private getAtt(args: unknown, path: TemplatePath): Resolved {
    let logicalId: string;
    let attribute: string;
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      if (dot <= 0 || dot === args.length - 1) return this.fail(path, `Fn::GetAtt "${args}" is not of the form "LogicalId.Attribute"`);
      logicalId = args.slice(0, dot);
      attribute = args.slice(dot + 1);
    } else {
      const [id, attr] = this.args(args, path, 'Fn::GetAtt', 2);
      if (typeof id !== 'string') return this.fail([...path, 0], `Fn::GetAtt logical id must be a string, got ${describe(id)}`);
      logicalId = id;
      attribute = this.string(attr, [...path, 1], 'Fn::GetAtt attribute name');
    }
    if (!this.ctx.template.Resources?.[logicalId]) {
      return this.fail(path, `Unresolvable Fn::GetAtt ${logicalId}.${attribute}: no resource ${logicalId} in this template`);
    }
    this.requireEnabled(logicalId, path);
    const value = this.call(path, `Fn::GetAtt ${logicalId}.${attribute} failed`, () =>
      this.ctx.attribute(logicalId, attribute),
    );
    return typeof value === 'string' ? value : [...value];
  }

  private sub(args: unknown, path: TemplatePath): Resolved {
    let template: unknown;
    let variables: Record<string, string> = {};
    if (Array.isArray(args)) {
      const [text, vars] = this.args(args, path, 'Fn::Sub', 1, 2);
      template = text;
      if (vars !== undefined) {
        if (!isPlainObject(vars)) return this.fail([...path, 1], `Fn::Sub variables must be a map, got ${describe(vars)}`);
        variables = {};
        for (const [key, raw] of Object.entries(vars)) {
          variables[key] = this.string(raw, [...path, 1, key], `Fn::Sub variable ${key}`);
        }
      }
    } else {
      template = args;
    }
    if (typeof template !== 'string') {
      return this.fail(path, `Fn::Sub expects a string (or [string, variables]), got ${describe(template)}`);
    }
    return template.replace(/\$\{([^}]*)\}/g, (_match, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (Object.hasOwn(variables, name)) return variables[name] ?? '';
      let value: Resolved;
      if (PSEUDO_PARAMETERS.has(name) || !name.includes('.')) {
        value = this.ref(name, path);
      } else {
        value = this.getAtt(name, path);
      }
      if (typeof value === 'string') return value;
      return this.fail(path, `Fn::Sub variable \${${name}} resolves to ${describe(value)}, not a string`);
    });
  }

  private join(args: unknown, path: TemplatePath): Resolved {
    const [delimiter, items] = this.args(args, path, 'Fn::Join', 2);
    if (typeof delimiter !== 'string') return this.fail([...path, 0], `Fn::Join delimiter must be a string, got ${describe(delimiter)}`);
    const list = this.list(items, [...path, 1], 'Fn::Join');
    return list
      .map((item, index) => {
        if (typeof item === 'string') return item;
        if (typeof item === 'number' || typeof item === 'boolean') return String(item);
        return this.fail([...path, 1, index], `Fn::Join can only join strings, got ${describe(item)}`);
      })
      .join(delimiter);
  }

  private select(args: unknown, path: TemplatePath): Resolved {
    const [rawIndex, items] = this.args(args, path, 'Fn::Select', 2);
    const indexText = this.string(rawIndex, [...path, 0], 'Fn::Select index');
    const index = Number(indexText);
    if (!Number.isInteger(index) || index < 0) return this.fail([...path, 0], `Fn::Select index must be a non-negative integer, got "${indexText}"`);
    const list = this.list(items, [...path, 1], 'Fn::Select');
    if (index >= list.length) return this.fail(path, `Fn::Select index ${index} is out of range for a list of ${list.length}`);
    return list[index];
  }

  private split(args: unknown, path: TemplatePath): Resolved {
    const [delimiter, source] = this.args(args, path, 'Fn::Split', 2);
    if (typeof delimiter !== 'string' || delimiter === '') {
      return this.fail([...path, 0], `Fn::Split delimiter must be a non-empty string, got ${describe(delimiter)}`);
    }
    return this.string(source, [...path, 1], 'Fn::Split source').split(delimiter);
  }

  private findInMap(args: unknown, path: TemplatePath): Resolved {
    const [map, top, second] = this.args(args, path, 'Fn::FindInMap', 3);
    const mapName = this.string(map, [...path, 0], 'Fn::FindInMap map name');
    const topKey = this.string(top, [...path, 1], 'Fn::FindInMap top-level key');
    const secondKey = this.string(second, [...path, 2], 'Fn::FindInMap second-level key');
    const value = this.ctx.template.Mappings?.[mapName]?.[topKey]?.[secondKey];
    if (value === undefined) return this.fail(path, `Fn::FindInMap: no Mappings.${mapName}.${topKey}.${secondKey}`);
    return this.resolve(value, ['Mappings', mapName, topKey, secondKey]);
  }

  private if(args: unknown, path: TemplatePath): Resolved {
    const [name, whenTrue, whenFalse] = this.args(args, path, 'Fn::If', 3);
    if (typeof name !== 'string') return this.fail([...path, 0], `Fn::If condition must be a condition name, got ${describe(name)}`);
    return this.condition(name, [...path, 0]) ? this.resolve(whenTrue, [...path, 1]) : this.resolve(whenFalse, [...path, 2]);
  }

  // ------------------------------------------------------------ conditions

  /** Evaluates a named condition of the template's Conditions section. */
  condition(name: string, path: TemplatePath): boolean {
    const definition = this.ctx.template.Conditions?.[name];
    if (definition === undefined) return this.fail(path, `Unknown condition ${name}`);
    if (this.evaluating.includes(name)) {
      return this.fail(path, `Circular condition: ${[...this.evaluating, name].join(' -> ')}`);
    }
    this.evaluating.push(name);
    try {
      return this.conditionExpression(definition, ['Conditions', name]);
    } finally {
      this.evaluating.pop();
    }
  }

  private conditionExpression(expression: unknown, path: TemplatePath): boolean {
    if (!isPlainObject(expression) || Object.keys(expression).length !== 1) {
      return this.fail(path, `Expected a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition), got ${describe(expression)}`);
    }
    const [[fn, args]] = Object.entries(expression) as [[string, unknown]];
    const at: TemplatePath = [...path, fn];
    switch (fn) {
      case 'Condition':
        if (typeof args !== 'string') return this.fail(at, `Condition must name a condition, got ${describe(args)}`);
        return this.condition(args, at);
      case 'Fn::Equals': {
        const [left, right] = this.args(args, at, 'Fn::Equals', 2);
        return sameValue(this.resolve(left, [...at, 0]), this.resolve(right, [...at, 1]));
      }
      case 'Fn::Not': {
        const [operand] = this.args(args, at, 'Fn::Not', 1);
        return !this.conditionExpression(operand, [...at, 0]);
      }
      case 'Fn::And':
        return this.args(args, at, 'Fn::And', 2, 10).every((operand, index) => this.conditionExpression(operand, [...at, index]));
      case 'Fn::Or':
        return this.args(args, at, 'Fn::Or', 2, 10).some((operand, index) => this.conditionExpression(operand, [...at, index]));
      default:
        return this.fail(at, `Unsupported condition function ${fn}`);
    }
  }

  // ---------------------------------------------------- dynamic references

  /** Replaces `{{resolve:...}}` in every string of an already resolved value. */
  dynamicReferences(value: unknown, path: TemplatePath): unknown {
    if (typeof value === 'string') {
      if (!value.includes('{{resolve:')) return value;
      return value.replace(DYNAMIC_REFERENCE_GLOBAL, (_match, service: string, reference: string) =>
        this.dynamicReference(service, reference, path),
      );
    }
    if (Array.isArray(value)) return value.map((item, index) => this.dynamicReferences(item, [...path, index]));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = this.dynamicReferences(item, [...path, key]);
      return out;
    }
    return value;
  }

  private dynamicReference(service: string, reference: string, path: TemplatePath): string {
    const segments = reference.split(':');
    // An ARN is itself colon-separated: keep it whole as the identifier.
    const idLength = segments[0] === 'arn' ? (service === 'secretsmanager' ? 7 : 6) : 1;
    const id = segments.slice(0, idLength).join(':');
    const rest = segments.slice(idLength);
    switch (service) {
      case 'ssm':
      case 'ssm-secure':
        return this.call(path, `{{resolve:${service}:${id}}} failed`, () => this.ctx.ssmParameter(id));
      case 'secretsmanager': {
        const [field = 'SecretString', jsonKey = ''] = rest;
        if (field !== 'SecretString' && field !== '') {
          return this.fail(path, `{{resolve:secretsmanager:${reference}}}: only SecretString is supported, not ${field}`);
        }
        return this.call(path, `{{resolve:secretsmanager:${reference}}} failed`, () =>
          jsonKey === '' ? this.ctx.secretValue(id) : this.ctx.secretValue(id, jsonKey),
        );
      }
      default:
        return this.fail(path, `Unsupported dynamic reference {{resolve:${service}:${reference}}}`);
    }
  }
}

const DYNAMIC_REFERENCE = /\{\{resolve:[a-z-]+:(?:(?!\}\}).)+\}\}/;
const DYNAMIC_REFERENCE_GLOBAL = /\{\{resolve:([a-z-]+):((?:(?!\}\}).)+)\}\}/g;

function isListType(type: string): boolean {
  return type === 'CommaDelimitedList' || type.startsWith('List<');
}

function splitList(value: string): string[] {
  return value === '' ? [] : value.split(',').map((item) => item.trim());
}

function sameValue(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, i) => sameValue(item, right[i]));
  }
  const scalar = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);
  if (isPlainObject(left) || isPlainObject(right)) return JSON.stringify(left) === JSON.stringify(right);
  return scalar(left) === scalar(right);
}

function describe(value: unknown): string {
  if (value === NO_VALUE) return 'AWS::NoValue';
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

// ------------------------------------------------------------------ public API

/**
 * Deep-resolves intrinsic functions and dynamic references in `value`.
 *
 * `path` is where `value` sits in the template (e.g. `["Resources", "OrdersFn", "Properties"]`)
 * and only serves error messages. A value that is (or resolves to) `Ref: AWS::NoValue`
 * is removed from its enclosing object/list; at the top level the result is `undefined`.
 */
export function resolveValue(value: unknown, ctx: ResolveContext, path: TemplatePath = []): unknown {
  const resolver = new Resolver(ctx);
  const resolved = resolver.resolve(value, path);
  if (resolved === NO_VALUE) return undefined;
  return resolver.dynamicReferences(resolved, path);
}

/** Evaluates a named condition of the template's Conditions section. */
export function evaluateCondition(name: string, ctx: ResolveContext): boolean {
  return new Resolver(ctx).condition(name, ['Conditions', name]);
}

/** False when the resource has a `Condition` that evaluates to false (CloudFormation would not create it). */
export function isResourceEnabled(logicalId: string, ctx: ResolveContext): boolean {
  const resource = ctx.template.Resources?.[logicalId];
  if (!resource) throw new IntrinsicError(ctx, ['Resources', logicalId], `No resource ${logicalId} in this template`);
  return resource.Condition === undefined || new Resolver(ctx).condition(resource.Condition, ['Resources', logicalId, 'Condition']);
}

/** The resolved `Properties` of a resource (an empty object when it has none). */
export function resolveResourceProperties(logicalId: string, ctx: ResolveContext): Record<string, unknown> {
  const resource = ctx.template.Resources?.[logicalId];
  if (!resource) throw new IntrinsicError(ctx, ['Resources', logicalId], `No resource ${logicalId} in this template`);
  const resolved = resolveValue(resource.Properties ?? {}, ctx, ['Resources', logicalId, 'Properties']);
  return isPlainObject(resolved) ? { ...resolved } : {};
}

export interface ResolvedOutput {
  readonly value: unknown;
  readonly exportName?: string;
  readonly description?: string;
}

/** The template's outputs whose condition holds, resolved. */
export function resolveOutputs(ctx: ResolveContext): Record<string, ResolvedOutput> {
  const out: Record<string, ResolvedOutput> = {};
  for (const [id, output] of Object.entries(ctx.template.Outputs ?? {})) {
    const resolver = new Resolver(ctx);
    if (output.Condition !== undefined && !resolver.condition(output.Condition, ['Outputs', id, 'Condition'])) continue;
    const value = resolveValue(output.Value, ctx, ['Outputs', id, 'Value']);
    const exportName = output.Export === undefined ? undefined : resolveValue(output.Export.Name, ctx, ['Outputs', id, 'Export', 'Name']);
    if (exportName !== undefined && typeof exportName !== 'string') {
      throw new IntrinsicError(ctx, ['Outputs', id, 'Export', 'Name'], `Export name must be a string, got ${describe(exportName)}`);
    }
    out[id] = {
      value,
      ...(exportName === undefined ? {} : { exportName }),
      ...(output.Description === undefined ? {} : { description: output.Description }),
    };
  }
  return out;
}

/** Export name → value for the template's exported outputs (what other stacks' `Fn::ImportValue` sees). */
export function resolveExports(ctx: ResolveContext): Map<string, string> {
  const exports = new Map<string, string>();
  for (const [id, output] of Object.entries(resolveOutputs(ctx))) {
    if (output.exportName === undefined) continue;
    const value = output.value;
    if (typeof value !== 'string') {
      throw new IntrinsicError(ctx, ['Outputs', id, 'Value'], `Exported value must be a string, got ${describe(value)}`);
    }
    exports.set(output.exportName, value);
  }
  return exports;
}
