/**
 * ContextStack, the construct every context stack extends: a context declares whether it
 * publishes (table stream and outbox relay), and gets its functions from route(), task() and
 * subscribe(), each a function of its own service with the grants the declaration states.
 */
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProductCreated } from '../../../functions/contracts/events/catalog';
import { ORDERS_NEEDING_OPERATOR_METRIC } from '../../../functions/orders/orders-config';
import { ContextStack, type ContextDefinition, type ContextStackProps } from '../../../lib/platform/context-stack';
import type { ServiceFunction } from '../../../lib/platform/service-function';
import { synthesizeStack, type StackTest } from '../../support/stack';
import { references } from '../../support/template';

/** A context of the test's own: one route, one task, one subscription of each kind, one alarm. */
class SampleStack extends ContextStack {
  readonly routeFunctions: Record<'getStock', ServiceFunction>;
  readonly task1: ServiceFunction;
  readonly consumers: ServiceFunction[];

  constructor(scope: Construct, id: string, props: ContextStackProps, definition: ContextDefinition) {
    super(scope, id, props, definition);
    this.routeFunctions = { getStock: this.route('getStock').bindTable(this.table, 'read') };
    this.task1 = this.task('ReserveStock', 'reserve-stock', 'a task', { timeout: Duration.seconds(7) });
    this.consumers = [
      this.subscribe('OneByOne', [ProductCreated], { handler: 'on-product-created', description: 'one by one' }).consumer,
      this.subscribe('Batched', [ProductCreated], { handler: 'restock', description: 'in batches' }, { queue: { batchSize: 5 } }).consumer,
    ];
    this.alarmOnCount('Flagged', ORDERS_NEEDING_OPERATOR_METRIC, 'something needs a person');
  }
}

const build = (publishes: boolean) =>
  synthesizeStack((app, platform, env) => new SampleStack(app, 'sample', { env, platform }, { service: 'inventory', publishes, indexes: ['gsi1'] }));

describe('ContextStack', () => {
  let publishing: StackTest<SampleStack>;
  let quiet: StackTest<SampleStack>;
  beforeAll(() => {
    publishing = build(true);
    quiet = build(false);
  }, 120_000);

  it('gives a publishing context a streamed table and an outbox relay, a quiet one neither', () => {
    const [[, table]] = publishing.ofType('AWS::DynamoDB::Table') as unknown as [[string, { Properties: Record<string, unknown> }]];
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
    expect((table.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).map((i) => i.IndexName)).toEqual(['gsi1']);
    expect(publishing.ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m).includes('StreamArn'))).toHaveLength(1);

    const [[, quietTable]] = quiet.ofType('AWS::DynamoDB::Table') as unknown as [[string, { Properties: Record<string, unknown> }]];
    expect(quietTable.Properties.StreamSpecification).toBeUndefined();
    expect(JSON.stringify(quiet.resources)).not.toContain('outbox relay');
  });

  it("runs tasks and consumers as the context's service, on its handlers, reading and writing its table only", () => {
    const { stack, environmentOf, statementsOf, resources, logicalId } = quiet;
    for (const fn of [stack.task1, ...stack.consumers]) {
      expect(environmentOf(fn)).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'inventory', TABLE_NAME: { Ref: logicalId(stack.table) } });
      const dynamo = statementsOf(fn).filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
      expect(dynamo.map((s) => [...references(s.Resource)])).toEqual([[logicalId(stack.table)]]);
      expect([dynamo[0]!.Action].flat()).toContain('dynamodb:PutItem');
    }
    expect(resources[logicalId(stack.task1)]!.Properties).toMatchObject({ Timeout: 7, Description: 'a task' });
    expect(logicalId(stack.consumers[0]!)).toMatch(/^OnProductCreated/);
  });

  it('subscribes one by one through a rule, or in batches through a queue', () => {
    const { ofType, stack, logicalId } = quiet;
    expect(ofType('AWS::Lambda::EventInvokeConfig').map(([, c]) => c.Properties!.FunctionName)).toEqual([{ Ref: logicalId(stack.consumers[0]!) }]);
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings.map(([, m]) => [m.Properties!.FunctionName, m.Properties!.BatchSize])).toEqual([[{ Ref: logicalId(stack.consumers[1]!) }, 5]]);
    expect(ofType('AWS::Events::Rule')).toHaveLength(2);
  });

  it("alarms on the first count of a metric of the context's service, into the alarm topic", () => {
    const alarm = quiet.ofType('AWS::CloudWatch::Alarm').find(([id]) => id.startsWith('Flagged'))![1].Properties!;
    expect(alarm).toMatchObject({
      MetricName: ORDERS_NEEDING_OPERATOR_METRIC,
      Namespace: 'Commerce',
      Dimensions: [{ Name: 'service', Value: 'inventory' }],
      Statistic: 'Sum',
      Period: 60,
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmDescription: 'something needs a person',
    });
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    expect(publishing.nagFindings()).toEqual([]);
    expect(quiet.nagFindings()).toEqual([]);
  });
});
