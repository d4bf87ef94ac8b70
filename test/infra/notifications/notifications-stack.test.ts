import { beforeAll, describe, expect, it } from 'vitest';
import { NOTIFICATIONS_ENV } from '../../../functions/notifications/notifications-config';
import { NotificationsStack } from '../../../lib/notifications/notifications-stack';
import { MAX_RECEIVE_COUNT } from '../../../lib/platform/queue-subscription';
import type { NotificationSenderConfig } from '../../../lib/platform/stage';
import { matchesEventPattern, type EventPattern } from '../../../local/eventbridge/event-pattern';
import { samples } from '../../contract/samples';
import { busEvent } from '../../support/bus-event';
import { synthesizeStack, type Statement } from '../../support/stack';
import { references } from '../../support/template';

/** A notifications stack in an app of its own, beside the platform it needs. */
const build = (sender?: NotificationSenderConfig) =>
  synthesizeStack((app, platform, env) => new NotificationsStack(app, 'notifications', { env, platform, sender }));

const NOTIFYING = ['UserRegistered', 'OrderConfirmed', 'OrderRejected', 'OrderCancelled', 'OrderShipped', 'OrderDelivered'];

/** A sample of an event as EventBridge matches it against a rule. */
const sampleEvent = ({ event, data }: (typeof samples)[number]) => busEvent(event, data);

describe('NotificationsStack', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build();
  }, 120_000);

  it('runs its two functions on nodejs24.x, arm64, with tracing', () => {
    const functions = built.ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(2);
    for (const [id, fn] of functions) {
      expect(fn.Properties!.Runtime, id).toBe('nodejs24.x');
      expect(fn.Properties!.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties!.TracingConfig, id).toEqual({ Mode: 'Active' });
    }
    expect(built.resources[built.logicalId(built.stack.consumer)]!.Properties).toMatchObject({ Timeout: 30 });
  });

  it('keeps one table with TTL and no stream (it emits no events)', () => {
    built.template.resourceCountIs('AWS::DynamoDB::Table', 1);
    const [, table] = built.ofType('AWS::DynamoDB::Table')[0]!;
    expect(table.Properties!.StreamSpecification).toBeUndefined();
    expect(table.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
  });

  it('subscribes a rule whose pattern selects exactly the six notifying events, and no other event', () => {
    const rules = built.ofType('AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    const pattern = rules[0]![1].Properties!.EventPattern as EventPattern & { 'detail-type': string[]; source: string[] };
    expect([...pattern['detail-type']].sort()).toEqual([...NOTIFYING].sort());
    expect([...pattern.source].sort()).toEqual(['commerce.orders', 'commerce.users']);
    const sampled = samples.map((sample) => sample.event.detailType);
    expect(sampled).toEqual(expect.arrayContaining(NOTIFYING));
    expect(sampled.length).toBeGreaterThan(NOTIFYING.length);
    for (const sample of samples) {
      const { detailType } = sample.event;
      expect(matchesEventPattern(pattern, sampleEvent(sample)), detailType).toBe(NOTIFYING.includes(detailType));
    }
    // An event of another context that happens to share a name would not match either.
    const impostor = { ...sampleEvent(samples.find((s) => s.event.detailType === 'OrderShipped')!), source: 'commerce.shipping' };
    expect(matchesEventPattern(pattern, impostor)).toBe(false);
  });

  it('targets the queue with a retry policy and the dead-letter queue, and lets only that rule send to either', () => {
    const [ruleId, rule] = built.ofType('AWS::Events::Rule')[0]!;
    const targets = rule.Properties!.Targets as { Arn: unknown; RetryPolicy?: unknown; DeadLetterConfig?: { Arn: unknown } }[];
    expect(targets).toHaveLength(1);
    const queueId = built.logicalId(built.stack.subscription.queue);
    const dlqId = built.logicalId(built.stack.subscription.deadLetters.queue);
    expect(targets[0]!.Arn).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    expect(targets[0]!.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    expect(targets[0]!.DeadLetterConfig!.Arn).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });

    for (const target of [queueId, dlqId]) {
      const statements = built.ofType('AWS::SQS::QueuePolicy')
        .filter(([, p]) => references(p.Properties!.Queues).has(target))
        .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => s.Effect === 'Allow');
      expect(statements, target).toHaveLength(1);
      expect(statements[0]).toMatchObject({ Principal: { Service: 'events.amazonaws.com' } });
      expect(([] as string[]).concat(statements[0]!.Action)).toContain('sqs:SendMessage');
      expect([...references(statements[0]!.Condition)]).toEqual([ruleId]);
    }
  });

  it('encrypts the queue, refuses plain HTTP, outlasts six consumer timeouts, and redrives to an alarmed dead-letter queue after 5 receives', () => {
    const queueId = built.logicalId(built.stack.subscription.queue);
    const dlqId = built.logicalId(built.stack.subscription.deadLetters.queue);
    const queue = built.resources[queueId]!.Properties!;
    expect(queue.SqsManagedSseEnabled).toBe(true);
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * 30);
    expect(queue.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 });
    expect(MAX_RECEIVE_COUNT).toBe(5);
    const denies = built.ofType('AWS::SQS::QueuePolicy')
      .filter(([, p]) => references(p.Properties!.Queues).has(queueId))
      .flatMap(([, p]) => (p.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => s.Effect === 'Deny');
    expect(denies).toEqual([expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);

    const alarms = built.ofType('AWS::CloudWatch::Alarm').filter(([, a]) => references(a.Properties!.Dimensions).has(dlqId));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({ Threshold: 1, AlarmActions: [expect.anything()] });
    expect(built.ofType('AWS::SQS::Queue')).toHaveLength(2);
  });

  it('feeds the consumer from the queue in batches of 10 within about a second, reporting failed records only', () => {
    const mappings = built.ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toEqual({
      EventSourceArn: { 'Fn::GetAtt': [built.logicalId(built.stack.subscription.queue), 'Arn'] },
      FunctionName: { Ref: built.logicalId(built.stack.consumer) },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('grants DynamoDB item actions on its own table only: the route reads, the consumer writes, never Scan or a wildcard', () => {
    const tableId = built.logicalId(built.stack.table);
    for (const [id, policy] of built.ofType('AWS::IAM::Policy')) {
      for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
        const actions = ([] as string[]).concat(statement.Action);
        if (!actions.some((a) => a.startsWith('dynamodb:'))) continue;
        expect([...references(statement.Resource)], id).toEqual([tableId]);
        expect(actions, id).not.toContain('dynamodb:Scan');
        expect(actions, id).not.toContain('dynamodb:*');
      }
    }
    const list = built.actionsOf(built.stack.routeFunctions.listNotifications);
    expect(list.filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(list).toContain('secretsmanager:GetSecretValue');
    const consumer = built.actionsOf(built.stack.consumer);
    expect(consumer).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(consumer.join()).not.toMatch(/secretsmanager|events:PutEvents/);
    expect(consumer).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
  });

  it('records messages by default: NOTIFICATION_SENDER=record and no ses:* anywhere', () => {
    expect(built.environmentOf(built.stack.consumer)[NOTIFICATIONS_ENV.sender]).toBe('record');
    expect(built.environmentOf(built.stack.consumer)[NOTIFICATIONS_ENV.fromAddress]).toBeUndefined();
    expect(JSON.stringify(built.resources)).not.toMatch(/"ses:/);
  });

  it('passes the AwsSolutions pack (cdk-nag) with the acknowledgements of the platform constructs', () => {
    expect(built.nagFindings()).toEqual([]);
  });
});

describe('NotificationsStack with the SES sender', () => {
  let built: ReturnType<typeof build>;
  beforeAll(() => {
    built = build({ kind: 'ses', fromAddress: 'shop@mail.example.com' });
  }, 120_000);

  it('configures the consumer for SES and lets it, alone, send as the From address or its domain', () => {
    expect(built.environmentOf(built.stack.consumer)).toMatchObject({
      [NOTIFICATIONS_ENV.sender]: 'ses', [NOTIFICATIONS_ENV.fromAddress]: 'shop@mail.example.com',
    });
    const ses = built.statementsOf(built.stack.consumer).filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(ses).toHaveLength(1);
    expect(ses[0]!.Action).toBe('ses:SendEmail');
    const arns = JSON.stringify(ses[0]!.Resource);
    expect(arns).toContain(':identity/shop@mail.example.com');
    expect(arns).toContain(':identity/mail.example.com');
    expect(arns).not.toContain('*');
    expect(built.actionsOf(built.stack.routeFunctions.listNotifications).join()).not.toContain('ses:');
  });

  it('still passes the AwsSolutions pack', () => {
    expect(built.nagFindings()).toEqual([]);
  });
});
