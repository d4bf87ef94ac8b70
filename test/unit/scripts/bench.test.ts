import { describe, expect, it } from 'vitest';
import { ASSUMPTIONS, footprintOf, priceFootprint } from '../../../scripts/bench/cost-footprint';
import type { CountedRequest } from '../../../scripts/bench/cost-dynamo-proxy';
import { itemSize, transactionReadUnits, transactionWriteUnits, type AttributeMap } from '../../../scripts/bench/cost-item-size';
import type { ConsoleRecord } from '../../../scripts/bench/cost-measure';
import { countOrder, happyPath } from '../../../scripts/bench/cost-model';
import { parseBenchArgs } from '../../../scripts/bench/main';
import { PRICES } from '../../../scripts/bench/prices';
import { percentile, ratio, table } from '../../../scripts/bench/stats';
import { assemblyOf } from '../../support/local-assembly';
import type { LocalResource } from '../../../local/types';

describe('npm run bench arguments', () => {
  it('runs every part by default, or the parts named', () => {
    expect(parseBenchArgs([]).parts).toEqual(['init', 'load', 'startup', 'cost']);
    expect(parseBenchArgs(['cost', 'init', '--runs', '3'])).toEqual({ parts: ['cost', 'init'], runs: 3, seconds: 15 });
  });

  it('takes a baseline revision to measure beside this tree', () => {
    expect(parseBenchArgs(['load', '--baseline', '37c6d61'])).toEqual({ parts: ['load'], runs: 5, seconds: 15, baseline: '37c6d61' });
  });

  it('rejects an unknown part and a bad count', () => {
    expect(() => parseBenchArgs(['bundles'])).toThrow(/unknown part\(s\) bundles/);
    expect(() => parseBenchArgs(['--runs', '0'])).toThrow(/--runs/);
    expect(() => parseBenchArgs(['--seconds', 'x'])).toThrow(/--seconds/);
  });
});

describe('bench statistics', () => {
  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it('prints ratios and aligned tables', () => {
    expect(ratio(3, 2)).toBe('1.50×');
    expect(ratio(3, 0)).toBe('n/a');
    expect(table(['name', 'ms'], [['a', '1.0'], ['long name', '12.5']]).split('\n')).toEqual([
      'name       ms',
      '---------  ----',
      'a           1.0',
      'long name  12.5',
    ]);
  });
});

describe('happy path of a state machine', () => {
  it('follows Next and a Choice default to the terminal state, skipping catch branches', () => {
    const path = happyPath({
      StartAt: 'A',
      States: {
        A: { Type: 'Task', Next: 'Pick' },
        Pick: { Type: 'Choice', Default: 'B' },
        B: { Type: 'Task', Next: 'Done' },
        Done: { Type: 'Succeed' },
        Compensate: { Type: 'Task', Next: 'Failed' },
        Failed: { Type: 'Fail' },
      },
    });
    expect(path.map(([name]) => name)).toEqual(['A', 'Pick', 'B', 'Done']);
  });

  it('refuses a loop and a missing state', () => {
    expect(() => happyPath({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A' } } })).toThrow(/loops back to A/);
    expect(() => happyPath({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' } } })).toThrow(/state B is not defined/);
  });
});

const ARN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

function fn(stack: string, logicalId: string, name: string): LocalResource {
  return { stackName: `commerce-dev-${stack}`, logicalId, type: 'AWS::Lambda::Function', ref: name, arn: ARN(name), properties: { MemorySize: 1024 }, metadata: {} };
}

/** A tiny app: two routes, a two-task saga, outbox relays, one rule on OrderConfirmed. */
function tinyApp(sagaType: string): LocalResource[] {
  const resource = (type: string, logicalId: string, properties: Record<string, unknown>, stack = 'orders'): LocalResource => ({
    stackName: `commerce-dev-${stack}`, logicalId, type, ref: logicalId, properties, metadata: {},
  });
  const definition = {
    StartAt: 'Reserve',
    States: { Reserve: { Type: 'Task', Resource: ARN('reserve'), Next: 'Confirm' }, Confirm: { Type: 'Task', Resource: ARN('confirm'), End: true } },
  };
  const relays = ['orders', 'inventory', 'payments'].map((context) =>
    resource('AWS::Lambda::EventSourceMapping', `Relay${context}`, { EventSourceArn: `arn:aws:dynamodb:us-east-1:000000000000:table/${context}/stream/x`, FunctionName: `${context}-relay` }, context),
  );
  return [
    resource('AWS::ApiGateway::RestApi', 'Api', {}, 'api'),
    resource('AWS::ApiGateway::Stage', 'Stage', { RestApiId: 'Api', StageName: 'dev' }, 'api'),
    resource('AWS::ApiGateway::Resource', 'Orders', { ParentId: 'root', PathPart: 'orders', RestApiId: 'Api' }, 'api'),
    resource('AWS::ApiGateway::Resource', 'Order', { ParentId: 'Orders', PathPart: '{orderId}', RestApiId: 'Api' }, 'api'),
    ...[['POST', 'Orders', 'place'], ['GET', 'Order', 'get']].map(([method, on, target]) =>
      resource('AWS::ApiGateway::Method', `${method}${on}`, {
        HttpMethod: method, ResourceId: on, RestApiId: 'Api', AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${ARN(target!)}/invocations` },
      }, 'api'),
    ),
    resource('AWS::StepFunctions::StateMachine', 'OrderSagaMachine', { StateMachineType: sagaType, DefinitionString: JSON.stringify(definition) }),
    resource('AWS::Events::Rule', 'Confirmed', { EventPattern: { 'detail-type': ['OrderConfirmed'] }, Targets: [{ Arn: ARN('ship') }] }),
    ...relays,
    ...['place', 'get', 'reserve', 'confirm', 'ship', 'orders-relay', 'inventory-relay', 'payments-relay'].map((name) => fn('orders', `${name}ABCD1234`, name)),
  ];
}

describe('cost model', () => {
  it('counts one order from the templates: routes, saga tasks, a relay per event, rule targets', () => {
    const assembly = assemblyOf(tinyApp('STANDARD'));
    const counts = countOrder(assembly);
    expect(counts.transitions).toBe(2);
    expect(counts.events).toBe(4);
    expect(counts.invocations.map((label) => label.replace('orders/', ''))).toEqual([
      'place', 'get', 'reserve', 'confirm', 'orders-relay', 'inventory-relay', 'payments-relay', 'orders-relay', 'ship',
    ]);
    expect(counts.functions['place']).toEqual({ label: 'orders/place', memoryMb: 1024 });
  });
});

describe('DynamoDB billing arithmetic (AWS rules)', () => {
  it('sizes an item by its names and values', () => {
    // 'pk' 2 + 'ORDER#1' 7; 'n' 1 + 12345 (5 digits: 3 + 1); 'ok' 2 + 1; 'l' 1 + 3 + (1 + 1) + (1 + 'ab' 2)
    expect(itemSize({ pk: { S: 'ORDER#1' }, n: { N: '12345' }, ok: { BOOL: true }, l: { L: [{ NULL: true }, { S: 'ab' }] } })).toBe(9 + 5 + 3 + 1 + 3 + 2 + 3);
    expect(itemSize({ s: { S: 'é' } })).toBe(1 + 2);
  });

  it('bills a transaction 2 WRU per KB of each item, the larger of before and after, a condition check as a write', async () => {
    const stored = new Map<string, AttributeMap>([['B', { pk: { S: 'B' }, v: { S: 'x'.repeat(1500) } }]]);
    const reader = {
      getItem: async (_table: string, key: AttributeMap) => stored.get(String(key.pk!.S)),
      keySchema: async () => [{ AttributeName: 'pk', KeyType: 'HASH' }],
    };
    const pending = await transactionWriteUnits(reader, [
      { Put: { TableName: 't1', Item: { pk: { S: 'A' }, v: { S: 'x'.repeat(2000) } } } },
      { Update: { TableName: 't1', Key: { pk: { S: 'B' } } } },
      { ConditionCheck: { TableName: 't2', Key: { pk: { S: 'C' } } } },
    ] as never);
    stored.set('B', { pk: { S: 'B' } }); // the update shrank it: billed at its size before
    const { byTable, items } = await pending.after();
    expect(Object.fromEntries(byTable)).toEqual({ t1: 2 * 2 + 2 * 2, t2: 2 });
    expect(items).toEqual(['Put A 2004 B', 'Update B 1504 B', 'ConditionCheck C 0 B']);
    expect(Object.fromEntries(transactionReadUnits([{ Get: { TableName: 't1' } }, { Get: { TableName: 't1' } }], [{ Item: { v: { S: 'x'.repeat(5000) } } }, {}]))).toEqual({ t1: 2 * 2 + 2 });
  });
});

describe('cost of a measured order', () => {
  const fn = (name: string) => `commerce-dev-orders-${name}ABCD1234-XYZ`;
  const invocation = (seq: number, name: string, start: number, ms: number): ConsoleRecord => ({ seq, at: start + ms, kind: 'invocation', data: { functionName: fn(name), ms } });
  const request = (at: number, writeUnits: number, table = 'commerce-dev-orders-TableCD117FA1-X'): CountedRequest => ({ at, ms: 5, operation: 'PutItem', table, readUnits: 0, writeUnits, fromFunction: true, conditionFailed: false });
  const measured = {
    orders: 2,
    records: [
      { seq: 1, at: 0, kind: 'request', data: {} },
      invocation(2, 'place', 0, 40),
      { seq: 3, at: 50, kind: 'event', data: { detail: '{}' } },
      { seq: 4, at: 60, kind: 'delivery', data: { kind: 'sqs', ok: true } },
      invocation(5, 'place', 100, 60),
      invocation(6, 'relay', 130, 20),
      { seq: 7, at: 200, kind: 'request', data: {} },
      invocation(8, 'place', 300, 90),
    ] as ConsoleRecord[],
    dynamo: [request(10, 4), request(20, 1, 'commerce-dev-payments-TableCD117FA1-Y'), request(120, 4), request(140, 2), { ...request(145, 9), fromFunction: false }],
    sagaMs: [250, 350],
  };
  const functions = { [fn('place')]: { label: 'orders/place', memoryMb: 1024 }, [fn('relay')]: { label: 'orders/relay', memoryMb: 256 } };

  it('counts per order and gives each DynamoDB request to the one function of its table\'s context running then', () => {
    const footprint = footprintOf(measured, functions);
    expect(footprint.apiRequests).toBe(1);
    expect(footprint.events).toBe(0.5);
    expect(footprint.sqsMessages).toBe(0.5);
    expect(footprint.sagaMs).toBe(250);
    expect(footprint.functions).toEqual([
      // Its own time: the fastest of 40 - 5, 60 - 5 (each made one 5 ms request) and 90 ms.
      { label: 'orders/place', memoryMb: 1024, invocations: 1.5, medianMs: 60, ownMs: 35, dynamoRequests: 2 / 3, readUnits: 0, writeUnits: 4 },
      { label: 'orders/relay', memoryMb: 256, invocations: 0.5, medianMs: 20, ownMs: 20, dynamoRequests: 0, readUnits: 0, writeUnits: 0 },
    ]);
    // The runtime's own request (fromFunction false) is not the app's; the one at 140 ran under two
    // orders functions, the one at 20 under none of the payments context: counted, but nobody's.
    expect(footprint.dynamo).toEqual([
      { table: 'orders', operation: 'PutItem', requests: 1.5, readUnits: 0, writeUnits: 5, items: [] },
      { table: 'payments', operation: 'PutItem', requests: 0.5, readUnits: 0, writeUnits: 0.5, items: [] },
    ]);
    expect(() => footprintOf(measured, {})).toThrow(/does not have/);
  });

  it('prices it per service at the listed prices', () => {
    const footprint = footprintOf(measured, functions);
    const standard = priceFootprint(footprint, { sagaType: 'STANDARD', transitions: 4 });
    expect(standard['Step Functions']).toBeCloseTo(4 * PRICES.sfnStandardPerTransition, 12);
    expect(standard.DynamoDB).toBeCloseTo(5.5 * PRICES.dynamoPerWriteUnit, 12);
    expect(standard['API Gateway']).toBeCloseTo(PRICES.apiGatewayRestPerRequest, 12);
    expect(standard.SQS).toBeCloseTo(0.5 * 3 * PRICES.sqsPerRequest, 12);
    const placeMs = Math.ceil(35 * ASSUMPTIONS.durationMargin + (2 / 3) * ASSUMPTIONS.awsDynamoMs) + ASSUMPTIONS.coldStartRate * ASSUMPTIONS.initMs;
    const relayMs = 20 * ASSUMPTIONS.durationMargin + ASSUMPTIONS.coldStartRate * ASSUMPTIONS.initMs;
    const lambda = 2 * PRICES.lambdaPerRequest + (1.5 * (placeMs / 1000) + 0.5 * 0.25 * (relayMs / 1000)) * PRICES.lambdaArmPerGbSecond;
    expect(standard.Lambda).toBeCloseTo(lambda, 12);
    // Express: one request and 64 MB for 300 ms (250 ms, billed per 100 ms started).
    const express = priceFootprint(footprint, { sagaType: 'EXPRESS', transitions: 4 });
    expect(express['Step Functions']).toBeCloseTo(PRICES.sfnExpressPerRequest + (64 / 1024) * 0.3 * PRICES.sfnExpressPerGbSecond, 12);
  });
});
