import { describe, expect, it } from 'vitest';
import { countOrder, happyPath, priceOrder } from '../../../scripts/bench/cost-model';
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
    const standard = priceOrder(counts);
    expect(standard['Step Functions']).toBeCloseTo(2 * PRICES.sfnStandardPerTransition, 12);
    const express = priceOrder({ ...counts, sagaType: 'EXPRESS' });
    expect(express['Step Functions']).toBeLessThan(standard['Step Functions']!);
  });
});
