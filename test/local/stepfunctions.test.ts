import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb/local-dynamodb';
import {
  startStepFunctions,
  type FifoSendOptions,
  type PutEventsTaskEntry,
  type RunningStepFunctions,
  type StepFunctionsDependencies,
} from '../../local/stepfunctions/stepfunctions-service';
import type { InvokeResult, LambdaInvoker, LocalAssembly, LocalResource } from '../../local/types';
import { createLocalDynamoClient, createTestTable, dynamoEndpoint } from '../support/dynamodb';
import { assemblyOf as localAssembly } from '../support/local-assembly';

// ---------------------------------------------------------------- fixtures

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const STACK = 'commerce-test-orders';
const arn = (service: string, resource: string): string => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const fn = (name: string): string => arn('lambda', `function:${name}`);
const machineArn = (name: string): string => arn('states', `stateMachine:${name}`);

const QUEUE_URL = `http://127.0.0.1:9324/${ACCOUNT}/approvals`;
const QUEUE_ARN = arn('sqs', 'approvals');
const WAIT_FOREVER_SECONDS = 3600;

type Definition = Record<string, unknown>;
type FakeFunction = (payload: unknown, call: number) => Promise<InvokeResult> | InvokeResult;

/** A LambdaInvoker whose functions are in-test closures; every invocation is recorded. */
class FakeLambda implements LambdaInvoker {
  readonly invocations: { name: string; payload: unknown; at: number }[] = [];

  constructor(private readonly functions: Readonly<Record<string, FakeFunction>>) {}

  private nameOf(functionNameOrArn: string): string {
    return functionNameOrArn.startsWith('arn:') ? (functionNameOrArn.split(':')[6] ?? '') : functionNameOrArn;
  }

  has(functionNameOrArn: string): boolean {
    return this.functions[this.nameOf(functionNameOrArn)] !== undefined;
  }

  async invoke(functionNameOrArn: string, payload: unknown): Promise<InvokeResult> {
    const name = this.nameOf(functionNameOrArn);
    const implementation = this.functions[name];
    if (!implementation) throw Object.assign(new Error(`Function not found: ${functionNameOrArn}`), { name: 'ResourceNotFoundException' });
    const call = this.invocations.filter((invocation) => invocation.name === name).length + 1;
    this.invocations.push({ name, payload, at: Date.now() });
    return implementation(payload, call);
  }

  invokeAsync(functionNameOrArn: string, payload: unknown): void {
    void this.invoke(functionNameOrArn, payload);
  }

  calls(name: string): { payload: unknown; at: number }[] {
    return this.invocations.filter((invocation) => invocation.name === name);
  }
}

const ok = (payload: unknown): InvokeResult => ({ ok: true, payload });
const fails = (errorType: string, errorMessage: string): InvokeResult => ({ ok: false, error: { errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`] } });

function lambdaInvoke(functionName: string, extra: Definition = {}): Definition {
  return { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: fn(functionName), 'Payload.$': '$' }, ...extra };
}

function machine(name: string, definition: Definition, properties: Record<string, unknown> = {}): LocalResource {
  return {
    stackName: STACK,
    logicalId: name,
    type: 'AWS::StepFunctions::StateMachine',
    ref: machineArn(name),
    arn: machineArn(name),
    properties: { DefinitionString: JSON.stringify(definition), RoleArn: arn('iam', `role/${name}Role`).replace(`:${REGION}:`, '::'), ...properties },
    metadata: {},
  };
}

function assemblyOf(resources: readonly LocalResource[]): LocalAssembly {
  return localAssembly(resources, { region: REGION, accountId: ACCOUNT });
}

function machines(tableName: string): LocalResource[] {
  return [
    machine('OrderFlow', {
      StartAt: 'Reserve',
      States: {
        Reserve: lambdaInvoke('reserve', { ResultSelector: { 'reservation.$': '$.Payload' }, ResultPath: '$.reserve', Next: 'Charge' }),
        Charge: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: fn('charge'),
            Payload: { 'amount.$': '$.amount', 'execution.$': '$$.Execution.Name', 'state.$': '$$.State.Name', 'machine.$': '$$.StateMachine.Name' },
          },
          ResultSelector: { 'charged.$': '$.Payload.charged', 'status.$': '$.StatusCode', 'version.$': '$.ExecutedVersion' },
          ResultPath: '$.charge',
          End: true,
        },
      },
    }),
    machine('RetryFlow', {
      StartAt: 'Pay',
      States: {
        Pay: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('flaky-payment'), Payload: { 'retry.$': '$$.State.RetryCount', 'entered.$': '$$.State.EnteredTime' } },
          Retry: [{ ErrorEquals: ['PaymentUnavailable'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 2, MaxDelaySeconds: 1 }],
          OutputPath: '$.Payload',
          End: true,
        },
      },
    }),
    machine('CompensateFlow', {
      StartAt: 'ChargeCard',
      States: {
        ChargeCard: lambdaInvoke('always-declines', {
          Retry: [{ ErrorEquals: ['PaymentUnavailable'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['PaymentUnavailable'], ResultPath: '$.error', Next: 'ReleaseStock' }],
          Next: 'Done',
        }),
        // The legacy form: a function ARN as the resource, its result as the task result.
        ReleaseStock: { Type: 'Task', Resource: fn('release'), ResultPath: '$.released', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    }),
    machine('DeclineFlow', {
      StartAt: 'TryCard',
      States: { TryCard: lambdaInvoke('always-declines', { Retry: [{ ErrorEquals: ['PaymentUnavailable'], IntervalSeconds: 1, MaxAttempts: 3 }], End: true }) },
    }),
    machine('ChoiceFlow', {
      StartAt: 'Route',
      States: {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.total', NumericGreaterThan: 100, Next: 'Review' }], Default: 'AutoApprove' },
        Review: { Type: 'Pass', Result: 'manual', ResultPath: '$.decision', End: true },
        AutoApprove: { Type: 'Pass', Result: 'auto', ResultPath: '$.decision', End: true },
      },
    }),
    machine('TimeoutFlow', {
      StartAt: 'CallSlowService',
      States: {
        CallSlowService: lambdaInvoke('hangs', {
          TimeoutSeconds: 1,
          // States.TaskFailed matches everything but States.Timeout: the timeout is not retried.
          Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 3 }],
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'GaveUp' }],
          End: true,
        }),
        GaveUp: { Type: 'Pass', End: true },
      },
    }),
    machine('ApprovalFlow', {
      StartAt: 'AskApproval',
      States: {
        AskApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: QUEUE_URL, MessageBody: { 'token.$': '$$.Task.Token', 'orderId.$': '$.orderId' } },
          ResultPath: '$.approval',
          Catch: [{ ErrorEquals: ['Rejected'], ResultPath: '$.rejection', Next: 'Rejected' }],
          Next: 'Approved',
        },
        Approved: { Type: 'Pass', End: true },
        Rejected: { Type: 'Pass', End: true },
      },
    }),
    machine('HeartbeatFlow', {
      StartAt: 'AskApproval',
      States: {
        AskApproval: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: fn('notify'), Payload: { 'token.$': '$$.Task.Token' } },
          HeartbeatSeconds: 1,
          End: true,
        },
      },
    }),
    machine('PublishFlow', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'commerce.orders', DetailType: 'OrderPlaced', EventBusName: 'commerce-dev', Detail: { 'orderId.$': '$.orderId' } }] },
          ResultPath: '$.published',
          Next: 'Enqueue',
        },
        Enqueue: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage',
          Parameters: { QueueUrl: QUEUE_URL, 'MessageBody.$': '$' },
          ResultSelector: { 'md5.$': '$.MD5OfMessageBody' },
          ResultPath: '$.enqueued',
          End: true,
        },
      },
    }),
    machine('RejectedPublishFlow', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'refused', DetailType: 'Nope', Detail: {} }] },
          End: true,
        },
      },
    }),
    machine('UnsupportedFlow', {
      StartAt: 'ReadObject',
      States: {
        ReadObject: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          Parameters: { Bucket: 'b', Key: 'k' },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Recovered' }],
          End: true,
        },
        Recovered: { Type: 'Pass', End: true },
      },
    }),
    machine('TableFlow', {
      StartAt: 'PutOrder',
      States: {
        PutOrder: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: tableName, Item: { pk: { 'S.$': '$.orderId' }, sk: { S: 'ORDER' }, total: { 'N.$': "States.Format('{}', $.total)" } } },
          ResultPath: null,
          Next: 'GetOrder',
        },
        GetOrder: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:getItem',
          Parameters: { TableName: tableName, Key: { pk: { 'S.$': '$.orderId' }, sk: { S: 'ORDER' } } },
          ResultPath: '$.stored',
          Next: 'CreateAgain',
        },
        CreateAgain: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: tableName, Item: { pk: { 'S.$': '$.orderId' }, sk: { S: 'ORDER' } }, ConditionExpression: 'attribute_not_exists(pk)' },
          Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.duplicate', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    }),
    machine('ContextFlow', {
      StartAt: 'EachItem',
      States: {
        EachItem: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: {
            StartAt: 'Describe',
            States: {
              Describe: {
                Type: 'Pass',
                Parameters: { 'value.$': '$.value', 'executionInput.$': '$$.Execution.Input', 'state.$': '$$.State.Name', 'id.$': '$$.Execution.Id' },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    }),
    machine('ExpressFlow', { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }, { StateMachineType: 'EXPRESS' }),
    machine('JsonataFlow', { QueryLanguage: 'JSONata', StartAt: 'Echo', States: { Echo: { Type: 'Pass', Output: '{% $states.input %}', End: true } } }),
    machine('WaitFlow', { StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: WAIT_FOREVER_SECONDS, End: true } } }),
    {
      stackName: STACK,
      logicalId: 'ApprovalsQueue',
      type: 'AWS::SQS::Queue',
      ref: QUEUE_URL,
      arn: QUEUE_ARN,
      properties: {},
      metadata: {},
    },
  ];
}

const functions: Record<string, FakeFunction> = {
  reserve: (payload) => ok({ reserved: true, order: payload }),
  charge: (payload) => ok({ charged: (payload as { amount: number }).amount, seen: payload }),
  'flaky-payment': (payload, call) => (call === 1 ? fails('PaymentUnavailable', 'gateway down') : ok({ paid: true, seen: payload })),
  'always-declines': () => fails('PaymentUnavailable', 'card declined'),
  release: (payload) => ok({ releasedFor: (payload as { orderId: string }).orderId }),
  hangs: () => new Promise<InvokeResult>(() => undefined),
  notify: () => ok({ notified: true }),
};

interface Harness {
  readonly service: RunningStepFunctions;
  readonly client: SFNClient;
  readonly lambda: FakeLambda;
  readonly events: PutEventsTaskEntry[][];
  readonly messages: { queueArn: string; body: string; fifo?: FifoSendOptions }[];
  readonly log: string[];
  /** The next message sent to a queue (already sent ones first). */
  nextMessage(): Promise<{ queueArn: string; body: string }>;
}

async function startHarness(tableName: string, overrides: Partial<StepFunctionsDependencies> = {}): Promise<Harness> {
  const lambda = new FakeLambda(functions);
  const events: PutEventsTaskEntry[][] = [];
  const messages: Harness['messages'] = [];
  const log: string[] = [];
  let delivered = 0;
  const waiting: ((message: { queueArn: string; body: string }) => void)[] = [];
  const service = await startStepFunctions(assemblyOf(machines(tableName)), {
    lambda,
    putEvents: async (entries) => {
      events.push([...entries]);
      const failed = entries.filter((entry) => entry.Source === 'refused').length;
      return {
        FailedEntryCount: failed,
        Entries: entries.map((entry, index) => (entry.Source === 'refused' ? { ErrorCode: 'InvalidArgument', ErrorMessage: 'refused' } : { EventId: `event-${index}` })),
      };
    },
    sendToQueue: async (queueArn, body, fifo) => {
      const message = { queueArn, body, ...(fifo === undefined ? {} : { fifo }) };
      messages.push(message);
      const waiter = waiting.shift();
      if (waiter) {
        delivered += 1;
        waiter(message);
      }
    },
    dynamoEndpoint: dynamoEndpoint(),
    log: (line) => log.push(line),
    retryIntervalOverridesMs: { ChargeCard: 20 },
    ...overrides,
  });
  const client = new SFNClient({ endpoint: service.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return {
    service,
    client,
    lambda,
    events,
    messages,
    log,
    nextMessage: () => {
      const ready = messages[delivered];
      if (ready) {
        delivered += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}

/** Starts an execution over the API and waits for it to close. */
async function run(harness: Harness, machineName: string, input: unknown, name?: string) {
  const started = await harness.client.send(
    new StartExecutionCommand({ stateMachineArn: machineArn(machineName), input: JSON.stringify(input), ...(name === undefined ? {} : { name }) }),
  );
  const executionArn = started.executionArn ?? '';
  await harness.service.waitForExecution(executionArn, 10_000);
  const described = await harness.client.send(new DescribeExecutionCommand({ executionArn }));
  return { executionArn, described, output: described.output === undefined ? undefined : (JSON.parse(described.output) as Record<string, unknown>) };
}

/** Polls `condition` every 10 ms for at most `timeoutMs`. */
async function eventually(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function tokenOf(body: string): string {
  return (JSON.parse(body) as { token: string }).token;
}

// ---------------------------------------------------------------- tests

describe('local Step Functions', () => {
  let harness: Harness;
  let tableName: string;

  beforeAll(async () => {
    tableName = await createTestTable(createLocalDynamoClient(), { prefix: 'sfn' });
    harness = await startHarness(tableName);
  });

  afterAll(async () => {
    harness.client.destroy();
    await harness.service.stop();
  });

  it('runs two lambda:invoke tasks: Payload.$, ResultSelector, ResultPath and the Context Object', async () => {
    const { described, output, executionArn } = await run(harness, 'OrderFlow', { orderId: 'o-1', amount: 42 }, 'order-o-1');

    expect(described.status).toBe('SUCCEEDED');
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? Infinity);
    expect(output).toEqual({
      orderId: 'o-1',
      amount: 42,
      reserve: { reservation: { reserved: true, order: { orderId: 'o-1', amount: 42 } } },
      charge: { charged: 42, status: 200, version: '$LATEST' },
    });
    expect(harness.lambda.calls('charge')[0]?.payload).toEqual({ amount: 42, execution: 'order-o-1', state: 'Charge', machine: 'OrderFlow' });
    expect(executionArn).toBe(arn('states', 'execution:OrderFlow:order-o-1'));
    expect(harness.log).toContainEqual(expect.stringMatching(/^\[stepfunctions\] OrderFlow\/order-o-1 SUCCEEDED in \d+ ms$/));

    const history = await harness.client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(history.events?.[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Reserve', input: JSON.stringify({ orderId: 'o-1', amount: 42 }) });
    expect(history.events?.[5]?.executionSucceededEventDetails?.output).toBe(described.output);
  });

  it('retries a typed Lambda error with backoff, counting $$.State.RetryCount', async () => {
    const { described, output } = await run(harness, 'RetryFlow', { orderId: 'o-2' });

    expect(described.status).toBe('SUCCEEDED');
    const calls = harness.lambda.calls('flaky-payment');
    expect(calls).toHaveLength(2);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    const [first, second] = calls.map((call) => call.payload as { retry: number; entered: string });
    expect(first?.retry).toBe(0);
    expect(second?.retry).toBe(1);
    // The state was entered once: a retry keeps its EnteredTime.
    expect(second?.entered).toBe(first?.entered);
    expect(output).toEqual({ paid: true, seen: { retry: 1, entered: first?.entered } });
  });

  it('catches a typed error once retries are exhausted, keeping the input through ResultPath', async () => {
    const { described, output, executionArn } = await run(harness, 'CompensateFlow', { orderId: 'o-3', amount: 7 });

    expect(described.status).toBe('SUCCEEDED');
    expect(harness.lambda.calls('always-declines')).toHaveLength(3);
    expect(output).toMatchObject({ orderId: 'o-3', amount: 7, error: { Error: 'PaymentUnavailable' }, released: { releasedFor: 'o-3' } });
    // The Cause is the function's error document, as the Lambda integration reports it.
    expect(JSON.parse((output?.error as { Cause: string }).Cause)).toEqual({ errorType: 'PaymentUnavailable', errorMessage: 'card declined', trace: ['PaymentUnavailable: card declined'] });
    expect(harness.lambda.calls('release')[0]?.payload).toMatchObject({ orderId: 'o-3', amount: 7, error: { Error: 'PaymentUnavailable' } });

    const history = await harness.client.send(new GetExecutionHistoryCommand({ executionArn }));
    const failures = history.events?.filter((event) => event.type === 'TaskFailed') ?? [];
    expect(failures).toHaveLength(3);
    expect(failures[0]?.taskFailedEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke', error: 'PaymentUnavailable' });
  });

  it('branches on a Choice', async () => {
    const big = await run(harness, 'ChoiceFlow', { total: 250 });
    const small = await run(harness, 'ChoiceFlow', { total: 20 });

    expect(big.output).toEqual({ total: 250, decision: 'manual' });
    expect(small.output).toEqual({ total: 20, decision: 'auto' });
  });

  it('times a hanging task out with States.Timeout, which States.TaskFailed does not retry', async () => {
    const started = Date.now();
    const { described, output } = await run(harness, 'TimeoutFlow', { orderId: 'o-4' });

    expect(described.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(harness.lambda.calls('hangs')).toHaveLength(1);
    expect(output).toMatchObject({ orderId: 'o-4', timeout: { Error: 'States.Timeout' } });
  });

  it('waits for a task token: SendTaskSuccess resumes with its output, SendTaskFailure fails the task', async () => {
    const approved = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('ApprovalFlow'), input: '{"orderId":"o-5"}' }));
    const approvalMessage = await harness.nextMessage();
    expect(approvalMessage.queueArn).toBe(QUEUE_ARN);
    const approvalToken = tokenOf(approvalMessage.body);
    expect(JSON.parse(approvalMessage.body)).toMatchObject({ orderId: 'o-5' });
    expect(harness.service.describeExecution(approved.executionArn ?? '').status).toBe('RUNNING');

    await harness.client.send(new SendTaskHeartbeatCommand({ taskToken: approvalToken }));
    await harness.client.send(new SendTaskSuccessCommand({ taskToken: approvalToken, output: JSON.stringify({ approvedBy: 'ops' }) }));
    const done = await harness.service.waitForExecution(approved.executionArn ?? '', 5_000);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? 'null')).toEqual({ orderId: 'o-5', approval: { approvedBy: 'ops' } });

    // The task is over: its token is spent.
    await expect(harness.client.send(new SendTaskSuccessCommand({ taskToken: approvalToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    await expect(harness.client.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' }))).rejects.toBeInstanceOf(InvalidToken);

    const rejected = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('ApprovalFlow'), input: '{"orderId":"o-6"}' }));
    const rejectionToken = tokenOf((await harness.nextMessage()).body);
    await harness.client.send(new SendTaskFailureCommand({ taskToken: rejectionToken, error: 'Rejected', cause: 'out of stock' }));
    const caught = await harness.service.waitForExecution(rejected.executionArn ?? '', 5_000);
    expect(caught.status).toBe('SUCCEEDED');
    expect(JSON.parse(caught.output ?? 'null')).toEqual({ orderId: 'o-6', rejection: { Error: 'Rejected', Cause: 'out of stock' } });
  });

  it('fails a callback task that sends no heartbeat within HeartbeatSeconds', async () => {
    const { described } = await run(harness, 'HeartbeatFlow', {});

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.HeartbeatTimeout');
    const token = (harness.lambda.calls('notify')[0]?.payload as { token: string }).token;
    await expect(harness.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('publishes through events:putEvents and sqs:sendMessage', async () => {
    const before = harness.messages.length;
    const { described, output, executionArn } = await run(harness, 'PublishFlow', { orderId: 'o-7' });

    expect(described.status).toBe('SUCCEEDED');
    expect(harness.events.at(-1)).toEqual([
      {
        Source: 'commerce.orders',
        DetailType: 'OrderPlaced',
        EventBusName: 'commerce-dev',
        Detail: JSON.stringify({ orderId: 'o-7' }),
        Resources: [executionArn, machineArn('PublishFlow')],
      },
    ]);
    const message = harness.messages[before];
    expect(message?.queueArn).toBe(QUEUE_ARN);
    expect(JSON.parse(message?.body ?? 'null')).toEqual({ orderId: 'o-7', published: { Entries: [{ EventId: 'event-0' }], FailedEntryCount: 0 } });
    expect(output?.enqueued).toEqual({ md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // The message was consumed here; keep nextMessage() in step.
    await harness.nextMessage();

    const refused = await run(harness, 'RejectedPublishFlow', {});
    expect(refused.described.status).toBe('FAILED');
    expect(refused.described.error).toBe('EventBridge.FailedEntry');
  });

  it('reads and writes DynamoDB items with the marshalled shapes of the API', async () => {
    const { described, output } = await run(harness, 'TableFlow', { orderId: 'o-8', total: 12.5 });

    expect(described.status).toBe('SUCCEEDED');
    expect(output?.stored).toEqual({ Item: { pk: { S: 'o-8' }, sk: { S: 'ORDER' }, total: { N: '12.5' } } });
    expect(output?.duplicate).toMatchObject({ Error: 'DynamoDB.ConditionalCheckFailedException' });
  });

  it('gives Map iterations $$.Map.Item and the execution-wide $$.Execution.Input', async () => {
    const input = { items: ['a', 'b'] };
    const { output, executionArn } = await run(harness, 'ContextFlow', input);

    expect(output).toEqual([
      { value: 'a', executionInput: input, state: 'Describe', id: executionArn },
      { value: 'b', executionInput: input, state: 'Describe', id: executionArn },
    ]);
  });

  it('fails an execution that reaches an integration it does not emulate, whatever its Catch', async () => {
    const { described } = await run(harness, 'UnsupportedFlow', {});

    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toContain('arn:aws:states:::aws-sdk:s3:getObject');
    expect(harness.log).toContainEqual(expect.stringContaining('state ReadObject: Task resource arn:aws:states:::aws-sdk:s3:getObject'));
  });

  it('fails at once the executions of a machine it cannot run (JSONata), saying why', async () => {
    const { described } = await run(harness, 'JsonataFlow', {});

    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(described.cause).toContain('JSONata');
    expect(harness.log).toContainEqual(expect.stringContaining('state machine JsonataFlow (commerce-test-orders/JsonataFlow) cannot run locally'));
  });

  it('runs EXPRESS machines synchronously with StartSyncExecution', async () => {
    // StartSyncExecution's endpoint has the host prefix `sync-`, which a local endpoint cannot take.
    const client = new SFNClient({ endpoint: harness.service.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, disableHostPrefix: true });
    try {
      const result = await client.send(new StartSyncExecutionCommand({ stateMachineArn: machineArn('ExpressFlow'), input: '{"ping":1}' }));
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"ping":1}' });
      expect(result.executionArn).toMatch(new RegExp(`^${arn('states', 'express:ExpressFlow:')}[\\w-]+:[\\w-]+$`));
    } finally {
      client.destroy();
    }
  });

  it('keeps execution names unique: same name and input is the same execution, other input or a closed one is ExecutionAlreadyExists', async () => {
    const request = { stateMachineArn: machineArn('ApprovalFlow'), name: 'approve-o-9', input: '{"orderId":"o-9"}' };
    const first = await harness.client.send(new StartExecutionCommand(request));
    const again = await harness.client.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate?.getTime()).toBe(first.startDate?.getTime());
    await expect(harness.client.send(new StartExecutionCommand({ ...request, input: '{"orderId":"other"}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await harness.nextMessage();

    const stopped = await harness.client.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'Cancelled', cause: 'customer cancelled' }));
    expect(stopped.stopDate).toBeInstanceOf(Date);
    const aborted = await harness.client.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
    expect(aborted).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'customer cancelled' });
    await expect(harness.client.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);

    await expect(harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('Nope') }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(harness.client.send(new DescribeExecutionCommand({ executionArn: arn('states', 'execution:OrderFlow:nope') }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('StopExecution during a retry backoff: the task is not attempted again', async () => {
    const before = harness.lambda.calls('always-declines').length;
    const started = await harness.client.send(new StartExecutionCommand({ stateMachineArn: machineArn('DeclineFlow'), input: '{}' }));
    await eventually(() => harness.lambda.calls('always-declines').length === before + 1);

    await harness.client.send(new StopExecutionCommand({ executionArn: started.executionArn }));
    await new Promise((resolve) => setTimeout(resolve, 1_200));

    expect(harness.service.describeExecution(started.executionArn ?? '').status).toBe('ABORTED');
    expect(harness.lambda.calls('always-declines')).toHaveLength(before + 1);
  });

  it('lists executions newest first, by status, a page at a time', async () => {
    const first = await run(harness, 'ChoiceFlow', { total: 1 }, 'list-1');
    const second = await run(harness, 'ChoiceFlow', { total: 2 }, 'list-2');

    const all = await harness.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('ChoiceFlow') }));
    const names = all.executions?.map((execution) => execution.name) ?? [];
    expect(names.indexOf('list-2')).toBeLessThan(names.indexOf('list-1'));
    expect(all.executions?.find((execution) => execution.name === 'list-1')).toMatchObject({ executionArn: first.executionArn, status: 'SUCCEEDED' });

    const page = await harness.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('ChoiceFlow'), maxResults: 1 }));
    expect(page.executions?.map((execution) => execution.executionArn)).toEqual([second.executionArn]);
    const nextPage = await harness.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('ChoiceFlow'), maxResults: 1, nextToken: page.nextToken }));
    expect(nextPage.executions?.map((execution) => execution.executionArn)).toEqual([first.executionArn]);

    const failed = await harness.client.send(new ListExecutionsCommand({ stateMachineArn: machineArn('ChoiceFlow'), statusFilter: 'FAILED' }));
    expect(failed.executions).toEqual([]);

    const machinesList = await harness.client.send(new ListStateMachinesCommand({}));
    expect(machinesList.stateMachines?.map((item) => item.name)).toContain('ExpressFlow');
    const described = await harness.client.send(new DescribeStateMachineCommand({ stateMachineArn: machineArn('ExpressFlow') }));
    expect(described).toMatchObject({ name: 'ExpressFlow', type: 'EXPRESS', status: 'ACTIVE' });
    expect(JSON.parse(described.definition ?? '{}')).toMatchObject({ StartAt: 'Echo' });
  });

  it('stop() aborts running executions and leaves no server or timer behind', async () => {
    const baseline = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const local = await startHarness(tableName);
    const waiting = await local.service.startExecution(machineArn('WaitFlow'), '{}');
    const callback = await local.service.startExecution(machineArn('ApprovalFlow'), '{"orderId":"o-10"}');
    const hanging = await local.service.startExecution(machineArn('TimeoutFlow'), '{}');
    await local.nextMessage();
    expect(local.service.describeExecution(waiting.executionArn).status).toBe('RUNNING');

    local.client.destroy();
    await local.service.stop();

    for (const { executionArn } of [waiting, callback, hanging]) {
      expect(local.service.describeExecution(executionArn)).toMatchObject({ status: 'ABORTED', cause: 'the local Step Functions service stopped' });
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length).toBeLessThanOrEqual(baseline);
    await expect(fetch(local.service.endpoint)).rejects.toThrow();
  });
});
