/**
 * The wiring that starts the order saga from OrderPlaced, in the synthesized orders stack: a rule
 * selecting exactly OrderPlaced delivers to the consumer with a retry policy and a dead-letter
 * queue, which is alarmed; the consumer reads its own table and may start the order saga only.
 */
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { ORDERS_ENV } from '../../../functions/orders/orders-config';
import type { OrdersStack } from '../../../lib/orders/orders-stack';
import { references } from '../../support/template';
import { buildOrdersApp, type Resource } from './saga-app';

type Statement = { Action: string | string[]; Resource: unknown };

let stack: OrdersStack;
let resources: Record<string, Resource>;
let logicalId: (construct: IConstruct) => string;

beforeAll(() => {
  ({ stack, resources, logicalId } = buildOrdersApp());
}, 120_000);

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('OrderPlaced → the consumer that starts the order saga', () => {
  it('has one rule selecting exactly OrderPlaced, delivering to that consumer with a retry policy and a dead-letter queue', () => {
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => JSON.stringify(r.Properties!.EventPattern).includes(OrderPlaced.detailType));
    expect(rules).toHaveLength(1);
    const rule = rules[0]![1].Properties!;
    expect(rule.EventPattern).toEqual({ source: ['commerce.orders'], 'detail-type': ['OrderPlaced'] });
    const targets = rule.Targets as { Arn: unknown; RetryPolicy?: { MaximumRetryAttempts: number }; DeadLetterConfig?: { Arn: unknown } }[];
    expect(targets).toHaveLength(1);
    expect([...references(targets[0]!.Arn)]).toEqual([logicalId(stack.sagaStarter)]);
    expect(targets[0]!.RetryPolicy!.MaximumRetryAttempts).toBeGreaterThan(0);
    const queue = [...references(targets[0]!.DeadLetterConfig!.Arn)][0]!;
    expect(resources[queue]!.Type).toBe('AWS::SQS::Queue');

    // Failed invocations (after Lambda's own retries) land in the same queue, and the queue is alarmed.
    const invokeConfigs = ofType('AWS::Lambda::EventInvokeConfig').filter(([, r]) => references(r.Properties!.FunctionName).has(logicalId(stack.sagaStarter)));
    expect(invokeConfigs).toHaveLength(1);
    expect(references(invokeConfigs[0]![1].Properties!.DestinationConfig).has(queue)).toBe(true);
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, r]) => references(r.Properties!.Dimensions).has(queue));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties!.AlarmActions).toHaveLength(1);
  });

  it('runs the on-order-placed handler, with its table and the order saga, and may start that saga and nothing else', () => {
    const fn = resources[logicalId(stack.sagaStarter)]!.Properties!;
    expect(fn.Description).toContain('OrderPlaced');
    expect((fn.Environment as { Variables: Record<string, unknown> }).Variables).toMatchObject({
      TABLE_NAME: { Ref: logicalId(stack.table) },
      [ORDERS_ENV.orderSagaArn]: { Ref: logicalId(stack.orderSaga) },
    });
    const role = [...references(fn.Role)][0]!;
    const statements = ofType('AWS::IAM::Policy')
      .filter(([, r]) => references(r.Properties!.Roles).has(role))
      .flatMap(([, r]) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => a.startsWith('states:'))).toEqual(['states:StartExecution']);
    expect(statements.find((s) => s.Action === 'states:StartExecution')!.Resource).toEqual({ Ref: logicalId(stack.orderSaga) });
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:PutItem']));
    expect(actions.join()).not.toMatch(/secretsmanager|events:PutEvents|lambda:InvokeFunction|dynamodb:Scan/);
  });
});
