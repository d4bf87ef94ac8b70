/**
 * AWS Step Functions for the offline runtime: the app's state machines run on the
 * aws-local-stepfunctions engine, behind an AWS JSON 1.0 endpoint (`X-Amz-Target:
 * AWSStepFunctions.<Operation>`) for @aws-sdk/client-sfn, and in process for the other emulators
 * (an EventBridge rule target starting an execution) and tests.
 *
 * Emulated:
 * - every `AWS::StepFunctions::StateMachine` (STANDARD or EXPRESS), with the whole of JSONPath ASL
 *   the engine runs (Pass, Task, Choice, Wait, Succeed, Fail, Parallel, inline Map, Retry with
 *   backoff/MaxDelaySeconds/jitter, Catch, InputPath/Parameters/ResultSelector/ResultPath/
 *   OutputPath, intrinsic functions), execution TimeoutSeconds (TIMED_OUT);
 * - Task resources: Lambda functions, lambda:invoke, events:putEvents, sqs:sendMessage,
 *   dynamodb:getItem/putItem/updateItem/deleteItem, `.waitForTaskToken` (see ./task-integrations);
 *   TimeoutSeconds(Path) → States.Timeout, HeartbeatSeconds(Path) → States.HeartbeatTimeout;
 * - the Context Object: Execution.Id/Input/Name/RoleArn/StartTime, StateMachine.Id/Name,
 *   State.Name/EnteredTime/RetryCount, Task.Token, Map.Item (see ./context-object);
 * - operations: StartExecution (name rules, see ./executions), StartSyncExecution (EXPRESS),
 *   DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory (state entered/exited,
 *   task failures, Map iterations, the execution's start and end), SendTaskSuccess,
 *   SendTaskFailure, SendTaskHeartbeat, DescribeStateMachine, ListStateMachines,
 *   DescribeStateMachineForExecution.
 *
 * Not emulated: JSONata and variables (such machines are reported at start and their executions
 * fail), distributed Map, activities, `.sync` integrations and the AWS SDK integrations (an
 * execution reaching one fails with States.Runtime naming it), versions and aliases, redrive,
 * creating or updating state machines through the API, logging and X-Ray, quotas. Express
 * executions are described and listed like standard ones (AWS only logs them).
 */
import { AwsServiceError, epochSeconds, optionalString, requiredString, startAwsJsonServer, type AwsJsonOperation, type JsonObject } from '../aws-json/aws-json-server';
import type { LambdaInvoker, LocalAssembly, LogSink, RunningService } from '../types';
import { Executions, type ExecutionDescription, type HistoryEvent } from './executions';
import { readStateMachines, type LocalStateMachine } from './state-machines';
import { createTaskIntegrations, type FifoSendOptions, type PutEventsTaskEntry } from './task-integrations';
import { TaskTokens } from './task-tokens';

export type { ExecutionDescription, ExecutionStatus, HistoryEvent } from './executions';
export type { FifoSendOptions, PutEventsTaskEntry } from './task-integrations';

export interface StepFunctionsDependencies {
  readonly lambda: LambdaInvoker;
  /** PutEvents on the local EventBridge (the events:putEvents integration). */
  putEvents(entries: readonly PutEventsTaskEntry[]): Promise<{ readonly FailedEntryCount: number; readonly Entries: readonly unknown[] }>;
  /** SendMessage to one of the app's queues, by ARN (the sqs:sendMessage integration); `fifo` only for FIFO queues. */
  sendToQueue(queueArn: string, body: string, fifo?: FifoSendOptions): Promise<void>;
  /** DynamoDB Local, for the dynamodb:* integrations. */
  readonly dynamoEndpoint: string;
  readonly log: LogSink;
  /** Defaults to a free port. */
  readonly port?: number;
  /** Milliseconds instead of what Wait states say, by state name (any machine): shortens demo waits. */
  readonly waitTimeOverridesMs?: Readonly<Record<string, number>>;
  /** Milliseconds instead of Retry backoffs, by state name (any machine); an array gives one per retrier. */
  readonly retryIntervalOverridesMs?: Readonly<Record<string, number | number[]>>;
  /** Runs the ASL validator on each definition at start and logs its objections (0.2-0.5 s per machine). Default false. */
  readonly validateDefinitions?: boolean;
}

export interface RunningStepFunctions extends RunningService {
  readonly endpoint: string;
  /** StartExecution in process; throws AwsServiceError (StateMachineDoesNotExist, ExecutionAlreadyExists, InvalidName, InvalidExecutionInput). */
  startExecution(stateMachineArn: string, input?: string, name?: string): Promise<{ executionArn: string; startDate: Date }>;
  /** Throws AwsServiceError ExecutionDoesNotExist. */
  describeExecution(executionArn: string): ExecutionDescription;
  /** Resolves once the execution has closed; rejects if it is still running after `timeoutMs`. */
  waitForExecution(executionArn: string, timeoutMs: number): Promise<ExecutionDescription>;
  /** The app's state machines, as loaded. */
  stateMachines(): readonly LocalStateMachine[];
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

// ------------------------------------------------------------ wire helpers

function optionalNumber(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must be a non-negative integer`);
  }
  return value;
}

function optionalBoolean(input: JsonObject, member: string): boolean | undefined {
  const value = input[member];
  return typeof value === 'boolean' ? value : undefined;
}

/** One page of `items` after the opaque `nextToken` (an offset). */
function paginate<T>(items: readonly T[], input: JsonObject): { page: T[]; nextToken?: string } {
  const maxResults = optionalNumber(input, 'maxResults') || DEFAULT_PAGE_SIZE;
  if (maxResults > MAX_PAGE_SIZE) {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`);
  }
  const token = optionalString(input, 'nextToken');
  let offset = 0;
  if (token !== undefined) {
    const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new AwsServiceError('InvalidToken', `Invalid Token: '${token}'`);
    offset = decoded;
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextToken: Buffer.from(String(next)).toString('base64url') } : { page };
}

function executionItem(description: ExecutionDescription): JsonObject {
  return {
    executionArn: description.executionArn,
    stateMachineArn: description.stateMachineArn,
    name: description.name,
    status: description.status,
    startDate: epochSeconds(description.startDate),
    ...(description.stopDate === undefined ? {} : { stopDate: epochSeconds(description.stopDate) }),
  };
}

function executionOutput(description: ExecutionDescription): JsonObject {
  return {
    ...executionItem(description),
    input: description.input,
    inputDetails: { included: true },
    ...(description.output === undefined ? {} : { output: description.output, outputDetails: { included: true } }),
    ...(description.error === undefined ? {} : { error: description.error }),
    ...(description.cause === undefined ? {} : { cause: description.cause }),
  };
}

function historyItem(event: HistoryEvent, includeExecutionData: boolean): JsonObject {
  let details = event.details?.value;
  if (details !== undefined && !includeExecutionData) {
    const { input: _input, output: _output, ...rest } = details;
    details = rest;
  }
  return {
    timestamp: epochSeconds(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
    ...(event.details === undefined ? {} : { [event.details.key]: details }),
  };
}

function stateMachineOutput(machine: LocalStateMachine): JsonObject {
  return {
    stateMachineArn: machine.arn,
    name: machine.name,
    status: 'ACTIVE',
    definition: machine.definitionText,
    roleArn: machine.roleArn,
    type: machine.type,
    creationDate: epochSeconds(machine.creationDate),
    loggingConfiguration: { level: 'OFF', includeExecutionData: false },
    tracingConfiguration: { enabled: false },
  };
}

/** SendTaskSuccess's output: JSON text. */
function parseTaskOutput(output: string): unknown {
  try {
    return JSON.parse(output);
  } catch {
    throw new AwsServiceError('InvalidOutput', "Invalid Output: 'the output is not valid JSON'");
  }
}

/** The callback pattern's operations: a worker settles (or keeps alive) the task holding its token. */
function taskTokenOperations(tokens: TaskTokens): Record<string, AwsJsonOperation> {
  return {
  SendTaskSuccess: (input) => {
    const token = requiredString(input, 'taskToken');
    tokens.succeed(token, parseTaskOutput(requiredString(input, 'output')));
    return {};
  },
  SendTaskFailure: (input) => {
    tokens.fail(requiredString(input, 'taskToken'), optionalString(input, 'error') ?? '', optionalString(input, 'cause') ?? '');
    return {};
  },
  SendTaskHeartbeat: (input) => {
    tokens.heartbeat(requiredString(input, 'taskToken'));
    return {};
  },
  };
}

function stateMachineOperations(executions: Executions): Record<string, AwsJsonOperation> {
  return {
  DescribeStateMachine: (input) => stateMachineOutput(executions.machine(requiredString(input, 'stateMachineArn'))),
  ListStateMachines: (input) => {
    const { page, nextToken } = paginate(executions.allMachines(), input);
    return {
      stateMachines: page.map((machine) => ({ stateMachineArn: machine.arn, name: machine.name, type: machine.type, creationDate: epochSeconds(machine.creationDate) })),
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  },
  };
}

// ------------------------------------------------------------ the service

export async function startStepFunctions(assembly: LocalAssembly, deps: StepFunctionsDependencies): Promise<RunningStepFunctions> {
  const { log } = deps;
  const machines = readStateMachines(assembly, {
    warn: (line) => log(`[stepfunctions] ${line}`),
    ...(deps.validateDefinitions === undefined ? {} : { validate: deps.validateDefinitions }),
  });
  const tokens = new TaskTokens();
  const integrations = createTaskIntegrations(assembly, deps);
  const executions = new Executions({
    machines,
    integrations,
    tokens,
    log,
    ...(deps.waitTimeOverridesMs === undefined ? {} : { waitTimeOverridesMs: deps.waitTimeOverridesMs }),
    ...(deps.retryIntervalOverridesMs === undefined ? {} : { retryIntervalOverridesMs: deps.retryIntervalOverridesMs }),
  });
  let stopped = false;

  const start = (input: JsonObject): ExecutionDescription => {
    if (stopped) throw new AwsServiceError('ServiceUnavailable', 'the local Step Functions service is stopped', 503);
    return executions.start(requiredString(input, 'stateMachineArn'), optionalString(input, 'input'), optionalString(input, 'name'));
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    log,
    ...(deps.port === undefined ? {} : { port: deps.port }),
    operations: {
      StartExecution: (input) => {
        const started = start(input);
        return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
      },
      StartSyncExecution: async (input) => {
        const machine = executions.machine(requiredString(input, 'stateMachineArn'));
        if (machine.type !== 'EXPRESS') {
          throw new AwsServiceError('StateMachineTypeNotSupported', `This operation is not supported by this type of state machine: '${machine.arn}' is ${machine.type}`);
        }
        const started = start(input);
        return executionOutput(await executions.waitFor(started.executionArn));
      },
      DescribeExecution: (input) => executionOutput(executions.describe(requiredString(input, 'executionArn'))),
      DescribeStateMachineForExecution: (input) => {
        const description = executions.describe(requiredString(input, 'executionArn'));
        const { stateMachineArn, name, definition, roleArn, loggingConfiguration, tracingConfiguration } = stateMachineOutput(executions.machine(description.stateMachineArn));
        return { stateMachineArn, name, definition, roleArn, updateDate: epochSeconds(description.startDate), loggingConfiguration, tracingConfiguration };
      },
      ListExecutions: (input) => {
        const all = executions.list(requiredString(input, 'stateMachineArn'), optionalString(input, 'statusFilter'));
        const { page, nextToken } = paginate(all, input);
        return { executions: page.map(executionItem), ...(nextToken === undefined ? {} : { nextToken }) };
      },
      StopExecution: (input) => {
        const stopDate = executions.stop(requiredString(input, 'executionArn'), optionalString(input, 'error'), optionalString(input, 'cause'));
        return { stopDate: epochSeconds(stopDate) };
      },
      GetExecutionHistory: (input) => {
        const events = [...executions.history(requiredString(input, 'executionArn'))];
        if (optionalBoolean(input, 'reverseOrder') === true) events.reverse();
        const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
        const { page, nextToken } = paginate(events, input);
        return { events: page.map((event) => historyItem(event, includeData)), ...(nextToken === undefined ? {} : { nextToken }) };
      },
      ...taskTokenOperations(tokens),
      ...stateMachineOperations(executions),
    },
  });
  log(`[stepfunctions] listening on ${server.endpoint} (${machines.length} state machine${machines.length === 1 ? '' : 's'})`);

  return {
    endpoint: server.endpoint,
    async startExecution(stateMachineArn, input, name) {
      const started = start({ stateMachineArn, ...(input === undefined ? {} : { input }), ...(name === undefined ? {} : { name }) });
      return { executionArn: started.executionArn, startDate: started.startDate };
    },
    describeExecution: (executionArn) => executions.describe(executionArn),
    waitForExecution: (executionArn, timeoutMs) => executions.waitFor(executionArn, timeoutMs),
    stateMachines: () => machines,
    async stop() {
      if (stopped) return;
      stopped = true;
      executions.stopAll('the local Step Functions service stopped');
      tokens.stop(new Error('the local Step Functions service stopped'));
      integrations.stop();
      await server.stop();
    },
  };
}
