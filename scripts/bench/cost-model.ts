/**
 * The cost of one order on the happy path, counted from the synthesized (and resolved) app:
 * the order saga's state transitions (walked from StartAt along Next/Default), the Lambda
 * invocations (the journey's API routes, the saga's tasks, the outbox relay per event, the rule
 * targets every event matches), the events published, SQS requests and DynamoDB units.
 */
import { buildRestApiModel, matchRoute, methodFor } from '../../local/apigateway/rest-api-model';
import { logicalIdWithoutHash } from '../../local/lambda/function-definitions';
import { matchesEventPattern, validateEventPattern } from '../../local/eventbridge/event-pattern';
import type { LocalAssembly, LocalResource } from '../../local/types';
import { PRICES } from './prices';

/** What one order does, from the buyer's point of view: what the bench's load part does too. */
export const JOURNEY_REQUESTS = [
  ['POST', '/orders'],
  ['GET', '/orders/ORDER'],
] as const;

/** The events of one confirmed order, in order (spec/events.md), each from its context's outbox. */
export const HAPPY_PATH_EVENTS = [
  { source: 'commerce.orders', 'detail-type': 'OrderPlaced' },
  { source: 'commerce.inventory', 'detail-type': 'StockReserved' },
  { source: 'commerce.payments', 'detail-type': 'PaymentCaptured' },
  { source: 'commerce.orders', 'detail-type': 'OrderConfirmed' },
] as const;

/**
 * Not in any template: the DynamoDB units each Lambda invocation of the journey uses, estimated as
 * one transactional write of two items of under 1 KB (state + outbox or idempotency record:
 * 2 × 2 WRU) and one strongly consistent read (1 RRU); the relay and consumers likewise.
 */
export const UNITS_PER_INVOCATION = { read: 1, write: 4 };
/** Not in any template either: billed duration of one invocation (warm, one DynamoDB round trip or two). */
export const ASSUMED_INVOCATION_MS = 100;

export interface OrderCounts {
  readonly sagaType: string;
  readonly transitions: number;
  readonly apiRequests: number;
  /** Function physical names, one per invocation. */
  readonly invocations: string[];
  readonly events: number;
  readonly sqsRequests: number;
  readonly gbSeconds: number;
  readonly expressGbSeconds: number;
}

interface State {
  readonly Type: string;
  readonly Next?: string;
  readonly Default?: string;
  readonly End?: boolean;
  readonly Resource?: string;
  readonly Parameters?: { FunctionName?: string };
}

/** `orders/PlaceOrder` for commerce-dev-orders' PlaceOrderC1FF4CFE. */
export function functionLabel(fn: LocalResource): string {
  return `${fn.stackName.replace(/^commerce-[a-z]+-/, '')}/${logicalIdWithoutHash(fn.logicalId)}`;
}

/** The happy path of a definition: the states entered from StartAt along Next (Choice: Default). */
export function happyPath(definition: { StartAt: string; States: Record<string, State> }): [string, State][] {
  const path: [string, State][] = [];
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    const state: State | undefined = definition.States[name];
    if (!state) throw new Error(`state ${name} is not defined`);
    if (path.some(([seen]) => seen === name)) throw new Error(`the happy path loops back to ${name}`);
    path.push([name, state]);
    name = state.End ? undefined : (state.Next ?? state.Default);
  }
  return path;
}

/** The function a Task state invokes: its Resource ARN, or lambda:invoke's FunctionName. */
function invokedFunction(state: State): string | undefined {
  if (state.Type !== 'Task') return undefined;
  if (state.Resource?.includes(':lambda:') && state.Resource.includes(':function:')) return state.Resource;
  return state.Resource?.endsWith(':states:::lambda:invoke') ? state.Parameters?.FunctionName : undefined;
}

function functionOf(assembly: LocalAssembly, arnOrName: string): LocalResource {
  const base = arnOrName.replace(/:(\$LATEST|\d+)$/, '');
  const found = assembly.find(base) ?? assembly.ofType('AWS::Lambda::Function').find((fn) => fn.ref === base);
  if (!found) throw new Error(`no function ${arnOrName} in the app`);
  return found;
}

function orderSaga(assembly: LocalAssembly): LocalResource {
  const machines = assembly.ofType('AWS::StepFunctions::StateMachine').filter((sm) => /OrderSaga/.test(sm.logicalId));
  if (machines.length !== 1) throw new Error(`expected one order saga state machine, found ${machines.length}`);
  return machines[0]!;
}

/** The functions and SQS requests behind the rules one event matches. */
function ruleTargets(assembly: LocalAssembly, event: object): { functions: string[]; sqsRequests: number } {
  const functions: string[] = [];
  let sqsRequests = 0;
  const full = { ...event, account: assembly.accountId, region: assembly.region, detail: {} };
  for (const rule of assembly.ofType('AWS::Events::Rule')) {
    if (!rule.properties.EventPattern || !matchesEventPattern(validateEventPattern(rule.properties.EventPattern), full)) continue;
    for (const target of (rule.properties.Targets as { Arn: string }[] | undefined) ?? []) {
      if (target.Arn.includes(':function:')) functions.push(target.Arn);
      if (!target.Arn.startsWith('arn:aws:sqs:')) continue;
      // Send, receive, delete; the queue's consumer runs once per message (one message per batch at low rates).
      sqsRequests += 3;
      const mapping = assembly.ofType('AWS::Lambda::EventSourceMapping').find((m) => m.properties.EventSourceArn === target.Arn);
      if (mapping) functions.push(String(mapping.properties.FunctionName));
    }
  }
  return { functions, sqsRequests };
}

/** The outbox relay of the context that publishes `source` (commerce.<context>): the function its table's stream feeds. */
function outboxRelay(assembly: LocalAssembly, source: string): string {
  const context = source.replace(/^commerce\./, '');
  const mapping = assembly
    .ofType('AWS::Lambda::EventSourceMapping')
    .find((m) => m.stackName.endsWith(`-${context}`) && String(m.properties.EventSourceArn).includes(':dynamodb:'));
  if (!mapping) throw new Error(`no outbox relay (stream mapping) in the ${context} stack`);
  return String(mapping.properties.FunctionName);
}

export function countOrder(assembly: LocalAssembly): OrderCounts {
  const saga = orderSaga(assembly);
  const path = happyPath(JSON.parse(String(saga.properties.DefinitionString)) as never);
  const model = buildRestApiModel(assembly);
  const invocations: string[] = [];
  for (const [method, route] of JOURNEY_REQUESTS) {
    const match = matchRoute(model.root, route);
    const integration = match && methodFor(match.resource, method)?.integration;
    if (integration?.kind !== 'lambda-proxy') throw new Error(`${method} ${route} has no Lambda integration`);
    invocations.push(integration.functionArn);
  }
  const sagaTasks = path.flatMap(([, state]) => invokedFunction(state) ?? []);
  invocations.push(...sagaTasks);
  let sqsRequests = 0;
  for (const event of HAPPY_PATH_EVENTS) {
    invocations.push(outboxRelay(assembly, event.source));
    const targets = ruleTargets(assembly, event);
    invocations.push(...targets.functions);
    sqsRequests += targets.sqsRequests;
  }
  const functions = invocations.map((arn) => functionOf(assembly, arn));
  const gbSeconds = functions.reduce((sum, fn) => sum + (Number(fn.properties.MemorySize ?? 128) / 1024) * (ASSUMED_INVOCATION_MS / 1000), 0);
  // Express bills the execution's own duration in 100 ms steps at its 64 MB minimum: the saga's tasks back to back.
  const expressGbSeconds = (64 / 1024) * Math.ceil((sagaTasks.length * ASSUMED_INVOCATION_MS) / 100) * 0.1;
  return {
    sagaType: String(saga.properties.StateMachineType ?? 'STANDARD'),
    transitions: path.length,
    apiRequests: JOURNEY_REQUESTS.length,
    invocations: functions.map(functionLabel),
    events: HAPPY_PATH_EVENTS.length,
    sqsRequests,
    gbSeconds,
    expressGbSeconds,
  };
}

/** Dollars per order, by line item. */
export function priceOrder(counts: OrderCounts): Record<string, number> {
  const express = counts.sagaType === 'EXPRESS';
  const units = counts.invocations.length;
  return {
    'API Gateway': counts.apiRequests * PRICES.apiGatewayRestPerRequest,
    'Step Functions': express
      ? PRICES.sfnExpressPerRequest + counts.expressGbSeconds * PRICES.sfnExpressPerGbSecond
      : counts.transitions * PRICES.sfnStandardPerTransition,
    Lambda: units * PRICES.lambdaPerRequest + counts.gbSeconds * PRICES.lambdaArmPerGbSecond,
    EventBridge: counts.events * PRICES.eventBridgePerEvent,
    SQS: counts.sqsRequests * PRICES.sqsPerRequest,
    DynamoDB: units * (UNITS_PER_INVOCATION.read * PRICES.dynamoPerReadUnit + UNITS_PER_INVOCATION.write * PRICES.dynamoPerWriteUnit),
  };
}
