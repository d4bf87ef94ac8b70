import { beforeAll, describe, expect, it } from 'vitest';
import { ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { InventoryStack } from '../../../lib/inventory/inventory-stack';
import { matchesEventPattern, type EventPattern } from '../../../local/eventbridge/event-pattern';
import { busEvent } from '../../support/bus-event';
import {
  expectDeadLettered, expectItemAccessToOwnTableOnly, expectOutboxRelay, synthesizeStack, type Resource, type StackTest,
} from '../../support/stack';
import { references } from '../../support/template';

let stack: InventoryStack;
let resources: Record<string, Resource>;
let logicalId: StackTest['logicalId'];
let ofType: StackTest['ofType'];
let actionsOf: StackTest['actionsOf'];
let nagFindings: StackTest['nagFindings'];
let built: StackTest<InventoryStack>;

beforeAll(() => {
  built = synthesizeStack(
    (app, platform, env) => new InventoryStack(app, 'inventory', { env, platform }),
  );
  ({ stack, resources, logicalId, ofType, actionsOf, nagFindings } = built);
}, 120_000);

describe('InventoryStack', () => {
  it('runs every function on nodejs24.x, arm64, with tracing; the saga tasks with a 10 s timeout', () => {
    const functions = ofType('AWS::Lambda::Function');
    // 2 routes, 4 saga tasks, the ProductCreated consumer and the outbox relay.
    expect(functions).toHaveLength(8);
    for (const [id, fn] of functions) {
      expect(fn.Properties!.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties!.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
    for (const step of Object.values(stack.tasks)) {
      expect(resources[logicalId(step)]!.Properties).toMatchObject({
        Timeout: 10,
        Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'inventory', TABLE_NAME: { Ref: logicalId(stack.table) } } },
      });
    }
  });

  it('keeps a table with a stream for its outbox, relayed to the bus on inserted outbox items only', () => {
    expectOutboxRelay(built);
  });

  it("grants DynamoDB item actions on its own table only, never Scan or a wildcard", () => {
    // getStock, restock, 4 saga tasks (ReserveStock's BatchGetItem a statement of its own), the consumer.
    expect(expectItemAccessToOwnTableOnly(built)).toBe(8);
  });

  it('gives GET /inventory/{productId} read access only and no secret; restock writes and checks tokens', () => {
    const getStock = actionsOf(stack.routeFunctions.getStock);
    expect(getStock).toContain('dynamodb:GetItem');
    expect(getStock.join()).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem)|secretsmanager/);
    const restock = actionsOf(stack.routeFunctions.restock);
    expect(restock).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:PutItem', 'secretsmanager:GetSecretValue']));
    for (const step of Object.values(stack.tasks)) {
      const actions = actionsOf(step);
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
      expect(actions.join()).not.toMatch(/secretsmanager|events:PutEvents/);
      // Only ReserveStock batch-reads (its reservation with its lines' stock records).
      expect(actions.includes('dynamodb:BatchGetItem')).toBe(step === stack.tasks.reserveStock);
    }
  });

  it('subscribes the consumer to ProductCreated only, with a rule whose pattern matches the event', () => {
    const rules = ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    const pattern = rule.Properties!.EventPattern as EventPattern;
    expect(pattern).toEqual({ source: ['commerce.catalog'], 'detail-type': ['ProductCreated'] });
    const product = { productId: 'p1', name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1' };
    expect(matchesEventPattern(pattern, busEvent(ProductCreated, product))).toBe(true);
    expect(matchesEventPattern(pattern, busEvent(ProductUpdated, { ...product, description: '', version: 2 }))).toBe(false);

    const targets = rule.Properties!.Targets as { Arn: unknown; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[];
    expect(targets).toHaveLength(1);
    const consumerId = [...references(targets[0]!.Arn)][0]!;
    expect(resources[consumerId]!.Properties!.Handler).toBe('index.handler');
    expect((resources[consumerId]!.Properties!.Description as string)).toContain('ProductCreated events');
    expect(targets[0]!.RetryPolicy).toBeDefined();
    expect(targets[0]!.DeadLetterConfig).toBeDefined();
  });

  it('dead-letters what the consumer cannot process, with an alarm on the queue', () => {
    expectDeadLettered(built);
    // The outbox relay's dead-letter queue is alarmed too.
    expect(ofType('AWS::SQS::Queue')).toHaveLength(2);
    const onQueues = ofType('AWS::CloudWatch::Alarm').filter(([, alarm]) => alarm.Properties!.Namespace === 'AWS/SQS' && alarm.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(onQueues).toHaveLength(2);
  });

  it('passes the AwsSolutions pack (cdk-nag) with the acknowledgements of the platform constructs', () => {
    expect(nagFindings()).toEqual([]);
  });
});
