/**
 * Amazon EventBridge event-pattern matching for the offline runtime.
 *
 * Behaviour follows the Amazon EventBridge User Guide ("Event patterns", "Comparison operators",
 * "Content filtering", "Arrays", "Null values and empty strings", wildcards, `$or`). Where the guide
 * is silent we follow aws/event-ruler, the open-source matcher EventBridge is built on, so that a
 * rule that routes an event locally also routes it in AWS.
 *
 * Patterns are compiled once (validation and compilation are the same pass) and cached per pattern
 * object, so a local bus can validate at rule registration and match cheaply per event.
 */

// ---------------------------------------------------------------------------------------------
// Pattern types
// ---------------------------------------------------------------------------------------------

export type JsonPrimitive = string | number | boolean | null;

export interface IgnoreCaseOperand {
  readonly 'equals-ignore-case': string;
}

export type AnythingButOperand =
  | string
  | number
  | readonly string[]
  | readonly number[]
  | { readonly prefix: string | readonly string[] }
  | { readonly suffix: string | readonly string[] }
  | { readonly 'equals-ignore-case': string | readonly string[] }
  | { readonly wildcard: string | readonly string[] };

export type LowerBoundOperator = '>' | '>=';
export type UpperBoundOperator = '<' | '<=';
export type NumericOperator = '=' | LowerBoundOperator | UpperBoundOperator;

export type NumericCondition =
  | readonly [NumericOperator, number]
  | readonly [LowerBoundOperator, number, UpperBoundOperator, number]
  | readonly [UpperBoundOperator, number, LowerBoundOperator, number];

export type ContentFilter =
  | { readonly prefix: string | IgnoreCaseOperand }
  | { readonly suffix: string | IgnoreCaseOperand }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': AnythingButOperand }
  | { readonly numeric: NumericCondition }
  | { readonly cidr: string }
  | { readonly exists: boolean };

/** One entry of a field's match list: an exact JSON value or a content filter. */
export type PatternMatcher = JsonPrimitive | ContentFilter;

/** The value of a leaf field in a pattern: the field matches if any entry matches. */
export type FieldPattern = readonly PatternMatcher[];

export interface EventPattern {
  readonly $or?: readonly EventPattern[];
  readonly [field: string]: FieldPattern | EventPattern | readonly EventPattern[] | undefined;
}

export class InvalidEventPatternError extends Error {
  constructor(path: readonly string[], reason: string) {
    const where = path.length > 0 ? ` at "${path.join('.')}"` : '';
    super(`Event pattern is not valid${where}: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Throws InvalidEventPatternError when `pattern` would be rejected by EventBridge. */
export function validateEventPattern(pattern: unknown): EventPattern {
  assertEventPattern(pattern);
  return pattern;
}

export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchNode(compiledPattern(pattern), event, event);
}

function assertEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compiledPattern(pattern);
}

// Patterns are treated as immutable once validated (the types are readonly), so the compiled form
// can be cached against the object identity.
const compiledPatterns = new WeakMap<object, CompiledNode>();

function compiledPattern(pattern: unknown): CompiledNode {
  if (!isPlainObject(pattern)) {
    throw new InvalidEventPatternError([], 'an event pattern must be a JSON object');
  }
  let node = compiledPatterns.get(pattern);
  if (node === undefined) {
    node = compileNode(pattern, []);
    compiledPatterns.set(pattern, node);
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// Compiled form
// ---------------------------------------------------------------------------------------------

type LeafPredicate = (value: JsonPrimitive) => boolean;

interface LeafCondition {
  readonly kind: 'leaf';
  readonly key: string;
  /** Path from the event root, needed because `exists: false` asks about the whole event. */
  readonly path: readonly string[];
  readonly predicates: readonly LeafPredicate[];
  readonly existsTrue: boolean;
  readonly existsFalse: boolean;
}

interface NestedCondition {
  readonly kind: 'nested';
  readonly key: string;
  readonly node: CompiledNode;
}

interface OrCondition {
  readonly kind: 'or';
  readonly alternatives: readonly CompiledNode[];
}

type Condition = LeafCondition | NestedCondition | OrCondition;
/** All conditions must hold (fields in a pattern are ANDed). */
type CompiledNode = readonly Condition[];

type CompiledMatcher =
  | { readonly kind: 'value'; readonly test: LeafPredicate }
  | { readonly kind: 'exists'; readonly expected: boolean };

const OR_KEY = '$or';

// ---------------------------------------------------------------------------------------------
// Compilation: structure
// ---------------------------------------------------------------------------------------------

function compileNode(raw: Readonly<Record<string, unknown>>, path: readonly string[]): CompiledNode {
  const keys = Object.keys(raw);
  if (keys.length === 0) {
    throw new InvalidEventPatternError(path, 'empty objects are not allowed');
  }
  return keys.map((key) => compileCondition(key, raw[key], path));
}

function compileCondition(key: string, value: unknown, path: readonly string[]): Condition {
  if (key === OR_KEY) return compileOr(value, path);
  const fieldPath = [...path, key];
  if (isArray(value)) return compileLeaf(key, value, fieldPath);
  if (isPlainObject(value)) return { kind: 'nested', key, node: compileNode(value, fieldPath) };
  throw new InvalidEventPatternError(fieldPath, `"${key}" must be an object or an array`);
}

function compileOr(value: unknown, path: readonly string[]): OrCondition {
  // A single alternative is almost certainly a mistake; EventBridge only treats `$or` as an
  // operator when it holds two or more objects.
  if (!isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
    throw new InvalidEventPatternError([...path, OR_KEY], '"$or" must be an array of at least two objects');
  }
  return { kind: 'or', alternatives: value.map((alternative) => compileNode(alternative, path)) };
}

function compileLeaf(key: string, items: readonly unknown[], path: readonly string[]): LeafCondition {
  if (items.length === 0) {
    throw new InvalidEventPatternError(path, 'empty arrays are not allowed');
  }
  const matchers = items.map((item) => compileMatcher(item, path));
  const predicates: LeafPredicate[] = [];
  let existsTrue = false;
  let existsFalse = false;
  for (const matcher of matchers) {
    if (matcher.kind === 'value') predicates.push(matcher.test);
    else if (matcher.expected) existsTrue = true;
    else existsFalse = true;
  }
  return { kind: 'leaf', key, path, predicates, existsTrue, existsFalse };
}

function compileMatcher(item: unknown, path: readonly string[]): CompiledMatcher {
  if (isJsonPrimitive(item)) return { kind: 'value', test: compileExact(item) };
  if (isPlainObject(item)) return compileOperator(item, path);
  if (isArray(item)) throw new InvalidEventPatternError(path, 'nested arrays are not allowed');
  throw new InvalidEventPatternError(path, `unsupported match value ${describe(item)}`);
}

function compileOperator(item: Readonly<Record<string, unknown>>, path: readonly string[]): CompiledMatcher {
  const operators = Object.keys(item);
  const [operator] = operators;
  if (operators.length !== 1 || operator === undefined) {
    throw new InvalidEventPatternError(path, `a match object must hold exactly one operator, got ${describe(item)}`);
  }
  const operand = item[operator];
  switch (operator) {
    case 'exists':
      return compileExists(operand, path);
    case 'prefix':
      return valueMatcher(compilePrefix(operand, path));
    case 'suffix':
      return valueMatcher(compileSuffix(operand, path));
    case 'equals-ignore-case':
      return valueMatcher(compileEqualsIgnoreCase(operand, path));
    case 'wildcard':
      return valueMatcher(compileWildcard(operand, path));
    case 'anything-but':
      return valueMatcher(compileAnythingBut(operand, path));
    case 'numeric':
      return valueMatcher(compileNumeric(operand, path));
    case 'cidr':
      return valueMatcher(compileCidr(operand, path));
    default:
      throw new InvalidEventPatternError(path, `unrecognized match type "${operator}"`);
  }
}

function valueMatcher(test: LeafPredicate): CompiledMatcher {
  return { kind: 'value', test };
}

// ---------------------------------------------------------------------------------------------
// Compilation: one function per operator family
// ---------------------------------------------------------------------------------------------

/**
 * Exact values are type-strict: "80" never matches 80, "" never matches null (the guide says
 * null and empty string are not interchangeable).
 */
function compileExact(expected: JsonPrimitive): LeafPredicate {
  return (value) => value === expected;
}

function compileExists(operand: unknown, path: readonly string[]): CompiledMatcher {
  if (typeof operand !== 'boolean') {
    throw new InvalidEventPatternError(path, 'exists match pattern must be either true or false');
  }
  return { kind: 'exists', expected: operand };
}

function compilePrefix(operand: unknown, path: readonly string[]): LeafPredicate {
  const { text, ignoreCase } = affixOperand('prefix', operand, path);
  if (ignoreCase) {
    const folded = foldCase(text);
    return (value) => typeof value === 'string' && foldCase(value).startsWith(folded);
  }
  return (value) => typeof value === 'string' && value.startsWith(text);
}

function compileSuffix(operand: unknown, path: readonly string[]): LeafPredicate {
  const { text, ignoreCase } = affixOperand('suffix', operand, path);
  if (ignoreCase) {
    const folded = foldCase(text);
    return (value) => typeof value === 'string' && foldCase(value).endsWith(folded);
  }
  return (value) => typeof value === 'string' && value.endsWith(text);
}

function affixOperand(
  operator: 'prefix' | 'suffix',
  operand: unknown,
  path: readonly string[],
): { text: string; ignoreCase: boolean } {
  if (typeof operand === 'string') return { text: operand, ignoreCase: false };
  if (isPlainObject(operand)) {
    const keys = Object.keys(operand);
    const inner = operand['equals-ignore-case'];
    if (keys.length === 1 && typeof inner === 'string') return { text: inner, ignoreCase: true };
  }
  throw new InvalidEventPatternError(
    path,
    `${operator} match pattern must be a string or {"equals-ignore-case": string}`,
  );
}

function compileEqualsIgnoreCase(operand: unknown, path: readonly string[]): LeafPredicate {
  if (typeof operand !== 'string') {
    throw new InvalidEventPatternError(path, 'equals-ignore-case match pattern must be a string');
  }
  const folded = foldCase(operand);
  return (value) => typeof value === 'string' && foldCase(value) === folded;
}

function compileWildcard(operand: unknown, path: readonly string[]): LeafPredicate {
  if (typeof operand !== 'string') {
    throw new InvalidEventPatternError(path, 'wildcard match pattern must be a string');
  }
  const glob = parseWildcard(operand, path);
  return (value) => typeof value === 'string' && matchesWildcard(glob, value);
}

/**
 * anything-but never matches a missing field (the field has no value to compare), but does match
 * values of another type, including null: 12 is "anything but a string starting with init".
 */
function compileAnythingBut(operand: unknown, path: readonly string[]): LeafPredicate {
  const excluded = compileExclusion(operand, path);
  return (value) => !excluded(value);
}

function compileExclusion(operand: unknown, path: readonly string[]): LeafPredicate {
  if (typeof operand === 'string' || isFiniteNumber(operand)) return compileExact(operand);
  if (isArray(operand)) return compileExclusionList(operand, path);
  if (isPlainObject(operand)) return compileExclusionOperator(operand, path);
  throw new InvalidEventPatternError(
    path,
    'anything-but must be a string, a number, a list of strings or numbers, or a prefix/suffix/equals-ignore-case/wildcard object',
  );
}

function compileExclusionList(operand: readonly unknown[], path: readonly string[]): LeafPredicate {
  const allStrings = operand.every((entry) => typeof entry === 'string');
  const allNumbers = operand.every(isFiniteNumber);
  if (operand.length === 0 || !(allStrings || allNumbers)) {
    throw new InvalidEventPatternError(path, 'anything-but list must be non-empty and contain only strings or only numbers');
  }
  const excluded = new Set<unknown>(operand);
  return (value) => excluded.has(value);
}

function compileExclusionOperator(
  operand: Readonly<Record<string, unknown>>,
  path: readonly string[],
): LeafPredicate {
  const keys = Object.keys(operand);
  const [operator] = keys;
  if (keys.length !== 1 || operator === undefined) {
    throw new InvalidEventPatternError(path, 'anything-but object must hold exactly one operator');
  }
  const texts = stringOrStringList(operand[operator], `anything-but/${operator}`, path);
  const tests = texts.map((text) => compileStringExclusion(operator, text, path));
  // The nested operators only ever apply to strings, so non-string values are never excluded.
  return (value) => typeof value === 'string' && tests.some((test) => test(value));
}

function compileStringExclusion(
  operator: string,
  text: string,
  path: readonly string[],
): (value: string) => boolean {
  switch (operator) {
    case 'prefix':
      requireNonEmpty(text, 'anything-but/prefix', path);
      return (value) => value.startsWith(text);
    case 'suffix':
      requireNonEmpty(text, 'anything-but/suffix', path);
      return (value) => value.endsWith(text);
    case 'equals-ignore-case': {
      const folded = foldCase(text);
      return (value) => foldCase(value) === folded;
    }
    case 'wildcard': {
      const glob = parseWildcard(text, path);
      return (value) => matchesWildcard(glob, value);
    }
    default:
      throw new InvalidEventPatternError(path, `unsupported anything-but operator "${operator}"`);
  }
}

/** Numeric filters only ever match JSON numbers; "5" is a string and never matches. */
function compileNumeric(operand: unknown, path: readonly string[]): LeafPredicate {
  const bounds = parseNumericCondition(operand, path);
  return (value) => typeof value === 'number' && bounds.every((bound) => bound(value));
}

function parseNumericCondition(operand: unknown, path: readonly string[]): ((value: number) => boolean)[] {
  if (!isArray(operand) || (operand.length !== 2 && operand.length !== 4)) {
    throw new InvalidEventPatternError(path, 'numeric must be an array of one or two [operator, number] pairs');
  }
  const pairs = operand.length === 2 ? [operand.slice(0, 2)] : [operand.slice(0, 2), operand.slice(2, 4)];
  const parsed = pairs.map(([operator, limit]) => numericPair(operator, limit, path));
  checkNumericRange(parsed, path);
  return parsed.map(({ operator, limit }) => numericComparison(operator, limit));
}

interface NumericPair {
  readonly operator: NumericOperator;
  readonly limit: number;
}

function numericPair(operator: unknown, limit: unknown, path: readonly string[]): NumericPair {
  if (!isNumericOperator(operator)) {
    throw new InvalidEventPatternError(path, `unrecognized numeric range operator ${describe(operator)}`);
  }
  if (!isFiniteNumber(limit)) {
    throw new InvalidEventPatternError(path, `value of ${operator} must be numeric`);
  }
  return { operator, limit };
}

// A range is one lower bound plus one upper bound; "=" stands alone. Anything else (two lower
// bounds, "=" in a range, an empty interval) is rejected the way EventBridge rejects it.
function checkNumericRange(pairs: readonly NumericPair[], path: readonly string[]): void {
  if (pairs.length === 1) return;
  const lower = pairs.find((pair) => pair.operator === '>' || pair.operator === '>=');
  const upper = pairs.find((pair) => pair.operator === '<' || pair.operator === '<=');
  if (lower === undefined || upper === undefined) {
    const offending = pairs.find((pair) => pair !== lower && pair !== upper) ?? pairs[1];
    throw new InvalidEventPatternError(path, `bad numeric range operator: ${offending?.operator ?? ''}`);
  }
  if (lower.limit > upper.limit) {
    throw new InvalidEventPatternError(path, 'bottom must be less than top in a numeric range');
  }
}

function numericComparison(operator: NumericOperator, limit: number): (value: number) => boolean {
  switch (operator) {
    case '=':
      return (value) => value === limit;
    case '>':
      return (value) => value > limit;
    case '>=':
      return (value) => value >= limit;
    case '<':
      return (value) => value < limit;
    case '<=':
      return (value) => value <= limit;
  }
}

/** CIDR blocks match string IPv4 or IPv6 addresses; other value types never match. */
function compileCidr(operand: unknown, path: readonly string[]): LeafPredicate {
  if (typeof operand !== 'string') {
    throw new InvalidEventPatternError(path, 'cidr match pattern must be a string');
  }
  const block = parseCidr(operand, path);
  return (value) => typeof value === 'string' && cidrContains(block, value);
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

function matchNode(node: CompiledNode, scope: unknown, root: unknown): boolean {
  return node.every((condition) => matchCondition(condition, scope, root));
}

function matchCondition(condition: Condition, scope: unknown, root: unknown): boolean {
  switch (condition.kind) {
    case 'or':
      return condition.alternatives.some((alternative) => matchNode(alternative, scope, root));
    case 'nested':
      return matchNested(condition, scope, root);
    case 'leaf':
      return matchLeaf(condition, scope, root);
  }
}

/**
 * For an array of objects the whole sub-pattern must match within one element: EventBridge does
 * not combine fields taken from different elements of the same array.
 */
function matchNested(condition: NestedCondition, scope: unknown, root: unknown): boolean {
  const objects = objectsIn(fieldOf(scope, condition.key));
  // A missing branch is still walked so `exists: false` leaves underneath can match.
  if (objects.length === 0) return matchNode(condition.node, undefined, root);
  return objects.some((object) => matchNode(condition.node, object, root));
}

function matchLeaf(condition: LeafCondition, scope: unknown, root: unknown): boolean {
  const values = leafValuesOf(fieldOf(scope, condition.key));
  if (values.some((value) => condition.predicates.some((test) => test(value)))) return true;
  if (condition.existsTrue && values.length > 0) return true;
  return condition.existsFalse && leafValuesAtPath(root, condition.path).length === 0;
}

// ---------------------------------------------------------------------------------------------
// Event traversal
// ---------------------------------------------------------------------------------------------

function fieldOf(scope: unknown, key: string): unknown {
  return isPlainObject(scope) && Object.hasOwn(scope, key) ? scope[key] : undefined;
}

/**
 * Only JSON primitives are leaves. Objects are intermediate nodes, which is why `exists: true`
 * does not match an object-valued field and `exists: false` does. Arrays (at any depth) are
 * flattened because an array field matches if any of its elements matches.
 */
function leafValuesOf(value: unknown): JsonPrimitive[] {
  if (isArray(value)) return value.flatMap(leafValuesOf);
  return isJsonPrimitive(value) ? [value] : [];
}

function objectsIn(value: unknown): Readonly<Record<string, unknown>>[] {
  if (isArray(value)) return value.flatMap(objectsIn);
  return isPlainObject(value) ? [value] : [];
}

// `exists: false` is about the event as a whole ("the event does not have this field"), so a field
// present in any element of an enclosing array counts as present.
function leafValuesAtPath(root: unknown, path: readonly string[]): JsonPrimitive[] {
  let scopes: unknown[] = [root];
  for (const key of path.slice(0, -1)) {
    scopes = scopes.flatMap((scope) => objectsIn(fieldOf(scope, key)));
  }
  const last = path[path.length - 1] ?? '';
  return scopes.flatMap((scope) => leafValuesOf(fieldOf(scope, last)));
}

// ---------------------------------------------------------------------------------------------
// Wildcards
// ---------------------------------------------------------------------------------------------

/** Literal text between unescaped `*`; a pattern with n wildcards has n + 1 segments. */
type WildcardGlob = readonly string[];

function parseWildcard(pattern: string, path: readonly string[]): WildcardGlob {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern.charAt(index);
    if (char === '\\') {
      current += escapedCharacter(pattern, index, path);
      index += 1;
    } else if (char === '*') {
      if (pattern.charAt(index + 1) === '*') {
        throw new InvalidEventPatternError(path, `consecutive wildcard characters at pos ${index + 1} in "${pattern}"`);
      }
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

// Only `\*` (a literal star) and `\\` (a literal backslash) are escapes; anything else is an error
// so that a typo cannot silently change what the rule matches.
function escapedCharacter(pattern: string, index: number, path: readonly string[]): string {
  const next = pattern.charAt(index + 1);
  if (next !== '*' && next !== '\\') {
    throw new InvalidEventPatternError(
      path,
      `invalid escape at pos ${index + 1} in wildcard "${pattern}": only "\\*" and "\\\\" are allowed`,
    );
  }
  return next;
}

/**
 * Greedy segment search instead of a RegExp: linear in the value length and immune to the
 * catastrophic backtracking that `.*a.*a.*` style regular expressions can hit.
 */
function matchesWildcard(segments: WildcardGlob, value: string): boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return value === first;
  const last = segments[segments.length - 1] ?? '';
  if (value.length < first.length + last.length) return false;
  if (!value.startsWith(first) || !value.endsWith(last)) return false;
  const end = value.length - last.length;
  let position = first.length;
  for (const segment of segments.slice(1, -1)) {
    const found = value.indexOf(segment, position);
    if (found === -1 || found + segment.length > end) return false;
    position = found + segment.length;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

interface CidrBlock {
  readonly bits: 32 | 128;
  readonly shift: bigint;
  readonly network: bigint;
}

function parseCidr(text: string, path: readonly string[]): CidrBlock {
  const parts = text.split('/');
  if (parts.length !== 2) {
    throw new InvalidEventPatternError(path, `malformed CIDR "${text}", one '/' required`);
  }
  const [addressText = '', lengthText = ''] = parts;
  const address = parseIpAddress(addressText);
  if (address === undefined) {
    throw new InvalidEventPatternError(path, `malformed CIDR "${text}": invalid IP address`);
  }
  const prefixLength = /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : Number.NaN;
  if (!(prefixLength <= address.bits)) {
    throw new InvalidEventPatternError(path, `malformed CIDR "${text}": invalid prefix length`);
  }
  const shift = BigInt(address.bits - prefixLength);
  return { bits: address.bits, shift, network: address.value >> shift };
}

function cidrContains(block: CidrBlock, text: string): boolean {
  const address = parseIpAddress(text);
  return address !== undefined && address.bits === block.bits && address.value >> block.shift === block.network;
}

function parseIpAddress(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { bits: 32, value };
}

function parseIpv4(text: string): bigint | undefined {
  const octets = text.split('.');
  if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) {
    return undefined;
  }
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = ipv6Groups(halves[0] ?? '');
  const tail = halves.length === 2 ? ipv6Groups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** Hex groups of one side of `::`, with a trailing dotted IPv4 expanded into two groups. */
function ipv6Groups(text: string): number[] | undefined {
  if (text === '') return [];
  const parts = text.split(':');
  const last = parts[parts.length - 1] ?? '';
  const groups: number[] = [];
  for (const part of parts.slice(0, -1)) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
    groups.push(Number.parseInt(part, 16));
  }
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    return [...groups, Number(v4 >> 16n), Number(v4 & 0xffffn)];
  }
  if (!/^[0-9a-fA-F]{1,4}$/.test(last)) return undefined;
  return [...groups, Number.parseInt(last, 16)];
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isArray(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isJsonPrimitive(value: unknown): value is JsonPrimitive {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || isFiniteNumber(value);
}

function isNumericOperator(value: unknown): value is NumericOperator {
  return value === '=' || value === '>' || value === '>=' || value === '<' || value === '<=';
}

function stringOrStringList(operand: unknown, operator: string, path: readonly string[]): readonly string[] {
  if (typeof operand === 'string') return [operand];
  if (isArray(operand) && operand.length > 0 && operand.every((entry) => typeof entry === 'string')) {
    return operand.filter((entry): entry is string => typeof entry === 'string');
  }
  throw new InvalidEventPatternError(path, `${operator} must be a string or a non-empty list of strings`);
}

function requireNonEmpty(text: string, operator: string, path: readonly string[]): void {
  if (text === '') throw new InvalidEventPatternError(path, `${operator} must not be empty`);
}

// Locale-independent lower-casing so matching does not depend on the host's locale.
function foldCase(text: string): string {
  return text.toLowerCase();
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
