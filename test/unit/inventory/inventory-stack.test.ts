import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { InventoryStack } from '../../../lib/inventory/inventory-stack';
import { matchesEventPattern, type EventPattern } from '../../../local/eventbridge/event-pattern';
import { busEvent } from '../../support/bus-event';
import { synthesizeStack, type Resource, type StackTest, type Statement } from '../../support/stack';
import { references } from '../../support/template';

let stack: InventoryStack;
let template: Template;
let resources: Record<string, Resource>;
let logicalId: StackTest['logicalId'];
let ofType: StackTest['ofType'];
let actionsOf: StackTest['actionsOf'];
let nagFindings: StackTest['nagFindings'];

beforeAll(() => {
  ({ stack, template, resources, logicalId, ofType, actionsOf, nagFindings } = synthesizeStack(
    (app, platform, env) => new InventoryStack(app, 'inventory', { env, platform }),
  ));
}, 120_000);

describe('InventoryStack', () => {
  it('runs every function on nodejs24.x, arm64, with tracing; the saga steps with a 10 s timeout', () => {
    const functions = ofType('AWS::Lambda::Function');
    // 2 routes, 4 saga steps, the ProductCreated consumer and the outbox relay.
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
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.table), 'StreamArn'] },
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: Match.stringLikeRegexp('outbox') }] },
    });
  });

  it("grants DynamoDB item actions on its own table only, never Scan or a wildcard", () => {
    const tableId = logicalId(stack.table);
    let itemStatements = 0;
    for (const [id, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        const actions = ([] as string[]).concat(statement.Action);
        const itemActions = actions.filter((a) => a.startsWith('dynamodb:') && !['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].includes(a));
        if (itemActions.length === 0) continue;
        itemStatements += 1;
        expect([...references(statement.Resource)], id).toEqual([tableId]);
        expect(actions, id).not.toContain('dynamodb:Scan');
        expect(actions, id).not.toContain('dynamodb:*');
      }
    }
    // getStock, restock, 4 saga steps, the consumer.
    expect(itemStatements).toBe(7);
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
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    const target = (rule.Properties!.Targets as { DeadLetterConfig: { Arn: unknown } }[])[0]!;
    const queueId = [...references(target.DeadLetterConfig.Arn)][0]!;
    expect(resources[queueId]!.Type).toBe('AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const alarms = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => references(a.Properties!.Dimensions).has(queueId));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties!.AlarmActions).toBeDefined();
    // The outbox relay's dead-letter queue is alarmed too.
    expect(ofType('AWS::SQS::Queue')).toHaveLength(2);
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(2);
  });

  it('passes the AwsSolutions pack (cdk-nag) with the acknowledgements of the platform constructs', () => {
    expect(nagFindings()).toEqual([]);
  });
});
