/**
 * The one loop every poller runs: an iteration after another until stop(), pausing when there
 * was nothing to do and backing off while the source keeps failing.
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
  /** Aborts what the loop awaits (a long poll, a pause) and resolves once it has returned. */
  stop(): Promise<void>;
}

export interface PollingLoopOptions {
  /** Pause after an iteration that found nothing to do. */
  readonly idleMs: number;
  /** Longest pause after repeated errors. */
  readonly maxBackoffMs?: number;
  onError(error: unknown): void;
}

const DEFAULT_MAX_BACKOFF_MS = 5_000;

/** `iteration` resolves true when it did some work: the next one then starts at once. */
export function startPollingLoop(
  iteration: (signal: AbortSignal) => Promise<boolean>,
  options: PollingLoopOptions,
): PollingLoop {
  const controller = new AbortController();
  const { signal } = controller;
  const done = (async () => {
    let failures = 0;
    while (!signal.aborted) {
      let busy = false;
      try {
        busy = await iteration(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        options.onError(error);
      }
      if (failures > 0) {
        await pause(Math.min(options.idleMs * 2 ** failures, options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS), signal);
      } else if (!busy) {
        await pause(options.idleMs, signal);
      }
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind either way. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
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
  });
}
