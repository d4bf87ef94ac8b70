/**
 * Delivery of matched events to rule targets, with EventBridge's retry policy and dead-letter queues.
 *
 * As in AWS (User Guide, "Event retry policy and using dead-letter queues"):
 * - a failed delivery is retried with backoff up to `MaximumRetryAttempts` (default 185) while the
 *   event is younger than `MaximumEventAgeInSeconds` (default 24 h), counted from ingestion;
 * - errors that retrying cannot fix (the target resource does not exist, the input transformation
 *   yields invalid JSON) skip the retries;
 * - an event that exhausted its retries goes to the target's `DeadLetterConfig` queue if it has
 *   one: the body is the original event, and the message attributes `RULE_ARN`, `TARGET_ARN`,
 *   `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`, `RETRY_ATTEMPTS` are passed to
 *   `sendToQueue` as `messageAttributes`; without one the event is dropped, loudly.
 *
 * Locally the backoff is a fixed, jitter-free list of delays (the last one repeating), so tests can
 * use milliseconds. Every timer is tracked: stop() cancels pending retries and says how many.
 */
import type { LogSink } from '../types';
import { InputTransformError, type CompiledTargetInput, type EventEnvelope } from './input-transform';
import { sendPayload, serviceOf, targetKindOf, type EventTargets } from './targets';

/** Backoff between attempts: 1 s doubling to a minute, then every minute (bounded by the retry policy). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000];
export const DEFAULT_MAXIMUM_RETRY_ATTEMPTS = 185;
export const DEFAULT_MAXIMUM_EVENT_AGE_SECONDS = 86_400;

/** One target of one rule, ready to deliver to. */
export interface DeliveryTarget {
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly arn: string;
  readonly input: CompiledTargetInput;
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  readonly deadLetterArn?: string;
  readonly messageGroupId?: string;
}

export interface DeliveryOptions {
  readonly targets: EventTargets;
  readonly log: LogSink;
  /** Delay before retry n (0-based); the last entry repeats. */
  readonly retryDelaysMs?: readonly number[];
  /** For tests. */
  readonly now?: () => number;
}

export interface Delivery {
  /** Starts delivering `event` (ingested at `ingestedAt`, epoch ms) to `target`; returns at once. */
  deliver(target: DeliveryTarget, event: EventEnvelope, ingestedAt: number): void;
  /** Resolves when no delivery is in flight or waiting for a retry (or after stop()). */
  idle(): Promise<void>;
  /** Cancels pending retries; in-flight attempts finish but schedule nothing more. */
  stop(): void;
}

interface Failure {
  readonly code: string;
  readonly message: string;
  readonly retryable: boolean;
}

/** Classifies an error from a target: missing resources are not retried, as in AWS. */
function failureOf(error: unknown): Failure {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (/NotFound|DoesNotExist|NonExistent/i.test(name)) return { code: 'NO_RESOURCE', message, retryable: false };
  return { code: 'SDK_CLIENT_ERROR', message, retryable: true };
}

function describe(target: DeliveryTarget, event: EventEnvelope): string {
  return `event ${event.id} (${event.source} / ${event['detail-type']}) -> rule ${target.ruleName}, target ${target.targetId} (${target.arn})`;
}

interface Exhausted {
  readonly target: DeliveryTarget;
  readonly event: EventEnvelope;
  readonly failure: Failure;
  readonly condition: string;
  readonly attempts: number;
}

/** An event that will not be retried: to the target's dead-letter queue if it has one, else dropped (loudly). */
async function giveUp(targets: EventTargets, log: LogSink, { target, event, failure, condition, attempts }: Exhausted): Promise<void> {
  if (target.deadLetterArn === undefined) {
    log(`DROPPED ${describe(target, event)} after ${attempts} attempt(s) (${condition}): ${failure.code}: ${failure.message}`);
    return;
  }
  try {
    await targets.sendToQueue(target.deadLetterArn, JSON.stringify(event), {
      messageAttributes: {
        RULE_ARN: target.ruleArn,
        TARGET_ARN: target.arn,
        ERROR_CODE: failure.code,
        ERROR_MESSAGE: failure.message,
        EXHAUSTED_RETRY_CONDITION: condition,
        RETRY_ATTEMPTS: String(Math.max(attempts - 1, 0)),
      },
    });
    log(`FAILED ${describe(target, event)} after ${attempts} attempt(s) (${condition}): ${failure.code}: ${failure.message}; sent to dead-letter queue ${target.deadLetterArn}`);
  } catch (error) {
    log(`DROPPED ${describe(target, event)}: delivery failed (${failure.message}) and so did sending it to dead-letter queue ${target.deadLetterArn}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const delays = options.retryDelaysMs !== undefined && options.retryDelaysMs.length > 0 ? options.retryDelaysMs : DEFAULT_RETRY_DELAYS_MS;
  const now = options.now ?? Date.now;
  const log = options.log;
  const timers = new Set<NodeJS.Timeout>();
  let active = 0;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const settle = (): void => {
    active--;
    if (active === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  };

  const exhausted = (target: DeliveryTarget, event: EventEnvelope, failure: Failure, condition: string, attempts: number): Promise<void> =>
    giveUp(options.targets, log, { target, event, failure, condition, attempts });

  const attempt = async (target: DeliveryTarget, event: EventEnvelope, ingestedAt: number, payload: string, attempts: number): Promise<void> => {
    const kind = targetKindOf(target.arn);
    if (kind === undefined) return;
    let failure: Failure;
    try {
      await sendPayload(options.targets, kind, target.arn, payload, target.messageGroupId === undefined ? {} : { messageGroupId: target.messageGroupId });
      log(`delivered ${describe(target, event)}${attempts > 1 ? ` on attempt ${attempts}` : ''}`);
      return;
    } catch (error) {
      failure = failureOf(error);
    }
    if (stopped) return;
    const retriesDone = attempts - 1;
    if (!failure.retryable) return exhausted(target, event, failure, 'NonRetryableError', attempts);
    if (retriesDone >= target.maximumRetryAttempts) return exhausted(target, event, failure, 'MaximumRetryAttempts', attempts);
    const delay = delays[Math.min(retriesDone, delays.length - 1)] ?? 0;
    if (now() + delay - ingestedAt > target.maximumEventAgeSeconds * 1000) {
      return exhausted(target, event, failure, 'MaximumEventAgeInSeconds', attempts);
    }
    log(`attempt ${attempts} of ${describe(target, event)} failed: ${failure.message}; retrying in ${delay} ms`);
    active++;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(target, event, ingestedAt, payload, attempts + 1).finally(settle);
    }, delay);
    timer.unref();
    timers.add(timer);
  };

  return {
    deliver(target, event, ingestedAt) {
      if (stopped) return;
      const kind = targetKindOf(target.arn);
      if (kind === undefined) {
        log(`not delivered: ${describe(target, event)}: ${serviceOf(target.arn)} targets are not emulated locally`);
        return;
      }
      let payload: string;
      try {
        const result = target.input.payloadFor(event, { ruleArn: target.ruleArn, ruleName: target.ruleName });
        if (result.kind === 'nothing') {
          log(`not delivered: ${describe(target, event)}: ${result.reason}`);
          return;
        }
        payload = result.text;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        const code = error instanceof InputTransformError ? 'INVALID_JSON' : 'INTERNAL_ERROR';
        active++;
        void exhausted(target, event, { code, message, retryable: false }, 'NonRetryableError', 0).finally(settle);
        return;
      }
      active++;
      void attempt(target, event, ingestedAt, payload, 1).finally(settle);
    },

    idle() {
      if (active === 0 || stopped) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },

    stop() {
      if (stopped) return;
      stopped = true;
      if (timers.size > 0) log(`stopping: ${timers.size} event deliveries waiting for a retry are abandoned`);
      for (const timer of timers) clearTimeout(timer);
      // Abandoned retries never settle: release whoever waits for idleness.
      active -= timers.size;
      timers.clear();
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const resolve of waiters) resolve();
    },
  };
}
