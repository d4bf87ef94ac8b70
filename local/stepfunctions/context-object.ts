/**
 * The Context Object (`$$`) of one execution, as each state sees it.
 *
 * ./prepare-definition rewrites every `$$` of state N to `$$.__local.sN`; here `__local.sN` is a
 * getter returning N's view: Execution (Id, Input, Name, RoleArn, StartTime, RedriveCount),
 * StateMachine (Id, Name), State (EnteredTime, Name, RetryCount) and, for `.waitForTaskToken`
 * tasks, Task.Token.
 *
 * State.* needs to know when a state is entered and when it is retried, which the engine does not
 * expose. Two facts make it trackable: the engine evaluates a state's InputPath/Parameters and then
 * calls the Task handler in one synchronous stretch, and it reads ResultSelector/OutputPath in the
 * same macrotask as the handler's promise settles. So:
 * - an "activation" of a state starts on the first read of its view (or its handler call) and
 *   holds EnteredTime, RetryCount and the retriers' attempt counts;
 * - a Task's handler reports how each attempt ended; a failure its Retry will retry (the same rule
 *   as the engine: first retrier naming the error, States.ALL, or States.TaskFailed for anything
 *   but States.Timeout, until MaxAttempts) makes the next attempt a retry (RetryCount + 1);
 * - a settled activation (and any non-Task one) closes at the end of the macrotask: the next read
 *   is a new entry.
 * Task tokens are minted per synchronous stretch, so each attempt and each Map iteration gets its
 * own. Approximation: Map iterations running the same state at once share one activation, so their
 * State.EnteredTime/RetryCount may mix.
 */
import { CONTEXT_VIEWS_KEY, type StateSpec } from './prepare-definition';

export interface ExecutionIdentity {
  readonly executionArn: string;
  readonly executionName: string;
  readonly input: unknown;
  /** ISO 8601. */
  readonly startTime: string;
  readonly roleArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
}

/** How a Task attempt ended, for the retry bookkeeping. */
export type AttemptOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string; readonly retryable: boolean };

interface Activation {
  readonly enteredTime: string;
  retryCount: number;
  readonly retrierAttempts: number[];
  phase: 'running' | 'retrying' | 'settled';
  /** The synchronous stretch that last touched it. */
  stretch: number;
  token?: { readonly value: string; readonly stretch: number };
}

const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';

export class ExecutionContextObject {
  private readonly activations = new Map<string, Activation>();
  private readonly closing = new Set<NodeJS.Immediate>();
  private stretch = 0;
  private stretchEnding = false;
  private disposed = false;

  constructor(
    private readonly identity: ExecutionIdentity,
    private readonly states: readonly StateSpec[],
    private readonly mintToken: (stateName: string) => string,
  ) {}

  /** The Context Object to pass the engine. */
  engineContext(): Record<string, unknown> {
    const views: Record<string, unknown> = {};
    for (const state of this.states) {
      Object.defineProperty(views, `s${state.index}`, { enumerable: true, get: () => this.view(state) });
    }
    return {
      [CONTEXT_VIEWS_KEY]: views,
      // For paths that escaped the rewrite: right at the top level at least.
      Execution: this.executionView(),
      StateMachine: { Id: this.identity.stateMachineArn, Name: this.identity.stateMachineName },
    };
  }

  /**
   * A Task handler starts an attempt: must be called synchronously when the engine calls the
   * handler. Returns the attempt's task token for `.waitForTaskToken` tasks.
   */
  beginTask(state: StateSpec): { readonly retryCount: number; readonly token?: string } {
    const activation = this.touch(state);
    if (!isCallback(state)) return { retryCount: activation.retryCount };
    return { retryCount: activation.retryCount, token: this.tokenOf(state, activation) };
  }

  /** A Task attempt ended (its handler settled, or its TimeoutSeconds elapsed). */
  endTask(state: StateSpec, outcome: AttemptOutcome): void {
    const activation = this.activations.get(state.name);
    if (!activation) return;
    if (!outcome.ok && outcome.retryable && this.claimRetry(state, activation, outcome.error)) {
      activation.phase = 'retrying';
      return;
    }
    activation.phase = 'settled';
    this.closeAtEndOfMacrotask(state.name, activation);
  }

  dispose(): void {
    this.disposed = true;
    for (const handle of this.closing) clearImmediate(handle);
    this.closing.clear();
    this.activations.clear();
  }

  private executionView(): Record<string, unknown> {
    const { identity } = this;
    return {
      Id: identity.executionArn,
      Input: identity.input,
      Name: identity.executionName,
      RoleArn: identity.roleArn,
      StartTime: identity.startTime,
      RedriveCount: 0,
    };
  }

  private view(state: StateSpec): Record<string, unknown> {
    const activation = this.touch(state);
    const view: Record<string, unknown> = {
      Execution: this.executionView(),
      StateMachine: { Id: this.identity.stateMachineArn, Name: this.identity.stateMachineName },
      State: { EnteredTime: activation.enteredTime, Name: state.name, RetryCount: activation.retryCount },
    };
    if (isCallback(state)) {
      const tokenOf = (): string => this.tokenOf(state, activation);
      view.Task = {
        get Token() {
          return tokenOf();
        },
      };
    }
    return view;
  }

  /** The id of the current synchronous stretch (bumped by a microtask after its first use). */
  private currentStretch(): number {
    if (!this.stretchEnding) {
      this.stretchEnding = true;
      queueMicrotask(() => {
        this.stretch += 1;
        this.stretchEnding = false;
      });
    }
    return this.stretch;
  }

  private touch(state: StateSpec): Activation {
    const stretch = this.currentStretch();
    const existing = this.activations.get(state.name);
    if (existing) {
      if (existing.stretch !== stretch) {
        existing.stretch = stretch;
        if (existing.phase === 'retrying') {
          existing.retryCount += 1;
          existing.phase = 'running';
        }
      }
      // running: the same attempt; settled: its ResultSelector/OutputPath, same macrotask.
      return existing;
    }
    const activation: Activation = {
      enteredTime: new Date().toISOString(),
      retryCount: 0,
      retrierAttempts: (state.task?.retriers ?? []).map(() => 0),
      phase: state.task ? 'running' : 'settled',
      stretch,
    };
    this.activations.set(state.name, activation);
    if (activation.phase === 'settled') this.closeAtEndOfMacrotask(state.name, activation);
    return activation;
  }

  private tokenOf(state: StateSpec, activation: Activation): string {
    const stretch = this.currentStretch();
    if (activation.token?.stretch === stretch) return activation.token.value;
    const value = this.mintToken(state.name);
    activation.token = { value, stretch };
    return value;
  }

  /** The engine's retry rule (StateExecutor.shouldRetry), counting the attempt it would make. */
  private claimRetry(state: StateSpec, activation: Activation, error: string): boolean {
    const retriers = state.task?.retriers ?? [];
    for (const [position, retrier] of retriers.entries()) {
      const matches = retrier.errorEquals.some(
        (name) => name === error || name === 'States.ALL' || (name === 'States.TaskFailed' && error !== 'States.Timeout'),
      );
      if (!matches) continue;
      const attempts = activation.retrierAttempts[position] ?? 0;
      if (attempts >= retrier.maxAttempts) return false;
      activation.retrierAttempts[position] = attempts + 1;
      return true;
    }
    return false;
  }

  private closeAtEndOfMacrotask(name: string, activation: Activation): void {
    if (this.disposed) return;
    const handle = setImmediate(() => {
      this.closing.delete(handle);
      if (this.activations.get(name) === activation && activation.phase === 'settled') this.activations.delete(name);
    });
    this.closing.add(handle);
  }
}

function isCallback(state: StateSpec): boolean {
  return state.task?.resource.endsWith(WAIT_FOR_TASK_TOKEN) ?? false;
}
