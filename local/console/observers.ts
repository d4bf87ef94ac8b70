/**
 * How the console hears what happens: observers the runtime hangs on its services' seams (the
 * bus's onEvent, the event targets, the Lambda service's invocations, the gateway's requests,
 * the DLQ senders), each turning what it sees into a {@link ConsoleRecorder} record.
 */
import { matchesEventPattern, type EventPattern } from '../eventbridge/event-pattern';
import type { EventTargets, QueueMessageOptions } from '../eventbridge/targets';
import type { LocalAssembly } from '../types';
import { record, ruleName } from './architecture';
import { clip, type ConsoleRecorder } from './recorder';

/** The name an ARN's resource goes by in the console (a queue's or function's name). */
function shortName(arn: string): string {
  return arn.split(':').at(-1) ?? arn;
}

/** What the spec's envelope says of an event: its correlation id and the order it concerns, if any. */
export function eventKeys(event: unknown): { correlationId?: string; orderId?: string } {
  const detail = record(record(event).detail);
  const correlationId = record(detail.metadata).correlationId;
  const orderId = record(detail.data).orderId;
  return {
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    ...(typeof orderId === 'string' ? { orderId } : {}),
  };
}

interface BusRule {
  readonly name: string;
  readonly bus: string;
  readonly pattern: EventPattern;
}

function busRules(assembly: LocalAssembly): BusRule[] {
  return assembly.ofType('AWS::Events::Rule').flatMap((rule) => {
    const pattern = rule.properties.EventPattern;
    if (rule.properties.State === 'DISABLED' || typeof pattern !== 'object' || pattern === null) return [];
    const bus = typeof rule.properties.EventBusName === 'string' ? shortName(rule.properties.EventBusName).replace(/^event-bus\//, '') : 'default';
    return [{ name: ruleName(rule.ref), bus, pattern: pattern as EventPattern }];
  });
}

export interface ConsoleObservers {
  /** The bus's onEvent: an event accepted on a bus, with the rules it matches. */
  onEvent(busName: string, event: unknown): void;
  /** The event targets, observed: each delivery attempt, its outcome and a DLQ landing. */
  observeTargets(targets: EventTargets): EventTargets;
  /** A message a service sends to a dead-letter queue or on-failure destination outside EventBridge. */
  observeDeadLetter(from: string, send: (arn: string, body: string) => Promise<void>): (arn: string, body: string) => Promise<void>;
  onInvocation(invocation: { functionName: string; requestId: string; ok: boolean; errorType?: string; ms: number; eventJson: string }): void;
  onRequest(request: { method: string; path: string; status: number; ms: number; correlationId?: string }): void;
}

export function createObservers(assembly: LocalAssembly, recorder: ConsoleRecorder): ConsoleObservers {
  const rules = busRules(assembly);
  const attempts = new Map<string, number>();
  const matching = (bus: string, event: unknown) => rules.filter((rule) => rule.bus === bus && safeMatch(rule.pattern, event)).map((rule) => rule.name);

  const delivered = async (kind: string, arn: string, payload: unknown, send: () => Promise<void>, options?: QueueMessageOptions) => {
    const event = record(typeof payload === 'string' ? parse(payload) : payload);
    const eventId = typeof event.id === 'string' ? event.id : undefined;
    const errorCode = options?.messageAttributes?.ERROR_CODE;
    const key = `${eventId ?? '?'}|${arn}`;
    const attempt = errorCode === undefined ? (attempts.get(key) ?? 0) + 1 : undefined;
    if (attempt !== undefined) attempts.set(key, attempt);
    const base = { kind, target: shortName(arn), ...(eventId ? { eventId } : {}), ...eventKeys(event) };
    try {
      await send();
      recorder.record('delivery', errorCode === undefined ? { ...base, attempt, ok: true } : { ...base, deadLetter: true, errorCode, errorMessage: options?.messageAttributes?.ERROR_MESSAGE });
    } catch (error) {
      recorder.record('delivery', { ...base, attempt, ok: false, error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  };

  return {
    onEvent(busName, event) {
      const envelope = record(event);
      recorder.record('event', {
        bus: busName,
        id: envelope.id,
        source: envelope.source,
        detailType: envelope['detail-type'],
        ...eventKeys(event),
        rules: matching(busName, event),
        detail: clip(JSON.stringify(envelope.detail ?? null)),
      });
    },
    observeTargets: (targets) => ({
      invokeLambda: (arn, event) => delivered('lambda', arn, event, () => targets.invokeLambda(arn, event)),
      sendToQueue: (arn, body, options) => delivered('sqs', arn, body, () => targets.sendToQueue(arn, body, options), options),
      startExecution: (arn, input) => delivered('states', arn, input, () => targets.startExecution(arn, input)),
    }),
    observeDeadLetter: (from, send) => async (arn, body) => {
      await send(arn, body);
      recorder.record('delivery', { kind: 'sqs', target: shortName(arn), deadLetter: true, from, ...eventKeys(parse(body)), body: clip(body, 2000) });
    },
    onInvocation({ functionName, requestId, ok, errorType, ms, eventJson }) {
      recorder.record('invocation', { functionName, requestId, ok, ...(errorType ? { errorType } : {}), ms, payload: clip(eventJson, 4000) });
    },
    onRequest(request) {
      recorder.record('request', request);
    },
  };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A pattern the bus rejected never matches; the console must not fail on it either. */
function safeMatch(pattern: EventPattern, event: unknown): boolean {
  try {
    return matchesEventPattern(pattern, event);
  } catch {
    return false;
  }
}
