import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OrderCancelled, OrderConfirmed, OrderDelivered, OrderPlaced, OrderRejected, OrderShipped,
} from '../../../functions/contracts/events/orders';
import { ShipmentDispatched } from '../../../functions/contracts/events/shipping';
import { ShippingStack } from '../../../lib/shipping/shipping-stack';
import { matchesEventPattern, type EventPattern } from '../../../local/eventbridge/event-pattern';
import { busEvent } from '../../support/bus-event';
import {
  expectDeadLettered, expectItemAccessToOwnTableOnly, expectOutboxRelay, synthesizeStack, type Resource, type StackTest, type Statement,
} from '../../support/stack';
import { references } from '../../support/template';

let stack: ShippingStack;
let template: Template;
let resources: Record<string, Resource>;
let logicalId: StackTest['logicalId'];
let ofType: StackTest['ofType'];
let actionsOf: StackTest['actionsOf'];
let nagFindings: StackTest['nagFindings'];
let built: StackTest<ShippingStack>;

beforeAll(() => {
  built = synthesizeStack(
    (app, platform, env) => new ShippingStack(app, 'shipping', { env, platform }),
  );
  ({ stack, template, resources, logicalId, ofType, actionsOf, nagFindings } = built);
}, 120_000);



const line = { productId: 'p-1', quantity: 1, unitPriceCents: 1299 };
const address = { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' };
const order = { orderId: 'o-1', customerId: 'c-1' };

describe('ShippingStack', () => {
  it('runs every function on nodejs24.x, arm64, with tracing, logged as the shipping service', () => {
    const functions = ofType('AWS::Lambda::Function');
    // 3 routes, the order events consumer, the claim and the outbox relay.
    expect(functions).toHaveLength(6);
    for (const [id, fn] of functions) {
      expect(fn.Properties!.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties!.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties!.Environment, id).toMatchObject({ Variables: { POWERTOOLS_SERVICE_NAME: 'shipping' } });
    }
    expect(resources[logicalId(stack.routeFunctions.dispatchShipment)]!.Properties!.Description).toBe('POST /shipments/{orderId}/dispatch');
  });

  it('keeps one table, without indexes, with a stream for its outbox relayed to the bus on inserted outbox items only', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
    expectOutboxRelay(built);
    template.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: Match.absent() });
  });

  it('grants DynamoDB item actions on its own table only, never Scan or a wildcard', () => {
    // The 3 routes, the consumer and the claim.
    expect(expectItemAccessToOwnTableOnly(built)).toBe(5);
  });

  it('gives GET /shipments/{orderId} read access only; dispatch and deliver write; all three check tokens', () => {
    const get = actionsOf(stack.routeFunctions.getShipment).filter((a) => a.startsWith('dynamodb:'));
    expect(get.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    for (const route of [stack.routeFunctions.dispatchShipment, stack.routeFunctions.deliverShipment]) {
      expect(actionsOf(route)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem']));
      expect(actionsOf(route)).not.toContain('events:PutEvents');
    }
    for (const route of Object.values(stack.routeFunctions)) expect(actionsOf(route)).toContain('secretsmanager:GetSecretValue');
  });

  it('has a claim function for the orders cancel route: it writes its table, and reads no secret and publishes nothing', () => {
    const claim = resources[logicalId(stack.claimShipment)]!;
    expect(claim.Properties!.Handler).toBe('index.handler');
    expect(claim.Properties!.Environment).toMatchObject({ Variables: { TABLE_NAME: { Ref: logicalId(stack.table) } } });
    expect(actionsOf(stack.claimShipment)).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem']));
    expect(actionsOf(stack.claimShipment).join()).not.toMatch(/secretsmanager|events:PutEvents|lambda:/);
  });

  it('subscribes its consumer to OrderConfirmed and OrderCancelled, and to nothing else', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    const pattern = rule.Properties!.EventPattern as EventPattern;
    expect(pattern).toEqual({ source: ['commerce.orders'], 'detail-type': ['OrderConfirmed', 'OrderCancelled'] });
    // On the platform's bus, which lives in the platform stack.
    expect(JSON.stringify(rule.Properties!.EventBusName)).toMatch(/Fn::ImportValue.*Bus/);

    const matches = (event: ReturnType<typeof busEvent>) => matchesEventPattern(pattern, event);
    expect(matches(busEvent(OrderConfirmed, { ...order, items: [line], totalCents: 1299, currency: 'USD', shippingAddress: address }))).toBe(true);
    expect(matches(busEvent(OrderCancelled, { ...order, reason: 'CUSTOMER_REQUEST', refunded: true }))).toBe(true);
    expect(matches(busEvent(OrderPlaced, { ...order, items: [line], totalCents: 1299, currency: 'USD' }))).toBe(false);
    expect(matches(busEvent(OrderRejected, { ...order, reason: 'OUT_OF_STOCK' }))).toBe(false);
    expect(matches(busEvent(OrderShipped, { ...order, carrier: 'UPS', trackingNumber: '1Z' }))).toBe(false);
    expect(matches(busEvent(OrderDelivered, order))).toBe(false);
    // Its own events go back to the bus; it must never consume them.
    expect(matches(busEvent(ShipmentDispatched, { orderId: 'o-1', shipmentId: 's-1', carrier: 'UPS', trackingNumber: '1Z' }))).toBe(false);
  });

  it('targets the consumer with a retry policy and a dead-letter queue; the consumer writes its table and reads no secret', () => {
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    const targets = rule.Properties!.Targets as { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
    expect(targets).toHaveLength(1);
    const consumerId = [...references(targets[0]!.Arn)][0]!;
    const consumer = resources[consumerId]!;
    expect(consumer.Type).toBe('AWS::Lambda::Function');
    expect(consumer.Properties!.Description as string).toContain('OrderConfirmed and OrderCancelled');
    expect(consumer.Properties!.Environment).toMatchObject({ Variables: { TABLE_NAME: { Ref: logicalId(stack.table) } } });
    expect(targets[0]!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    expect(targets[0]!.DeadLetterConfig).toBeDefined();

    const consumerPolicies = ofType('AWS::IAM::Policy').filter(([, p]) => {
      const roleId = [...references(consumer.Properties!.Role)][0]!;
      return references(p.Properties!.Roles).has(roleId);
    });
    const actions = consumerPolicies.flatMap(([, p]) =>
      (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement.flatMap((s) => ([] as string[]).concat(s.Action)));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem']));
    expect(actions.join()).not.toMatch(/secretsmanager|events:PutEvents/);
  });

  it('dead-letters what the consumer cannot process, after Lambda retries, with an alarm on the queue into the alarm topic', () => {
    expect(expectDeadLettered(built)).toBe(logicalId(stack.orderEvents.deadLetters.queue));
    // The outbox relay's dead-letter queue is alarmed too.
    expect(ofType('AWS::SQS::Queue')).toHaveLength(2);
    const onQueues = ofType('AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties!.Namespace === 'AWS/SQS' && alarm.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(onQueues).toHaveLength(2);
  });

  it('passes the AwsSolutions pack (cdk-nag) with the acknowledgements of the platform constructs', () => {
    expect(nagFindings()).toEqual([]);
  });
});
