/**
 * The saga starter's adapter: the execution is named after the order, joins the trace of the
 * invocation that starts it (the OrderPlaced event's, carried by the bus), and a name already
 * taken (a redelivered event, a Standard saga) is no error.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stepFunctionsSaga } from '../../../functions/orders/adapters/step-functions-saga';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:order-saga';
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const input = { orderId: 'o1', correlationId: 'c1' } as never;
const sfn = mockClient(SFNClient);
const started = () => sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:o1`, startDate: new Date() });
});
afterEach(() => {
  delete process.env._X_AMZN_TRACE_ID;
});

describe('stepFunctionsSaga', () => {
  it("starts the execution named after the order in the caller's trace", async () => {
    process.env._X_AMZN_TRACE_ID = TRACE;
    expect(await stepFunctionsSaga(ARN).start('o1', input)).toBe('started');
    expect(started()).toEqual([{ stateMachineArn: ARN, name: 'o1', input: JSON.stringify(input), traceHeader: TRACE }]);
  });

  it('starts it without a trace header outside a traced invocation', async () => {
    await stepFunctionsSaga(ARN).start('o1', input);
    expect(started()[0]?.traceHeader).toBeUndefined();
  });

  it('answers alreadyStarted when the name is taken', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'taken', $metadata: {} }));
    expect(await stepFunctionsSaga(ARN).start('o1', input)).toBe('alreadyStarted');
  });
});
