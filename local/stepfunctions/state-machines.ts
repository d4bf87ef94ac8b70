/**
 * The app's state machines (`AWS::StepFunctions::StateMachine`), read from the resolved assembly
 * and prepared for the engine.
 *
 * The definition is the resolved `DefinitionString` (JSON text) or `Definition` (an object), with
 * `DefinitionSubstitutions` applied as CloudFormation does (`${key}` replaced in the text). The
 * name and ARN are the resource's (see local/cloudformation/physical-names.ts: Ref of a state
 * machine is its ARN).
 */
import type { LocalAssembly, LocalResource } from '../types';
import { StateMachine } from './engine';
import { prepareDefinition, type StateSpec } from './prepare-definition';
import { resolveResource } from './task-integrations';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface LocalStateMachine {
  readonly arn: string;
  readonly name: string;
  readonly type: StateMachineType;
  readonly roleArn: string;
  /** The definition as deployed (DescribeStateMachine). */
  readonly definitionText: string;
  readonly creationDate: Date;
  /** Every state by name, nested ones included. */
  readonly states: ReadonlyMap<string, StateSpec>;
  /** The same, by their index (the Context Object views). */
  readonly stateList: readonly StateSpec[];
  /** Runs the machine; absent when it cannot run locally (see `unsupported`). */
  readonly engine?: StateMachine;
  /** Why its executions fail at once locally. */
  readonly unsupported?: string;
}

function where(resource: LocalResource): string {
  return `${resource.stackName}/${resource.logicalId}`;
}

function substitute(text: string, substitutions: unknown): string {
  if (typeof substitutions !== 'object' || substitutions === null) return text;
  let result = text;
  for (const [key, value] of Object.entries(substitutions)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') result = result.split(`\${${key}}`).join(String(value));
  }
  return result;
}

function definitionTextOf(resource: LocalResource): string | { readonly error: string } {
  const { DefinitionString, Definition, DefinitionSubstitutions, DefinitionS3Location } = resource.properties;
  if (typeof DefinitionString === 'string') return substitute(DefinitionString, DefinitionSubstitutions);
  if (typeof Definition === 'object' && Definition !== null) return substitute(JSON.stringify(Definition), DefinitionSubstitutions);
  if (DefinitionS3Location !== undefined) return { error: 'its definition is in S3 (DefinitionS3Location), which the local runtime does not read' };
  return { error: 'it has no DefinitionString or Definition' };
}

export interface ReadOptions {
  /** Logs what cannot run locally, or runs differently. */
  readonly warn: (line: string) => void;
  /**
   * Also checks each definition with the engine's ASL validator (asl-validator), logging what it
   * objects to. Off by default: it costs 0.2-0.5 s per machine at start, and CDK and
   * CloudFormation have validated the definitions already.
   */
  readonly validate?: boolean;
}

function load(resource: LocalResource, creationDate: Date, options: ReadOptions): LocalStateMachine {
  const { warn } = options;
  const arn = resource.arn ?? resource.ref;
  const name = arn.slice(arn.indexOf(':stateMachine:') + ':stateMachine:'.length);
  const type: StateMachineType = resource.properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
  const roleArn = typeof resource.properties.RoleArn === 'string' ? resource.properties.RoleArn : '';
  const base = { arn, name, type, roleArn, creationDate };
  const unusable = (definitionText: string, reason: string): LocalStateMachine => {
    warn(`state machine ${name} (${where(resource)}) cannot run locally: ${reason}; its executions will fail`);
    return { ...base, definitionText, states: new Map(), stateList: [], unsupported: reason };
  };

  const text = definitionTextOf(resource);
  if (typeof text !== 'string') return unusable('{}', text.error);
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    return unusable(text, `its definition is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }

  const prepared = prepareDefinition(definition);
  for (const warning of prepared.warnings) warn(`state machine ${name}: ${warning}`);
  for (const state of prepared.states) {
    const resolved = state.task ? resolveResource(state.task.resource) : undefined;
    if (resolved?.ok === false) warn(`state machine ${name}, state ${state.name}: ${resolved.reason}; an execution reaching it fails`);
  }
  const states = new Map(prepared.states.map((state) => [state.name, state]));
  if (prepared.unsupported !== undefined) {
    return { ...unusable(text, prepared.unsupported), states, stateList: prepared.states };
  }
  if (options.validate === true) {
    try {
      // The deployed definition is checked as written; what runs is the prepared one.
      new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0]);
    } catch (error) {
      warn(`state machine ${name}: the ASL validator objects (it runs anyway): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let engine: StateMachine;
  try {
    engine = new StateMachine(prepared.engineDefinition as unknown as ConstructorParameters<typeof StateMachine>[0], { validationOptions: { noValidate: true } });
  } catch (error) {
    return unusable(text, error instanceof Error ? error.message : String(error));
  }
  return { ...base, definitionText: text, states, stateList: prepared.states, engine };
}

export function readStateMachines(assembly: LocalAssembly, options: ReadOptions): LocalStateMachine[] {
  const creationDate = new Date();
  return assembly.ofType('AWS::StepFunctions::StateMachine').map((resource) => load(resource, creationDate, options));
}
