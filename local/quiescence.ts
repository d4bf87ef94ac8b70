/**
 * Whether the app has settled since it started: every invocation the runtime's services made has
 * ended, no event has been published and nothing has run for a while, and none of it came from
 * outside (a client of the API, the Invoke API) or failed. Then the tables hold exactly what the
 * start wrote (the administrator, the demo catalog) and what the app made of it (stock records,
 * the search projection, notifications): the demo data a later start of the same app can restore.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { LambdaInvoker } from './types';

const POLL_MS = 100;

export interface ActivityMonitor {
  /**
   * The invoker as one service calls it, its invocations counted; `client` for the API, whose
   * callers write state of their own, so that the tables are no longer the seed's alone.
   */
  track(invoker: LambdaInvoker, caller: 'runtime' | 'client'): LambdaInvoker;
  /** Told of every invocation once it has ended (the Lambda service's onInvocation). */
  onInvocation(invocation: { readonly ok: boolean }): void;
  /** Told of every event a bus accepts. */
  onEvent(): void;
  /** Changes with every invocation and event: the same value before and after a read means nothing ran meanwhile. */
  mark(): number;
  /** Why the tables are no longer the start's alone (a client, a failure), or undefined. */
  spoiled(): string | undefined;
  /**
   * Resolves true once no invocation is running, nothing has happened for `quietMs` and
   * `idle()` says the rest is idle too (deliveries, queues); false as soon as the state is
   * spoiled, on `signal`, or after `timeoutMs`.
   */
  settled(options: { quietMs: number; timeoutMs: number; idle: () => Promise<boolean>; signal?: AbortSignal }): Promise<boolean>;
}

export function activityMonitor(now: () => number = Date.now): ActivityMonitor {
  let started = 0;
  let ended = 0;
  let running = 0;
  let changes = 0;
  let last = now();
  let spoiled: string | undefined;
  const touch = () => {
    changes++;
    last = now();
  };
  return {
    track(invoker, caller) {
      return {
        has: (arn) => invoker.has(arn),
        invoke: async (arn, payload) => {
          if (caller === 'client') spoiled ??= 'a client called the API';
          started++;
          running++;
          touch();
          try {
            return await invoker.invoke(arn, payload);
          } finally {
            running--;
            touch();
          }
        },
        invokeAsync: (arn, payload) => {
          started++;
          touch();
          invoker.invokeAsync(arn, payload);
        },
      };
    },
    onInvocation({ ok }) {
      ended++;
      touch();
      if (!ok) spoiled ??= 'a function failed';
      // More ends than starts: someone invoked a function past the services (the Invoke API).
      if (ended > started) spoiled ??= 'a function was invoked from outside';
    },
    onEvent: touch,
    mark: () => changes,
    spoiled: () => spoiled,
    async settled({ quietMs, timeoutMs, idle, signal }) {
      const deadline = now() + timeoutMs;
      while (spoiled === undefined && !signal?.aborted && now() < deadline) {
        // An invocation that never ran (an unknown function) leaves started above ended: never settled, never kept.
        if (running === 0 && started === ended && now() - last >= quietMs && (await idle()) && now() - last >= quietMs) return true;
        await delay(POLL_MS);
      }
      return false;
    },
  };
}
