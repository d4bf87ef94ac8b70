import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { StockReleased, StockReserved } from '../../../functions/contracts/events/inventory';
import { domainEvent, outboxItem, relayedEvents } from '../../../functions/shared/events/outbox';
import { compileFilterCriteria } from '../../../local/lambda-event-sources/filter-criteria';
import { ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { InventoryStack } from '../../../lib/inventory/inventory-stack';
import { matchesEventPattern, type EventPattern } from '../../../local/eventbridge/event-pattern';
import { busEvent } from '../../support/bus-event';
import {
  expectDeadLettered, expectItemAccessToOwnTableOnly, synthesizeStack, type Resource, type StackTest,
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

  it('keeps a table with a stream for its outbox, relayed to the bus: outbox records, and reservations carrying their events', () => {
    // The relay's retries, bisection and dead letters are the platform's (test/infra/platform); here, what it is given.
    built.template.hasResourceProperties('AWS::DynamoDB::Table', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
    const [mapping, ...others] = ofType('AWS::Lambda::EventSourceMapping').filter(([, r]) => JSON.stringify(r.Properties!.EventSourceArn).includes('StreamArn'));
    expect(others).toEqual([]);
    const filters = (mapping![1].Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => f.Pattern);
    const relayed = compileFilterCriteria(filters, 'inventory outbox relay');
    const reserved = domainEvent(StockReserved, { orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }] }, 'corr');
    const released = domainEvent(StockReleased, { orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }], reason: 'PAYMENT_DECLINED' }, 'corr');
    const reservation = { pk: 'RESERVATION#o1', sk: 'RESERVATION', kind: 'reservation', orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }] };
    const record = (eventName: string, item: object) => ({ eventName, dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) } });
    expect(relayed(record('INSERT', { ...reservation, status: 'RESERVED', ...relayedEvents([reserved]) })), 'reserved').toBe(true);
    expect(relayed(record('MODIFY', { ...reservation, status: 'RELEASED', ...relayedEvents([released]) })), 'released').toBe(true);
    expect(relayed(record('MODIFY', { ...reservation, status: 'COMMITTED' })), 'committed: no event').toBe(false);
    expect(relayed(record('INSERT', outboxItem(reserved))), 'a restock').toBe(true);
    expect(relayed(record('MODIFY', { pk: 'STOCK#p1', sk: 'STOCK', kind: 'stock', available: 1 })), 'a stock record').toBe(false);
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
