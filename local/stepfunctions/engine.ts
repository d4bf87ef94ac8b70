/**
 * The ASL interpreter (aws-local-stepfunctions), with the types this module's callers use.
 * Everything else in local/stepfunctions imports it from here.
 */
import type { StateMachine } from 'aws-local-stepfunctions';

export { ExecutionAbortedError, ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
export type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** A JSON value as the engine passes it between states. */
export type EngineJson = Parameters<StateMachine['run']>[0];
export type EngineRunOptions = NonNullable<Parameters<StateMachine['run']>[1]>;
export type EngineRun = ReturnType<StateMachine['run']>;
/** One event of an execution's event log. */
export type EngineEvent = EngineRun['eventLogs'] extends AsyncGenerator<infer Event> ? Event : never;
/** A Task state's local implementation: gets the effective input (after InputPath and Parameters). */
export type EngineTaskHandler = NonNullable<NonNullable<EngineRunOptions['overrides']>['taskResourceLocalHandlers']>[string];

/**
 * Copies a value into plain JSON, as it crosses a state boundary on AWS: `undefined` members go,
 * binary (an SDK's Uint8Array) becomes base64 as in the AWS JSON protocols.
 */
export function toEngineJson(value: unknown): EngineJson {
  if (value === undefined) return null;
  const text = JSON.stringify(value, (_key, member: unknown) => (member instanceof Uint8Array ? Buffer.from(member).toString('base64') : member));
  return JSON.parse(text) as EngineJson;
}
