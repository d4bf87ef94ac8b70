/**
 * Executions of the app's state machines: starting (with StartExecution's name rules), running
 * them on the engine with the Task states routed to ./task-integrations, their status, output and
 * history, stopping them.
 *
 * Name rules (StartExecution): a STANDARD execution's name is unique per state machine; a second
 * start with the name of an execution that is still running and the identical input returns that
 * execution (idempotent), with another input, or once the first has closed, it fails with
 * ExecutionAlreadyExists. Locally "90 days" is the life of the process (and at most
 * `maxRetainedExecutions` closed executions are kept). EXPRESS executions are never deduplicated.
 *
 * Every timer an execution arms (task timeouts, heartbeats, retries and waits inside the engine) is
 * cleared when it closes: a closed execution rejects the Task handlers still in flight, which makes
 * the engine drop its own task timers.
 */
import { randomUUID } from 'node:crypto';

import { AwsServiceError } from '../aws-json/aws-json-server';
import type { LogSink } from '../types';
import { ExecutionContextObject } from './context-object';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  toEngineJson,
  type EngineEvent,
  type EngineJson,
  type EngineRun,
  type EngineRunOptions,
  type EngineTaskHandler,
} from './engine';
import type { StateSpec, TaskSpec } from './prepare-definition';
import type { LocalStateMachine } from './state-machines';
import { errorNameOf, isRetryable, messageOf, StatesRuntimeError } from './task-errors';
import { resolveResource, type TaskIntegrations } from './task-integrations';
import type { TaskTokens } from './task-tokens';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: Date;
  readonly stopDate?: Date;
  /** JSON text, as given to StartExecution. */
  readonly input: string;
  /** JSON text, once SUCCEEDED. */
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** One entry of GetExecutionHistory. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: Date;
  readonly type: string;
  /** The event's `...EventDetails` member and its content, e.g. `stateEnteredEventDetails`. */
  readonly details?: { readonly key: string; readonly value: Readonly<Record<string, unknown>> };
}

export interface ExecutionsOptions {
  readonly machines: readonly LocalStateMachine[];
  readonly integrations: TaskIntegrations;
  readonly tokens: TaskTokens;
  readonly log: LogSink;
  /** Milliseconds instead of what a Wait state says, by state name (any machine). */
  readonly waitTimeOverridesMs?: Readonly<Record<string, number>>;
  /** Milliseconds instead of a Retry's backoff, by state name (any machine); an array gives one per retrier. */
  readonly retryIntervalOverridesMs?: Readonly<Record<string, number | number[]>>;
  /** Closed executions kept for Describe/List/GetExecutionHistory; the oldest go first. Default 10 000. */
  readonly maxRetainedExecutions?: number;
}

interface Outcome {
  readonly status: Exclude<ExecutionStatus, 'RUNNING'>;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

interface Execution {
  readonly arn: string;
  readonly name: string;
  readonly machine: LocalStateMachine;
  readonly input: string;
  readonly startDate: Date;
  outcome?: Outcome;
  stopDate?: Date;
  readonly history: HistoryEvent[];
  readonly waiters: Set<(description: ExecutionDescription) => void>;
  abortEngine?: () => void;
  close?: (reason: Error) => void;
}

const DEFAULT_MAX_RETAINED = 10_000;
/** How long a closing execution waits for the engine's last events (they are queued by then). */
const HISTORY_DRAIN_MS = 200;
const LOGGED_CAUSE_CHARS = 500;
/** The engine's FailStateError when the Fail state has no Error / Cause. */
const FAIL_STATE_DEFAULT_ERROR = 'FailStateError';
const FAIL_STATE_DEFAULT_CAUSE = 'Execution failed because of a Fail state';

// ------------------------------------------------------------ helpers

/** StartExecution's name rule: 1-80 characters, none of whitespace, brackets, wildcards, `"#%\^|~\`$&,;:/` or control characters. */
function isValidName(name: string): boolean {
  if (name.length === 0 || name.length > 80) return false;
  for (const character of name) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
    if (/\s/.test(character) || '<>{}[]?*"#%\\^|~`$&,;:/'.includes(character)) return false;
  }
  return true;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** A number at a reference path (`$.a.b`, `$['a'][0]`) of a JSON value; undefined when absent or not a positive number. */
export function secondsAt(value: unknown, path: string | undefined): number | undefined {
  if (path === undefined || !path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  let current: unknown = value;
  for (const step of steps) {
    const key = step[1] ?? step[3] ?? step[4];
    if (key !== undefined) {
      current = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>)[key] : undefined;
    } else {
      current = Array.isArray(current) ? (current as unknown[])[Number(step[2])] : undefined;
    }
  }
  return typeof current === 'number' && Number.isFinite(current) && current > 0 ? current : undefined;
}

function serialize(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
}

/** `lambda` / `invoke` for `arn:aws:states:::lambda:invoke`, as TaskFailed events name them. */
function resourceParts(resource: string): { resourceType: string; resource: string } {
  const integration = /^arn:[\w-]+:states:::([\w-]+):(.+)$/.exec(resource);
  if (integration) return { resourceType: integration[1] ?? '', resource: integration[2] ?? '' };
  return { resourceType: resource.split(':')[2] ?? 'unknown', resource };
}

function historyEntryOf(event: EngineEvent, machine: LocalStateMachine): Omit<HistoryEvent, 'id' | 'previousEventId'> | undefined {
  const timestamp = new Date(event.timestamp);
  switch (event.type) {
    case 'StateEntered':
      return {
        timestamp,
        type: `${event.state.type}StateEntered`,
        details: { key: 'stateEnteredEventDetails', value: { name: event.state.name, input: serialize(event.state.input), inputDetails: { truncated: false } } },
      };
    case 'StateExited':
      return {
        timestamp,
        type: `${event.state.type}StateExited`,
        details: { key: 'stateExitedEventDetails', value: { name: event.state.name, output: serialize(event.state.output ?? null), outputDetails: { truncated: false } } },
      };
    case 'StateFailed': {
      if (event.state.type === 'Map' || event.state.type === 'Parallel') return { timestamp, type: `${event.state.type}StateFailed` };
      const task = machine.states.get(event.state.name)?.task;
      if (!task) return undefined;
      return {
        timestamp,
        type: 'TaskFailed',
        details: { key: 'taskFailedEventDetails', value: { ...resourceParts(task.resource), error: event.Error, cause: serialize(event.Cause) } },
      };
    }
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      return { timestamp, type: event.type, details: { key, value: { name: event.parentState.name, index: event.index } } };
    }
    default:
      // Retries, catches and Parallel branches have no event of their own in AWS's history.
      return undefined;
  }
}

function outcomeOf(error: unknown): Outcome {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: "The execution ran longer than the state machine's TimeoutSeconds" };
  }
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    const { name, message } = error.cause;
    return {
      status: 'FAILED',
      ...(name === FAIL_STATE_DEFAULT_ERROR ? {} : { error: name }),
      ...(message === FAIL_STATE_DEFAULT_CAUSE ? {} : { cause: message }),
    };
  }
  return { status: 'FAILED', error: 'States.Runtime', cause: messageOf(error) };
}

/** Timers and the "closed" signal of one execution. */
class ExecutionScope {
  private readonly timers = new Set<NodeJS.Timeout>();
  private rejectClosed!: (reason: Error) => void;
  private closedWith?: Error;
  /** Rejects when the execution closes; raced with every Task handler. */
  readonly closed: Promise<never>;

  constructor() {
    this.closed = new Promise<never>((_resolve, reject) => {
      this.rejectClosed = reject;
    });
    this.closed.catch(() => undefined);
  }

  /** Why the execution closed, once it has. */
  get closedReason(): Error | undefined {
    return this.closedWith;
  }

  /** Arms a timer the close clears; none once closed. */
  setTimer(callback: () => void, ms: number): NodeJS.Timeout | undefined {
    if (this.closedWith !== undefined) return undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      callback();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  clearTimer(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.timers.delete(timer);
  }

  close(reason: Error): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = reason;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.rejectClosed(reason);
  }
}

// ------------------------------------------------------------ the store

export class Executions {
  private readonly machines: ReadonlyMap<string, LocalStateMachine>;
  private readonly executions = new Map<string, Execution>();
  /** Closed executions, oldest first, for the retention limit. */
  private readonly closedOrder: string[] = [];
  private readonly maxRetained: number;

  constructor(private readonly options: ExecutionsOptions) {
    this.machines = new Map(options.machines.map((machine) => [machine.arn, machine]));
    this.maxRetained = options.maxRetainedExecutions ?? DEFAULT_MAX_RETAINED;
  }

  machine(arn: string): LocalStateMachine {
    const machine = this.machines.get(arn);
    if (!machine) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  allMachines(): LocalStateMachine[] {
    return [...this.machines.values()];
  }

  /** StartExecution: a new execution, or the running one with this name and input (STANDARD). */
  start(stateMachineArn: string, input: string | undefined, name: string | undefined): ExecutionDescription {
    const machine = this.machine(stateMachineArn);
    if (name !== undefined && !isValidName(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = input ?? '{}';
    let inputValue: unknown;
    try {
      inputValue = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${truncate(inputText, 200)}': input is not valid JSON`);
    }
    const executionName = name ?? randomUUID();
    const prefix = machine.arn.slice(0, machine.arn.indexOf(':stateMachine:'));
    const arn =
      machine.type === 'EXPRESS' ? `${prefix}:express:${machine.name}:${executionName}:${randomUUID()}` : `${prefix}:execution:${machine.name}:${executionName}`;

    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.outcome === undefined && existing.input === inputText) return this.describeExecution(existing);
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }

    const execution: Execution = { arn, name: executionName, machine, input: inputText, startDate: new Date(), history: [], waiters: new Set() };
    this.executions.set(arn, execution);
    this.record(execution, {
      timestamp: execution.startDate,
      type: 'ExecutionStarted',
      details: { key: 'executionStartedEventDetails', value: { input: inputText, inputDetails: { truncated: false }, roleArn: machine.roleArn } },
    });
    this.launch(execution, inputValue);
    return this.describeExecution(execution);
  }

  describe(arn: string): ExecutionDescription {
    return this.describeExecution(this.get(arn));
  }

  /** Newest first. */
  list(stateMachineArn: string, statusFilter?: string): ExecutionDescription[] {
    this.machine(stateMachineArn);
    return [...this.executions.values()]
      .filter((execution) => execution.machine.arn === stateMachineArn)
      .reverse()
      .map((execution) => this.describeExecution(execution))
      .filter((description) => statusFilter === undefined || description.status === statusFilter);
  }

  history(arn: string): readonly HistoryEvent[] {
    return this.get(arn).history;
  }

  /** StopExecution: ABORTED at once; the engine unwinds behind. Returns the stop date. */
  stop(arn: string, error?: string, cause?: string): Date {
    const execution = this.get(arn);
    if (execution.outcome === undefined) {
      this.finish(execution, { status: 'ABORTED', ...(error === undefined ? {} : { error }), ...(cause === undefined ? {} : { cause }) });
      execution.abortEngine?.();
    }
    return execution.stopDate ?? new Date();
  }

  /** Resolves when the execution has closed; rejects after `timeoutMs`. */
  waitFor(arn: string, timeoutMs?: number): Promise<ExecutionDescription> {
    const execution = this.get(arn);
    if (execution.outcome !== undefined) return Promise.resolve(this.describeExecution(execution));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (description: ExecutionDescription): void => {
        clearTimeout(timer);
        resolve(description);
      };
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          execution.waiters.delete(waiter);
          reject(new Error(`execution ${arn} still RUNNING after ${timeoutMs} ms`));
        }, timeoutMs);
      }
      execution.waiters.add(waiter);
    });
  }

  /** Aborts every running execution (shutdown). */
  stopAll(cause: string): void {
    for (const execution of this.executions.values()) {
      if (execution.outcome !== undefined) continue;
      this.finish(execution, { status: 'ABORTED', error: 'States.Runtime', cause });
      execution.abortEngine?.();
    }
  }

  runningCount(): number {
    return [...this.executions.values()].filter((execution) => execution.outcome === undefined).length;
  }

  // ---------------------------------------------------------- running

  private get(arn: string): Execution {
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private describeExecution(execution: Execution): ExecutionDescription {
    const { outcome } = execution;
    return {
      executionArn: execution.arn,
      stateMachineArn: execution.machine.arn,
      name: execution.name,
      status: outcome?.status ?? 'RUNNING',
      startDate: execution.startDate,
      ...(execution.stopDate === undefined ? {} : { stopDate: execution.stopDate }),
      input: execution.input,
      ...(outcome?.output === undefined ? {} : { output: outcome.output }),
      ...(outcome?.error === undefined ? {} : { error: outcome.error }),
      ...(outcome?.cause === undefined ? {} : { cause: outcome.cause }),
    };
  }

  private record(execution: Execution, entry: Omit<HistoryEvent, 'id' | 'previousEventId'>): void {
    const id = execution.history.length + 1;
    execution.history.push({ ...entry, id, previousEventId: id - 1 });
  }

  private launch(execution: Execution, input: unknown): void {
    const { machine } = execution;
    const { engine } = machine;
    if (!engine) {
      const cause = machine.unsupported ?? 'the state machine cannot run locally';
      queueMicrotask(() => this.finish(execution, { status: 'FAILED', error: 'States.Runtime', cause }));
      return;
    }
    const { tokens } = this.options;
    const scope = new ExecutionScope();
    const context = new ExecutionContextObject(
      {
        executionArn: execution.arn,
        executionName: execution.name,
        input,
        startTime: execution.startDate.toISOString(),
        roleArn: machine.roleArn,
        stateMachineArn: machine.arn,
        stateMachineName: machine.name,
      },
      machine.stateList,
      (stateName) => tokens.mint(execution.arn, stateName),
    );
    execution.close = (reason) => {
      scope.close(reason);
      tokens.closeExecution(execution.arn, reason);
      context.dispose();
    };

    const handlers: Record<string, EngineTaskHandler> = {};
    for (const state of machine.stateList) {
      const { task } = state;
      if (!task || handlers[state.name] !== undefined) continue;
      handlers[state.name] = (taskInput) => {
        // An aborted engine still unwinds, and a pending retry may call the task once more: it must not run.
        if (scope.closedReason !== undefined) return Promise.reject(scope.closedReason);
        return Promise.race([this.runTask(execution, scope, context, state, task, taskInput), scope.closed]);
      };
    }
    const runOptions: EngineRunOptions = {
      overrides: {
        taskResourceLocalHandlers: handlers,
        ...(this.options.waitTimeOverridesMs === undefined ? {} : { waitTimeOverrides: { ...this.options.waitTimeOverridesMs } }),
        ...(this.options.retryIntervalOverridesMs === undefined ? {} : { retryIntervalOverrides: { ...this.options.retryIntervalOverridesMs } }),
      },
      context: context.engineContext(),
    };
    const run = engine.run(toEngineJson(input), runOptions);
    execution.abortEngine = () => run.abort();
    const recorded = this.recordEngineEvents(execution, run);
    void this.settle(execution, run, recorded);
  }

  private async recordEngineEvents(execution: Execution, run: EngineRun): Promise<void> {
    for await (const event of run.eventLogs) {
      // After StopExecution the engine still unwinds: its events are not the execution's any more.
      if (execution.outcome !== undefined) continue;
      const entry = historyEntryOf(event, execution.machine);
      if (entry) this.record(execution, entry);
    }
  }

  private async settle(execution: Execution, run: EngineRun, recorded: Promise<void>): Promise<void> {
    let outcome: Outcome;
    try {
      const output = await run.result;
      outcome = { status: 'SUCCEEDED', output: JSON.stringify(output) };
    } catch (error) {
      outcome = outcomeOf(error);
    }
    // The engine has queued its last events; let them land before the closing one.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([recorded.catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, HISTORY_DRAIN_MS)))]);
    clearTimeout(timer);
    this.finish(execution, outcome);
  }

  /** One attempt of a Task state. Must reach `context.beginTask` synchronously (see ./context-object). */
  private async runTask(
    execution: Execution,
    scope: ExecutionScope,
    context: ExecutionContextObject,
    state: StateSpec,
    task: TaskSpec,
    input: EngineJson,
  ): Promise<EngineJson> {
    const attempt = context.beginTask(state);
    let ended = false;
    const end = (outcome: Parameters<ExecutionContextObject['endTask']>[1]): void => {
      if (ended) return;
      ended = true;
      context.endTask(state, outcome);
    };
    const resolved = resolveResource(task.resource);
    if (!resolved.ok) {
      end({ ok: false, error: 'States.Runtime', retryable: false });
      throw new StatesRuntimeError(resolved.reason);
    }
    const token = resolved.waitForTaskToken ? attempt.token : undefined;
    // The engine fails the attempt with States.Timeout after TimeoutSeconds; this timer, armed
    // just before the engine's, does the bookkeeping: no more callbacks, the retry count.
    const timeoutSeconds = task.timeoutSeconds ?? secondsAt(input, task.timeoutSecondsPath);
    const timer =
      timeoutSeconds === undefined
        ? undefined
        : scope.setTimer(() => {
            if (token !== undefined) this.options.tokens.expire(token);
            end({ ok: false, error: 'States.Timeout', retryable: true });
          }, timeoutSeconds * 1000);
    try {
      const call = { kind: resolved.kind, resource: task.resource, input, executionArn: execution.arn, stateMachineArn: execution.machine.arn };
      let result: unknown;
      if (token === undefined) {
        result = await this.options.integrations.call(call);
      } else {
        // Wait first: the callee may answer before its own call returns.
        const callback = this.options.tokens.wait(token, task.heartbeatSeconds ?? secondsAt(input, task.heartbeatSecondsPath));
        callback.catch(() => undefined);
        try {
          await this.options.integrations.call(call);
        } catch (error) {
          this.options.tokens.expire(token);
          throw error;
        }
        result = await callback;
      }
      end({ ok: true });
      return toEngineJson(result);
    } catch (error) {
      end({ ok: false, error: errorNameOf(error), retryable: isRetryable(error) });
      throw error;
    } finally {
      scope.clearTimer(timer);
    }
  }

  private finish(execution: Execution, outcome: Outcome): void {
    if (execution.outcome !== undefined) return;
    execution.outcome = outcome;
    execution.stopDate = new Date();
    this.record(execution, this.closingEvent(execution, outcome));
    execution.close?.(new StatesRuntimeError(`the execution is ${outcome.status}`));

    const ms = execution.stopDate.getTime() - execution.startDate.getTime();
    const what = [outcome.error, outcome.cause === undefined ? undefined : truncate(outcome.cause, LOGGED_CAUSE_CHARS)].filter(Boolean).join(': ');
    this.options.log(`[stepfunctions] ${execution.machine.name}/${execution.name} ${outcome.status} in ${ms} ms${what === '' ? '' : `: ${what}`}`);

    const description = this.describeExecution(execution);
    for (const waiter of execution.waiters) waiter(description);
    execution.waiters.clear();
    this.retain(execution);
  }

  private closingEvent(execution: Execution, outcome: Outcome): Omit<HistoryEvent, 'id' | 'previousEventId'> {
    const timestamp = execution.stopDate ?? new Date();
    const failure = { ...(outcome.error === undefined ? {} : { error: outcome.error }), ...(outcome.cause === undefined ? {} : { cause: outcome.cause }) };
    switch (outcome.status) {
      case 'SUCCEEDED':
        return {
          timestamp,
          type: 'ExecutionSucceeded',
          details: { key: 'executionSucceededEventDetails', value: { output: outcome.output ?? 'null', outputDetails: { truncated: false } } },
        };
      case 'FAILED':
        return { timestamp, type: 'ExecutionFailed', details: { key: 'executionFailedEventDetails', value: failure } };
      case 'TIMED_OUT':
        return { timestamp, type: 'ExecutionTimedOut', details: { key: 'executionTimedOutEventDetails', value: failure } };
      case 'ABORTED':
        return { timestamp, type: 'ExecutionAborted', details: { key: 'executionAbortedEventDetails', value: failure } };
    }
  }

  private retain(execution: Execution): void {
    this.closedOrder.push(execution.arn);
    while (this.closedOrder.length > this.maxRetained) {
      const oldest = this.closedOrder.shift();
      if (oldest === undefined) break;
      this.executions.delete(oldest);
      this.options.tokens.forgetExecution(oldest);
    }
  }
}
