/**
 * Turns a deployed ASL definition into the one the engine runs, and indexes its states.
 *
 * The engine (aws-local-stepfunctions) runs ASL as written, with three gaps this fills:
 * - a Task without `TimeoutSeconds` times out after 60 s in the engine, after 99999999 s on AWS:
 *   such tasks get the longest timer Node can arm (~24.8 days), and longer timeouts are clamped to it;
 * - the Context Object is one static object per run in the engine, so `$$.State.*`, `$$.Task.Token`
 *   and, inside Map/Parallel branches, `$$.Execution.Input` cannot be right. Every `$$` reference of
 *   a state is rewritten to a per-state view (`$$.__local.s<index>...`, see ./context-object) that
 *   knows which state reads it; `$$.Map.*` (set by the engine for ItemSelector) is left alone;
 * - JSONata (`QueryLanguage`) and variables (`Assign`) are not supported by the engine: a machine
 *   using them is marked unsupported and its executions fail with a cause saying so.
 */
/** Where the rewritten `$$` references point: ./context-object serves the views under this key. */
export const CONTEXT_VIEWS_KEY = '__local';

/** The path a rewritten `$$` of state `index` points to. */
function contextViewPath(index: number): string {
  return `$$.${CONTEXT_VIEWS_KEY}.s${index}`;
}

/** The longest setTimeout delay (2^31 - 1 ms), in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

export interface RetrierSpec {
  readonly errorEquals: readonly string[];
  readonly maxAttempts: number;
}

export interface TaskSpec {
  readonly resource: string;
  readonly timeoutSeconds?: number;
  readonly timeoutSecondsPath?: string;
  readonly heartbeatSeconds?: number;
  readonly heartbeatSecondsPath?: string;
  readonly retriers: readonly RetrierSpec[];
}

export interface StateSpec {
  readonly name: string;
  readonly type: string;
  /** Position in {@link PreparedDefinition.states}; names the state's Context Object view. */
  readonly index: number;
  readonly task?: TaskSpec;
}

export interface PreparedDefinition {
  /** The definition to hand the engine (validation off: it holds the rewritten paths). */
  readonly engineDefinition: Record<string, unknown>;
  /** Every state, nested branches and iterators included. */
  readonly states: readonly StateSpec[];
  /** Why the definition cannot run locally, if it cannot. */
  readonly unsupported?: string;
  /** Things that run, but not as on AWS. */
  readonly warnings: readonly string[];
}

type Json = Record<string, unknown>;

const PATH_FIELDS = [
  'InputPath',
  'OutputPath',
  'ItemsPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'SecondsPath',
  'TimestampPath',
  'MaxConcurrencyPath',
  'ErrorPath',
  'CausePath',
  'ToleratedFailureCountPath',
  'ToleratedFailurePercentagePath',
] as const;
const TEMPLATE_FIELDS = ['Parameters', 'ResultSelector', 'ItemSelector'] as const;

// `$$` as a whole token, except `$$.Map` which the engine itself provides to ItemSelector.
const CONTEXT_REFERENCE = /\$\$(?![\w$])(?!\.Map(?![\w$]))/g;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function rewritePath(path: string, index: number): string {
  // A function, not a string: `$$` in a replacement string means `$`.
  return path.replace(CONTEXT_REFERENCE, () => contextViewPath(index));
}

/** Rewrites the `.$` fields of a payload template (Parameters, ResultSelector, ItemSelector). */
function rewriteTemplate(template: unknown, index: number): unknown {
  if (Array.isArray(template)) return template.map((item) => rewriteTemplate(item, index));
  if (!isObject(template)) return template;
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) => [
      key,
      key.endsWith('.$') && typeof value === 'string' ? rewritePath(value, index) : rewriteTemplate(value, index),
    ]),
  );
}

/** Rewrites a Choice rule: `Variable`, the `...Path` comparisons, and nested And/Or/Not. */
function rewriteChoiceRule(rule: unknown, index: number): unknown {
  if (Array.isArray(rule)) return rule.map((item) => rewriteChoiceRule(item, index));
  if (!isObject(rule)) return rule;
  return Object.fromEntries(
    Object.entries(rule).map(([key, value]) => {
      if (typeof value === 'string' && (key === 'Variable' || key.endsWith('Path'))) return [key, rewritePath(value, index)];
      if (key === 'And' || key === 'Or' || key === 'Not') return [key, rewriteChoiceRule(value, index)];
      return [key, value];
    }),
  );
}

function retriersOf(state: Json): RetrierSpec[] {
  const retry = state.Retry;
  if (!Array.isArray(retry)) return [];
  return retry.filter(isObject).map((retrier) => ({
    errorEquals: Array.isArray(retrier.ErrorEquals) ? retrier.ErrorEquals.filter((name): name is string => typeof name === 'string') : [],
    // The ASL default.
    maxAttempts: typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3,
  }));
}

interface Walk {
  readonly states: StateSpec[];
  readonly warnings: string[];
  unsupported?: string;
}

function markUnsupported(walk: Walk, reason: string): void {
  walk.unsupported ??= reason;
}

function prepareTask(copy: Json, original: Json, walk: Walk, name: string): TaskSpec {
  const timeoutSeconds = positiveNumber(original.TimeoutSeconds);
  const timeoutSecondsPath = stringField(original.TimeoutSecondsPath);
  if (timeoutSeconds !== undefined && timeoutSeconds > MAX_TIMER_SECONDS) {
    walk.warnings.push(`state ${name}: TimeoutSeconds ${timeoutSeconds} is clamped to ${MAX_TIMER_SECONDS} locally`);
    copy.TimeoutSeconds = MAX_TIMER_SECONDS;
  } else if (timeoutSeconds === undefined && timeoutSecondsPath === undefined) {
    copy.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  const heartbeatSeconds = positiveNumber(original.HeartbeatSeconds);
  const heartbeatSecondsPath = stringField(original.HeartbeatSecondsPath);
  return {
    resource: typeof original.Resource === 'string' ? original.Resource : '',
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds: Math.min(timeoutSeconds, MAX_TIMER_SECONDS) }),
    ...(timeoutSecondsPath === undefined ? {} : { timeoutSecondsPath }),
    ...(heartbeatSeconds === undefined ? {} : { heartbeatSeconds: Math.min(heartbeatSeconds, MAX_TIMER_SECONDS) }),
    ...(heartbeatSecondsPath === undefined ? {} : { heartbeatSecondsPath }),
    retriers: retriersOf(original),
  };
}

function prepareState(name: string, original: Json, walk: Walk): Json {
  const index = walk.states.length;
  const type = typeof original.Type === 'string' ? original.Type : '';
  // Reserve the index before nested states take theirs.
  const spec: { name: string; type: string; index: number; task?: TaskSpec } = { name, type, index };
  walk.states.push(spec);

  if (original.QueryLanguage === 'JSONata') markUnsupported(walk, `state ${name} uses JSONata (QueryLanguage), which the local engine does not run`);
  if (original.Assign !== undefined) markUnsupported(walk, `state ${name} assigns variables (Assign), which the local engine does not run`);

  const copy: Json = { ...original };
  for (const field of PATH_FIELDS) {
    const value = original[field];
    if (typeof value === 'string') copy[field] = rewritePath(value, index);
  }
  for (const field of TEMPLATE_FIELDS) {
    if (original[field] !== undefined) copy[field] = rewriteTemplate(original[field], index);
  }
  if (Array.isArray(original.Choices)) copy.Choices = rewriteChoiceRule(original.Choices, index);

  switch (type) {
    case 'Task':
      spec.task = prepareTask(copy, original, walk, name);
      break;
    case 'Parallel':
      if (Array.isArray(original.Branches)) copy.Branches = original.Branches.map((branch) => prepareMachine(branch, walk));
      break;
    case 'Map':
      if (original.ItemReader !== undefined || original.ResultWriter !== undefined) {
        markUnsupported(walk, `state ${name} is a distributed Map (ItemReader/ResultWriter), which the local engine does not run`);
      }
      if (isObject(original.ItemProcessor)) copy.ItemProcessor = prepareMachine(original.ItemProcessor, walk);
      if (isObject(original.Iterator)) copy.Iterator = prepareMachine(original.Iterator, walk);
      break;
  }
  return copy;
}

/** A machine or a branch / item processor: `{StartAt, States, ...}`. */
function prepareMachine(definition: unknown, walk: Walk): Json {
  if (!isObject(definition) || !isObject(definition.States)) {
    markUnsupported(walk, 'the definition (or one of its branches) has no States');
    return isObject(definition) ? definition : {};
  }
  if (definition.QueryLanguage === 'JSONata') markUnsupported(walk, 'the definition uses JSONata (QueryLanguage), which the local engine does not run');
  const states: Json = {};
  for (const [name, state] of Object.entries(definition.States)) {
    states[name] = isObject(state) ? prepareState(name, state, walk) : state;
  }
  return { ...definition, States: states };
}

export function prepareDefinition(definition: unknown): PreparedDefinition {
  const walk: Walk = { states: [], warnings: [] };
  const engineDefinition = prepareMachine(definition, walk);
  const timeout = positiveNumber(engineDefinition.TimeoutSeconds);
  if (timeout !== undefined && timeout > MAX_TIMER_SECONDS) {
    walk.warnings.push(`TimeoutSeconds ${timeout} is clamped to ${MAX_TIMER_SECONDS} locally`);
    engineDefinition.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  const names = new Set<string>();
  for (const state of walk.states) {
    if (names.has(state.name)) walk.warnings.push(`state name ${state.name} is used twice: its Task handlers and Context Object are shared`);
    names.add(state.name);
  }
  return {
    engineDefinition,
    states: walk.states,
    ...(walk.unsupported === undefined ? {} : { unsupported: walk.unsupported }),
    warnings: walk.warnings,
  };
}
