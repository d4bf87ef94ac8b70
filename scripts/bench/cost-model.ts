/**
 * The cost of one order on the happy path, counted from the synthesized (and resolved) app:
 * the order saga's state transitions (walked from StartAt along Next/Default), the Lambda
 * invocations (the journey's API routes, the saga's tasks, the outbox relay per event, the rule
 * targets every event matches), the events published and SQS requests: what the templates
 * predict, set beside what the offline runtime measures (cost-footprint.ts).
 */
import { buildRestApiModel, matchRoute, methodFor } from '../../local/apigateway/rest-api-model';
import { logicalIdWithoutHash } from '../../local/lambda/function-definitions';
import { matchesEventPattern, validateEventPattern } from '../../local/eventbridge/event-pattern';
import type { LocalAssembly, LocalResource } from '../../local/types';

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

export interface OrderCounts {
  readonly sagaType: string;
  readonly transitions: number;
  readonly apiRequests: number;
  /** Function physical names, one per invocation. */
  readonly invocations: string[];
  readonly events: number;
  readonly sqsRequests: number;
  /** Every function of the app by physical name: its label (`orders/PlaceOrder`) and MemorySize. */
  readonly functions: Readonly<Record<string, AppFunction>>;
}

export interface AppFunction {
  readonly label: string;
  readonly memoryMb: number;
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
  const all = assembly.ofType('AWS::Lambda::Function').map((fn) => [fn.ref, { label: functionLabel(fn), memoryMb: Number(fn.properties.MemorySize ?? 128) }]);
  return {
    sagaType: String(saga.properties.StateMachineType ?? 'STANDARD'),
    transitions: path.length,
    apiRequests: JOURNEY_REQUESTS.length,
    invocations: functions.map(functionLabel),
    events: HAPPY_PATH_EVENTS.length,
    sqsRequests,
    functions: Object.fromEntries(all),
  };
}
