/**
 * The console's architecture map, drawn from the resolved cloud assembly (what is deployed, not
 * a hand-kept diagram): each context (stack) with its functions and tables, the buses with their
 * rules and targets, the queues with the DLQ each one feeds or that catches its failures, and the
 * state machines with their states, those reached only through a Catch set apart as compensation.
 */
import type { LocalAssembly, LocalResource } from '../types';

export interface ArchitectureMap {
  readonly contexts: ReadonlyArray<{ name: string; stack: string; functions: string[]; tables: string[] }>;
  readonly buses: ReadonlyArray<{ name: string; rules: RuleView[] }>;
  readonly queues: ReadonlyArray<{ name: string; arn: string; url: string; context: string; deadLetterQueue?: string; isDeadLetterQueue: boolean; feeds: string[] }>;
  readonly stateMachines: ReadonlyArray<StateMachineView>;
}

export interface RuleView {
  readonly name: string;
  readonly context: string;
  readonly pattern: unknown;
  readonly targets: ReadonlyArray<{ kind: string; name: string; deadLetterQueue?: string }>;
}

export interface StateMachineView {
  readonly name: string;
  readonly arn: string;
  readonly context: string;
  readonly startAt: string;
  readonly states: ReadonlyArray<{ name: string; type: string; next: string[]; compensation: boolean }>;
}

/** `value` if it is a plain object, else an empty one: resolved properties are untyped JSON. */
export const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** A rule's name: Ref of a rule on a custom bus is `<bus>|<rule>`. */
export function ruleName(ref: string): string {
  return ref.split('|').at(-1) ?? ref;
}

/** `commerce-dev-orders` → `orders`: the context a stack holds. */
export function contextOf(stackName: string): string {
  return stackName.split('-').at(-1) ?? stackName;
}

function nameOf(assembly: LocalAssembly, arn: string | undefined): string {
  if (arn === undefined) return '?';
  const resource = assembly.find(arn);
  return resource ? (resource.type === 'AWS::SQS::Queue' ? queueName(resource) : resource.ref) : arn.split(':').at(-1) ?? arn;
}

function queueName(queue: LocalResource): string {
  return queue.arn?.split(':').at(-1) ?? queue.ref;
}

function targetKind(arn: string): string {
  return arn.split(':')[2] ?? 'unknown';
}

/** Every ARN that some resource names as where its failures go (queue redrive, DLQs, on-failure destinations). */
function failureDestinations(assembly: LocalAssembly): Map<string, string[]> {
  const feeds = new Map<string, string[]>();
  const add = (dlqArn: unknown, from: string) => {
    if (typeof dlqArn !== 'string') return;
    feeds.set(dlqArn, [...(feeds.get(dlqArn) ?? []), from]);
  };
  for (const resource of assembly.resources) {
    const props = resource.properties;
    switch (resource.type) {
      case 'AWS::SQS::Queue':
        add(record(props.RedrivePolicy).deadLetterTargetArn, queueName(resource));
        break;
      case 'AWS::Events::Rule':
        for (const target of Array.isArray(props.Targets) ? props.Targets : []) add(record(record(target).DeadLetterConfig).Arn, `rule ${ruleName(resource.ref)}`);
        break;
      case 'AWS::Lambda::Function':
        add(record(props.DeadLetterConfig).TargetArn, `function ${resource.ref}`);
        break;
      case 'AWS::Lambda::EventSourceMapping':
      case 'AWS::Lambda::EventInvokeConfig':
        add(record(record(record(props.DestinationConfig).OnFailure)).Destination, `${text(props.FunctionName) ?? resource.ref}`);
        break;
    }
  }
  return feeds;
}

/** State names and their successors (Next, Default, Choices, Catch); those only a Catch leads to are compensation. */
export function statesOf(definition: unknown): StateMachineView['states'] {
  const states = record(record(definition).States);
  const normal = new Map<string, string[]>();
  for (const [name, raw] of Object.entries(states)) {
    const state = record(raw);
    const next = [text(state.Next), text(state.Default), ...(Array.isArray(state.Choices) ? state.Choices.map((choice) => text(record(choice).Next)) : [])];
    normal.set(name, next.filter((value): value is string => value !== undefined));
  }
  // What the path from StartAt reaches without any Catch is not compensation, even if a Catch also leads there.
  const reached = new Set<string>();
  const walk = (from: string | undefined) => {
    if (from === undefined || reached.has(from) || !normal.has(from)) return;
    reached.add(from);
    for (const next of normal.get(from) ?? []) walk(next);
  };
  walk(text(record(definition).StartAt));
  return Object.entries(states).map(([name, raw]) => ({
    name,
    type: text(record(raw).Type) ?? '?',
    next: [...(normal.get(name) ?? []), ...(Array.isArray(record(raw).Catch) ? (record(raw).Catch as unknown[]).map((c) => `${text(record(c).Next)} (on error)`) : [])],
    // Reached only through a Catch (directly or after one): the compensation path.
    compensation: !reached.has(name),
  }));
}

function definitionOf(machine: LocalResource): unknown {
  const { DefinitionString, Definition } = machine.properties;
  if (typeof DefinitionString === 'string') {
    try {
      return JSON.parse(DefinitionString);
    } catch {
      return {};
    }
  }
  return Definition ?? {};
}

export function architectureOf(assembly: LocalAssembly): ArchitectureMap {
  const byStack = new Map<string, { functions: string[]; tables: string[] }>();
  const entry = (stack: string) => byStack.get(stack) ?? byStack.set(stack, { functions: [], tables: [] }).get(stack)!;
  for (const fn of assembly.ofType('AWS::Lambda::Function')) entry(fn.stackName).functions.push(fn.ref);
  for (const table of assembly.ofType('AWS::DynamoDB::Table')) entry(table.stackName).tables.push(table.ref);

  const failures = failureDestinations(assembly);
  const rules = assembly.ofType('AWS::Events::Rule').map((rule) => {
    const targets = (Array.isArray(rule.properties.Targets) ? rule.properties.Targets : []).map((raw) => {
      const target = record(raw);
      const dlq = text(record(target.DeadLetterConfig).Arn);
      return { kind: targetKind(text(target.Arn) ?? ''), name: nameOf(assembly, text(target.Arn)), ...(dlq ? { deadLetterQueue: nameOf(assembly, dlq) } : {}) };
    });
    return { bus: text(rule.properties.EventBusName) ?? 'default', view: { name: ruleName(rule.ref), context: contextOf(rule.stackName), pattern: rule.properties.EventPattern, targets } };
  });
  const busNames = [...new Set([...assembly.ofType('AWS::Events::EventBus').map((bus) => bus.ref), ...rules.map((rule) => rule.bus)])];

  return {
    contexts: [...byStack.entries()].map(([stack, parts]) => ({ name: contextOf(stack), stack, ...parts })),
    buses: busNames.map((name) => ({ name, rules: rules.filter((rule) => rule.bus === name || rule.bus.endsWith(`/${name}`)).map((rule) => rule.view) })),
    queues: assembly.ofType('AWS::SQS::Queue').map((queue) => {
      const dlq = text(record(queue.properties.RedrivePolicy).deadLetterTargetArn);
      const feeds = failures.get(queue.arn ?? '') ?? [];
      return {
        name: queueName(queue),
        arn: queue.arn ?? '',
        url: queue.ref,
        context: contextOf(queue.stackName),
        ...(dlq ? { deadLetterQueue: nameOf(assembly, dlq) } : {}),
        isDeadLetterQueue: feeds.length > 0,
        feeds,
      };
    }),
    stateMachines: assembly.ofType('AWS::StepFunctions::StateMachine').map((machine) => {
      const definition = definitionOf(machine);
      return { name: machine.arn?.split(':').at(-1) ?? machine.ref, arn: machine.arn ?? machine.ref, context: contextOf(machine.stackName), startAt: text(record(definition).StartAt) ?? '', states: statesOf(definition) };
    }),
  };
}
