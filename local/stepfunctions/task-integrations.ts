/**
 * The Task resources a state machine can call locally, and what each returns or fails with.
 *
 * - a Lambda function ARN (the legacy form): the function's result is the task result; a function
 *   error fails the task with the function's `errorType` as Error and the error JSON as Cause;
 * - `arn:aws:states:::lambda:invoke`: Parameters FunctionName, Payload, InvocationType (Event runs
 *   it asynchronously, DryRun only checks it); result `{ExecutedVersion, Payload, SdkHttpMetadata,
 *   SdkResponseMetadata, StatusCode}`; function errors as above (a function timeout is then
 *   `Sandbox.Timedout`, as the Lambda runtime reports it); Lambda service errors are
 *   `Lambda.<Exception>` (`Lambda.ResourceNotFoundException`, `Lambda.ServiceException`);
 * - `arn:aws:states:::events:putEvents`: Entries with Detail as JSON or text, the execution and
 *   state machine ARNs appended to each entry's Resources; a non-zero FailedEntryCount fails the
 *   task with `EventBridge.FailedEntry`;
 * - `arn:aws:states:::sqs:sendMessage`: QueueUrl, MessageBody (JSON is serialized), MessageGroupId
 *   and MessageDeduplicationId for FIFO queues; result `{MD5OfMessageBody, MessageId, ...}`;
 * - `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`: the API's input and raw
 *   (marshalled) output; errors are `DynamoDB.<Exception>` (`DynamoDB.ConditionalCheckFailedException`).
 * `.waitForTaskToken` works with lambda:invoke, events:putEvents and sqs:sendMessage (AWS offers it
 * for none of the others). Any other resource (activities, `.sync`, AWS SDK integrations...) fails
 * the execution with States.Runtime naming the resource.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DeleteItemCommandInput, GetItemCommandInput, PutItemCommandInput, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';

import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb/local-dynamodb';
import type { LambdaInvoker, LocalAssembly } from '../types';
import { exceptionNameOf, messageOf, StatesRuntimeError, TaskFailure } from './task-errors';

export type IntegrationKind =
  | 'lambda:function'
  | 'lambda:invoke'
  | 'events:putEvents'
  | 'sqs:sendMessage'
  | 'dynamodb:getItem'
  | 'dynamodb:putItem'
  | 'dynamodb:updateItem'
  | 'dynamodb:deleteItem';

export type ResolvedResource =
  | { readonly ok: true; readonly kind: IntegrationKind; readonly waitForTaskToken: boolean }
  | { readonly ok: false; readonly reason: string };

/** An entry of the putEvents integration, as handed to EventBridge. */
export interface PutEventsTaskEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: string[];
  readonly Time?: string;
  readonly TraceHeader?: string;
}

export interface FifoSendOptions {
  readonly messageGroupId: string;
  readonly messageDeduplicationId?: string;
}

export interface IntegrationDependencies {
  readonly lambda: LambdaInvoker;
  putEvents(entries: readonly PutEventsTaskEntry[]): Promise<{ readonly FailedEntryCount: number; readonly Entries: readonly unknown[] }>;
  /** SendMessage to a queue of the app by ARN; `fifo` only for FIFO queues. */
  sendToQueue(queueArn: string, body: string, fifo?: FifoSendOptions): Promise<void>;
  readonly dynamoEndpoint: string;
}

export interface TaskCall {
  readonly kind: IntegrationKind;
  readonly resource: string;
  /** The state's effective input: Parameters (or the input) after InputPath. */
  readonly input: unknown;
  readonly executionArn: string;
  readonly stateMachineArn: string;
}

export interface TaskIntegrations {
  call(task: TaskCall): Promise<unknown>;
  stop(): void;
}

const LAMBDA_FUNCTION_ARN = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+(?::[\w$-]+)?$/;
const OPTIMIZED_INTEGRATION = /^arn:[\w-]+:states:::([\w-]+):(\w+)(\.waitForTaskToken|\.sync(?::2)?)?$/;
const CALLBACK_SERVICES = new Set(['lambda:invoke', 'events:putEvents', 'sqs:sendMessage']);
const REQUEST_RESPONSE_SERVICES = new Set<string>([...CALLBACK_SERVICES, 'dynamodb:getItem', 'dynamodb:putItem', 'dynamodb:updateItem', 'dynamodb:deleteItem']);

export function resolveResource(resource: string): ResolvedResource {
  if (LAMBDA_FUNCTION_ARN.test(resource)) return { ok: true, kind: 'lambda:function', waitForTaskToken: false };
  const match = OPTIMIZED_INTEGRATION.exec(resource);
  if (!match) return { ok: false, reason: `Task resource ${resource} is not emulated locally (only Lambda functions and the lambda, events, sqs and dynamodb integrations are)` };
  const api = `${match[1]}:${match[2]}`;
  const pattern = match[3];
  if (!REQUEST_RESPONSE_SERVICES.has(api)) return { ok: false, reason: `Task resource ${resource}: the ${api} integration is not emulated locally` };
  if (pattern !== undefined && pattern.startsWith('.sync')) return { ok: false, reason: `Task resource ${resource}: ${api} has no .sync pattern` };
  if (pattern === '.waitForTaskToken' && !CALLBACK_SERVICES.has(api)) {
    return { ok: false, reason: `Task resource ${resource}: ${api} has no .waitForTaskToken pattern on AWS` };
  }
  return { ok: true, kind: api as IntegrationKind, waitForTaskToken: pattern === '.waitForTaskToken' };
}

// ------------------------------------------------------------ helpers

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parametersOf(task: TaskCall): Record<string, unknown> {
  if (!isObject(task.input)) throw new StatesRuntimeError(`${task.resource} needs Parameters (an object); the state's input is ${JSON.stringify(task.input)}`);
  return task.input;
}

function requiredParameter(task: TaskCall, parameters: Record<string, unknown>, name: string): string {
  const value = parameters[name];
  if (typeof value !== 'string' || value === '') throw new StatesRuntimeError(`${task.resource}: the parameter ${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function optionalStringParameter(parameters: Record<string, unknown>, name: string): string | undefined {
  const value = parameters[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What the AWS Java SDK inside Step Functions adds to lambda:invoke and sqs:sendMessage results. */
function sdkMetadata(requestId: string, headers: Record<string, string>): Record<string, unknown> {
  const httpHeaders = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId, ...headers };
  return {
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(httpHeaders).map(([key, value]) => [key, [value]])), HttpHeaders: httpHeaders, HttpStatusCode: 200 },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** The Cause Step Functions gives a service exception, e.g. `... (Service: AWSLambda; Status Code: 404; Error Code: ...)`. */
function serviceCause(message: string, service: string, status: number, code: string): string {
  return `${message} (Service: ${service}; Status Code: ${status}; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`;
}

function httpStatusOf(error: unknown, fallback: number): number {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return fallback;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) return fallback;
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : fallback;
}

// ------------------------------------------------------------ integrations

/** Runs a function; its error becomes the task's failure as Step Functions names it. */
async function invokeFunction(deps: IntegrationDependencies, functionName: string, payload: unknown): Promise<unknown> {
  let outcome;
  try {
    outcome = await deps.lambda.invoke(functionName, payload);
  } catch (error) {
    const code = exceptionNameOf(error) ?? 'ServiceException';
    throw new TaskFailure(`Lambda.${code}`, serviceCause(messageOf(error), 'AWSLambda', code === 'ResourceNotFoundException' ? 404 : 500, code));
  }
  if (outcome.ok) return outcome.payload;
  // The function's own error: its errorType is the Error, the error document the Cause.
  const errorType = outcome.error.errorType === '' ? 'Lambda.Unknown' : outcome.error.errorType;
  throw new TaskFailure(errorType, JSON.stringify(outcome.error));
}

async function lambdaInvoke(deps: IntegrationDependencies, task: TaskCall): Promise<unknown> {
  const parameters = parametersOf(task);
  const functionName = requiredParameter(task, parameters, 'FunctionName');
  const payload = parameters.Payload ?? {};
  const invocationType = optionalStringParameter(parameters, 'InvocationType') ?? 'RequestResponse';
  const requestId = randomUUID();
  if (invocationType === 'Event' || invocationType === 'DryRun') {
    if (!deps.lambda.has(functionName)) {
      throw new TaskFailure('Lambda.ResourceNotFoundException', serviceCause(`Function not found: ${functionName}`, 'AWSLambda', 404, 'ResourceNotFoundException'));
    }
    if (invocationType === 'Event') deps.lambda.invokeAsync(functionName, payload);
    const status = invocationType === 'Event' ? 202 : 204;
    return { Payload: '', StatusCode: status, ...sdkMetadata(requestId, {}) };
  }
  const result = await invokeFunction(deps, functionName, payload);
  return {
    ExecutedVersion: '$LATEST',
    Payload: result,
    ...sdkMetadata(requestId, { 'X-Amz-Executed-Version': '$LATEST' }),
    StatusCode: 200,
  };
}

async function putEvents(deps: IntegrationDependencies, task: TaskCall): Promise<unknown> {
  const parameters = parametersOf(task);
  const entries = parameters.Entries;
  if (!Array.isArray(entries) || entries.length === 0) throw new StatesRuntimeError(`${task.resource}: Entries must be a non-empty array`);
  const requestEntries = entries.map((entry): PutEventsTaskEntry => {
    if (!isObject(entry)) throw new StatesRuntimeError(`${task.resource}: every entry of Entries must be an object`);
    const detail = entry.Detail;
    const resources = Array.isArray(entry.Resources) ? entry.Resources.filter((item): item is string => typeof item === 'string') : [];
    const time = optionalStringParameter(entry, 'Time');
    const traceHeader = optionalStringParameter(entry, 'TraceHeader');
    const source = optionalStringParameter(entry, 'Source');
    const detailType = optionalStringParameter(entry, 'DetailType');
    const eventBusName = optionalStringParameter(entry, 'EventBusName');
    return {
      ...(source === undefined ? {} : { Source: source }),
      ...(detailType === undefined ? {} : { DetailType: detailType }),
      // The optimized integration takes Detail as JSON and serializes it.
      ...(detail === undefined ? {} : { Detail: typeof detail === 'string' ? detail : JSON.stringify(detail) }),
      ...(eventBusName === undefined ? {} : { EventBusName: eventBusName }),
      Resources: [...resources, task.executionArn, task.stateMachineArn],
      ...(time === undefined ? {} : { Time: time }),
      ...(traceHeader === undefined ? {} : { TraceHeader: traceHeader }),
    };
  });
  let response;
  try {
    response = await deps.putEvents(requestEntries);
  } catch (error) {
    const code = exceptionNameOf(error) ?? 'AmazonEventBridgeException';
    throw new TaskFailure(`EventBridge.${code}`, serviceCause(messageOf(error), 'EventBridge', httpStatusOf(error, 400), code));
  }
  const result = { Entries: response.Entries, FailedEntryCount: response.FailedEntryCount };
  if (response.FailedEntryCount > 0) throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
  return result;
}

/** The queue's ARN from its URL: the app's queue with that URL, else `<region>:<account>:<last path segment>`. */
function queueArnOf(assembly: LocalAssembly, queueUrl: string): string {
  const resource = assembly.find(queueUrl);
  if (resource?.type === 'AWS::SQS::Queue' && resource.arn !== undefined) return resource.arn;
  const name = queueUrl.replace(/\/+$/, '').split('/').pop() ?? queueUrl;
  const partition = assembly.region.startsWith('cn-') ? 'aws-cn' : 'aws';
  return `arn:${partition}:sqs:${assembly.region}:${assembly.accountId}:${name}`;
}

async function sendMessage(assembly: LocalAssembly, deps: IntegrationDependencies, task: TaskCall): Promise<unknown> {
  const parameters = parametersOf(task);
  const queueUrl = requiredParameter(task, parameters, 'QueueUrl');
  const rawBody = parameters.MessageBody;
  if (rawBody === undefined) throw new StatesRuntimeError(`${task.resource}: the parameter MessageBody is required`);
  // A JSON MessageBody is sent as its serialization.
  const body = typeof rawBody === 'string' ? rawBody : JSON.stringify(rawBody);
  const messageGroupId = optionalStringParameter(parameters, 'MessageGroupId');
  const messageDeduplicationId = optionalStringParameter(parameters, 'MessageDeduplicationId');
  const fifo: FifoSendOptions | undefined =
    messageGroupId === undefined ? undefined : { messageGroupId, ...(messageDeduplicationId === undefined ? {} : { messageDeduplicationId }) };
  try {
    await deps.sendToQueue(queueArnOf(assembly, queueUrl), body, fifo);
  } catch (error) {
    const code = exceptionNameOf(error) ?? 'AmazonSQSException';
    throw new TaskFailure(`SQS.${code}`, serviceCause(messageOf(error), 'AmazonSQS', httpStatusOf(error, 400), code));
  }
  const requestId = randomUUID();
  return {
    MD5OfMessageBody: createHash('md5').update(body).digest('hex'),
    MessageId: randomUUID(),
    ...sdkMetadata(requestId, { 'Content-Type': 'text/xml' }),
  };
}

async function dynamoDb(dynamoClient: () => DynamoDBClient, task: TaskCall): Promise<unknown> {
  const parameters = parametersOf(task);
  const client = dynamoClient();
  let output: object;
  try {
    switch (task.kind) {
      case 'dynamodb:getItem':
        output = await client.send(new GetItemCommand(parameters as unknown as GetItemCommandInput));
        break;
      case 'dynamodb:putItem':
        output = await client.send(new PutItemCommand(parameters as unknown as PutItemCommandInput));
        break;
      case 'dynamodb:updateItem':
        output = await client.send(new UpdateItemCommand(parameters as unknown as UpdateItemCommandInput));
        break;
      default:
        output = await client.send(new DeleteItemCommand(parameters as unknown as DeleteItemCommandInput));
    }
  } catch (error) {
    const code = exceptionNameOf(error) ?? 'AmazonDynamoDBException';
    throw new TaskFailure(`DynamoDB.${code}`, serviceCause(messageOf(error), 'AmazonDynamoDBv2', httpStatusOf(error, 400), code));
  }
  // The raw response: what the SDK parsed, without its own bookkeeping.
  const { $metadata: _metadata, ...response } = output as Record<string, unknown>;
  return response;
}

export function createTaskIntegrations(assembly: LocalAssembly, deps: IntegrationDependencies): TaskIntegrations {
  let dynamo: DynamoDBClient | undefined;
  const dynamoClient = (): DynamoDBClient => {
    dynamo ??= new DynamoDBClient({ endpoint: deps.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    return dynamo;
  };

  return {
    async call(task: TaskCall): Promise<unknown> {
      switch (task.kind) {
        case 'lambda:function':
          return invokeFunction(deps, task.resource, task.input);
        case 'lambda:invoke':
          return lambdaInvoke(deps, task);
        case 'events:putEvents':
          return putEvents(deps, task);
        case 'sqs:sendMessage':
          return sendMessage(assembly, deps, task);
        case 'dynamodb:getItem':
        case 'dynamodb:putItem':
        case 'dynamodb:updateItem':
        case 'dynamodb:deleteItem':
          return dynamoDb(dynamoClient, task);
      }
    },
    stop(): void {
      dynamo?.destroy();
      dynamo = undefined;
    },
  };
}
