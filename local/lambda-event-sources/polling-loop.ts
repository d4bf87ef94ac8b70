/**
 * The one loop every poller runs: an iteration after another until stop(), pausing when there
 * was nothing to do (longer and longer while that lasts, when asked to), cut short by poll(), and
 * backing off while the source keeps failing.
 */
import type { LambdaInvoker, LogSink } from '../types';

/** What every poller of an event source mapping is given: the function to feed and how often to look. */
export interface PollerDeps {
  readonly lambda: LambdaInvoker;
  readonly region: string;
  readonly log: LogSink;
  readonly pollIntervalMs: number;
}

export interface PollingLoop {
  /**
   * Ends the pause the loop is in (no sooner than `minSpacingMs` after its last iteration began)
   * and resolves once an iteration that began after this call has ended (at once after stop()).
   */
  poll(): Promise<void>;
  /** Aborts what the loop awaits (a long poll, a pause) and resolves once it has returned. */
  stop(): Promise<void>;
}

/**
 * What an iteration did: `again`, there may be more to do at once; `found`, it read or delivered
 * something (the pause after it is `idleMs`); `idle`, there was nothing (the pauses grow).
 */
export type IterationOutcome = 'again' | 'found' | 'idle';

export interface PollingLoopOptions {
  /** Pause after an iteration that found something, and after the first that found nothing. */
  readonly idleMs: number;
  /** Each further iteration that finds nothing doubles the pause, up to this. @default idleMs */
  readonly maxIdleMs?: number;
  /** poll() starts an iteration no sooner than this after the last one began. @default 0 */
  readonly minSpacingMs?: number;
  /** Longest pause after repeated errors. */
  readonly maxBackoffMs?: number;
  onError(error: unknown): void;
}

const DEFAULT_MAX_BACKOFF_MS = 5_000;

export function startPollingLoop(iteration: (signal: AbortSignal) => Promise<IterationOutcome>, options: PollingLoopOptions): PollingLoop {
  const controller = new AbortController();
  const { signal } = controller;
  const maxIdleMs = Math.max(options.maxIdleMs ?? options.idleMs, options.idleMs);
  /** poll() calls waiting for an iteration that begins after them. */
  let waiting: (() => void)[] = [];
  /** A poll() came since the current iteration began: the pause after it is cut short. */
  let asked = false;
  let interrupt: (() => void) | undefined;

  const done = (async () => {
    let failures = 0;
    let idlePause = options.idleMs;
    while (!signal.aborted) {
      const began = Date.now();
      asked = false;
      const served = waiting;
      waiting = [];
      let outcome: IterationOutcome = 'idle';
      try {
        outcome = await iteration(signal);
        failures = 0;
      } catch (error) {
        if (!signal.aborted) {
          failures++;
          options.onError(error);
        }
      }
      for (const resolve of served) resolve();
      if (signal.aborted) break;
      if (failures > 0) {
        await pause(Math.min(options.idleMs * 2 ** failures, options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS), signal);
        continue;
      }
      if (outcome === 'again') continue;
      if (outcome === 'found') idlePause = options.idleMs;
      const wait = idlePause;
      if (outcome === 'idle') idlePause = Math.min(idlePause * 2, maxIdleMs);
      if (!asked) await pause(wait, signal, (cut) => (interrupt = cut));
      interrupt = undefined;
      // Asked to look again: not before the spacing, so that a stream of requests makes one poll.
      await pause(began + (options.minSpacingMs ?? 0) - Date.now(), signal);
    }
    for (const resolve of waiting) resolve();
    waiting = [];
  })();

  return {
    poll: () => {
      if (signal.aborted) return Promise.resolve();
      asked = true;
      interrupt?.();
      return new Promise<void>((resolve) => waiting.push(resolve));
    },
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/**
 * Resolves after `ms`, or at once when `signal` aborts or the function handed to `cutShort` is
 * called; leaves no timer behind either way.
 */
export function pause(ms: number, signal: AbortSignal, cutShort?: (cut: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) {
      resolve();
      return;
    }
    const finish = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    cutShort?.(finish);
  });
}
