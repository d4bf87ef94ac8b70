/**
 * A function killed by its own timeout, as the offline Step Functions sees it: the Lambda service
 * reports it as AWS Lambda does (`Sandbox.Timedout`), and a Task that invokes the function by its
 * ARN (as every saga task does) fails with that very error name, which its Retry and Catch select.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLambdaService, type LambdaService } from '../../local/lambda/lambda-service';
import { startStepFunctions, type RunningStepFunctions } from '../../local/stepfunctions/stepfunctions-service';
import type { LocalResource } from '../../local/types';
import { dynamoEndpoint } from '../support/dynamodb';
import { assemblyOf } from '../support/local-assembly';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const STACK = 'commerce-test-orders';
const FUNCTION = `${STACK}-ReserveStock-LOCAL`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}`;
const MACHINE_ARN = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:OrderSaga`;

/** Hangs until its 1-second timeout kills it, however often it is invoked. */
const HANGS = 'exports.handler = () => new Promise(() => {});';

function resources(root: string): LocalResource[] {
  mkdirSync(path.join(root, 'asset.ReserveStock'), { recursive: true });
  writeFileSync(path.join(root, 'asset.ReserveStock', 'index.js'), HANGS);
  const definition = {
    StartAt: 'ReserveStock',
    States: {
      ReserveStock: {
        Type: 'Task',
        Resource: FUNCTION_ARN,
        Parameters: { 'orderId.$': '$.orderId' },
        ResultPath: '$.reservation',
        TimeoutSeconds: 30,
        Retry: [{ ErrorEquals: ['Sandbox.Timedout'], IntervalSeconds: 1, MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['Sandbox.Timedout'], ResultPath: '$.failure', Next: 'Compensate' }],
        End: true,
      },
      Compensate: { Type: 'Pass', End: true },
    },
  };
  return [
    {
      stackName: STACK, logicalId: 'ReserveStock', type: 'AWS::Lambda::Function', ref: FUNCTION, arn: FUNCTION_ARN,
      properties: { Handler: 'index.handler', Runtime: 'nodejs24.x', MemorySize: 128, Timeout: 1 },
      metadata: { 'aws:asset:path': 'asset.ReserveStock', 'aws:asset:property': 'Code' },
    },
    {
      stackName: STACK, logicalId: 'OrderSaga', type: 'AWS::StepFunctions::StateMachine', ref: MACHINE_ARN, arn: MACHINE_ARN,
      properties: { DefinitionString: JSON.stringify(definition), RoleArn: `arn:aws:iam::${ACCOUNT}:role/OrderSagaRole` },
      metadata: {},
    },
  ];
}

describe('a Lambda timeout, seen by the offline Step Functions', () => {
  let root: string;
  let lambda: LambdaService;
  let stepFunctions: RunningStepFunctions;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lambda-timeout-sfn-'));
    const assembly = assemblyOf(resources(root), { region: REGION, accountId: ACCOUNT, directory: root });
    lambda = await startLambdaService(assembly, { endpoints: {}, log: () => undefined, quiet: true });
    stepFunctions = await startStepFunctions(assembly, {
      lambda,
      putEvents: async () => ({ FailedEntryCount: 0, Entries: [] }),
      sendToQueue: async () => undefined,
      dynamoEndpoint: dynamoEndpoint(),
      log: () => undefined,
      retryIntervalOverridesMs: { ReserveStock: 10 },
    });
  });

  afterAll(async () => {
    await stepFunctions.stop();
    await lambda.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('fails the task with Sandbox.Timedout, as on AWS: its Retry runs it again and its Catch takes it', async () => {
    const { executionArn } = await stepFunctions.startExecution(MACHINE_ARN, JSON.stringify({ orderId: 'o-1' }), 'o-1');
    const described = await stepFunctions.waitForExecution(executionArn, 15_000);
    expect(described.status).toBe('SUCCEEDED');
    // Two attempts of a second each: the Retry selected the error.
    expect(described.stopDate!.getTime() - described.startDate.getTime()).toBeGreaterThanOrEqual(2000);
    const output = JSON.parse(described.output!) as { failure: { Error: string; Cause: string } };
    expect(output.failure.Error).toBe('Sandbox.Timedout');
    expect(JSON.parse(output.failure.Cause)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
  }, 20_000);
});
