/**
 * Operations (architecture notes, "Operations"): alarms with documented thresholds on everything
 * the app runs, all notifying the alarm topic, which takes an e-mail subscription from context;
 * a dashboard per context and a system overview; in prod, canary deploys behind `live` aliases.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { THRESHOLDS } from '../../lib/platform/monitoring';
import { PlatformStack } from '../../lib/platform/platform-stack';
import { stageFrom } from '../../lib/platform/stage';
import { references } from '../support/template';
import { synthesize, type Resources } from './synth';

type Synthesized = ReturnType<typeof synthesize>;
let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthesize('dev');
  prod = synthesize('prod');
}, 240_000);

const entries = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
/** The logical ids an alarm's metric (or metric math) names in its dimensions. */
const watched = (alarm: Resources[string]) => references([alarm.Properties!.Dimensions, alarm.Properties!.Metrics]);
const alarmsOf = (resources: Resources) => entries(resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm);
const metricNames = (alarm: Resources[string]) =>
  JSON.stringify([alarm.Properties!.MetricName, alarm.Properties!.Metrics]).match(/(?<="MetricName":")\w+|^\["\w+/g)?.map((n) => n.replace('["', '')) ?? [];

describe('alarms', () => {
  it('watch every function for errors and throttles', () => {
    for (const stack of dev.stacks) {
      const resources = dev.resources(stack.stackName);
      const alarms = alarmsOf(resources);
      for (const [fnId] of entries(resources, 'AWS::Lambda::Function')) {
        const onFn = alarms.filter((alarm) => watched(alarm).has(fnId)).flatMap(metricNames);
        expect(onFn, `${stack.stackName}/${fnId}`).toEqual(expect.arrayContaining(['Errors', 'Invocations', 'Throttles']));
      }
    }
  });

  it('watch every table for throttles, every relay for its iterator age, every rule for failed deliveries, every consumer queue for its oldest message', () => {
    for (const stack of dev.stacks) {
      const resources = dev.resources(stack.stackName);
      const alarms = alarmsOf(resources);
      const watching = (id: string, metric: string) => alarms.some((alarm) => watched(alarm).has(id) && metricNames(alarm).includes(metric));
      for (const [id] of entries(resources, 'AWS::DynamoDB::Table')) {
        expect(watching(id, 'ReadThrottleEvents') && watching(id, 'WriteThrottleEvents'), `${stack.stackName}/${id}`).toBe(true);
      }
      for (const [, mapping] of entries(resources, 'AWS::Lambda::EventSourceMapping')) {
        const [fnId] = [...references(mapping.Properties!.FunctionName)];
        const metric = JSON.stringify(mapping.Properties!.EventSourceArn).includes('StreamArn') ? 'IteratorAge' : 'ApproximateAgeOfOldestMessage';
        const source = metric === 'IteratorAge' ? fnId! : [...references(mapping.Properties!.EventSourceArn)][0]!;
        expect(watching(source, metric), `${stack.stackName}: ${metric} of ${source}`).toBe(true);
      }
      for (const [id] of entries(resources, 'AWS::Events::Rule')) {
        expect(watching(id, 'FailedInvocations'), `${stack.stackName}/${id}`).toBe(true);
      }
    }
  });

  it("watch the API's 5xx rate and p99 latency at the SLO thresholds", () => {
    const api = Template.fromStack(dev.built.api);
    api.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError', Statistic: 'Average', Threshold: THRESHOLDS.api5xxRate.threshold, EvaluationPeriods: 5, DatapointsToAlarm: 3,
    });
    api.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99', Threshold: 1000 });
  });

  it('all notify the alarm topic, and no data is no alarm', () => {
    const topicExport = dev.built.platform.resolve(dev.built.platform.alarmTopic.topicArn) as { Ref: string };
    for (const stack of dev.stacks) {
      for (const alarm of alarmsOf(dev.resources(stack.stackName))) {
        expect(alarm.Properties!.AlarmActions, stack.stackName).toHaveLength(1);
        expect(JSON.stringify(alarm.Properties!.AlarmActions), stack.stackName).toContain(stack === dev.built.platform ? topicExport.Ref : 'Alarms');
        expect(alarm.Properties!.TreatMissingData).toBe('notBreaching');
      }
    }
  });
});

describe('the alarm topic', () => {
  const platformOf = (options: { alarmEmail?: string }) =>
    new PlatformStack(new App(), 'platform', { stage: stageFrom('prod', options) });

  it('subscribes -c alarmEmail, and synth then says nothing about it', () => {
    const platform = platformOf({ alarmEmail: 'ops@example.com' });
    Template.fromStack(platform).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    Annotations.fromStack(platform).hasNoWarning('*', Match.stringLikeRegexp('reaches nobody'));
  });

  it('without an address, has no subscriber and synth warns that alarms reach nobody', () => {
    const platform = platformOf({});
    Template.fromStack(platform).resourceCountIs('AWS::SNS::Subscription', 0);
    Annotations.fromStack(platform).hasWarning('*', Match.stringLikeRegexp('alarm topic has no subscriber: every alarm reaches nobody'));
  });

  it('refuses an alarmEmail that is no address', () => {
    expect(() => stageFrom('dev', { alarmEmail: 'ops' })).toThrow('alarmEmail must be an e-mail address');
  });
});

describe('dashboards', () => {
  /** The dashboard's JSON with every reference written `<LogicalId>`. */
  const bodyOf = (dashboard: Resources[string]): string => {
    const text = (part: unknown): string => {
      if (typeof part === 'string') return part;
      const join = (part as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(text).join(join[0]);
      return `<${[...references(part)].join(',')}>`;
    };
    return text(dashboard.Properties!.DashboardBody);
  };

  it.each(['dev', 'prod'] as const)('one per context and for the API, each graphing what its stack runs (%s)', (stageName) => {
    const app = stageName === 'dev' ? dev : prod;
    for (const stack of app.stacks.filter((s) => s !== app.built.platform)) {
      const resources = app.resources(stack.stackName);
      const dashboards = entries(resources, 'AWS::CloudWatch::Dashboard').filter(([, d]) => d.Properties!.DashboardName === stack.stackName);
      expect(dashboards, stack.stackName).toHaveLength(1);
      const body = bodyOf(dashboards[0]![1]);
      for (const [fnId] of entries(resources, 'AWS::Lambda::Function')) expect(body, `${stack.stackName}/${fnId}`).toContain(fnId);
      expect(body).toContain('"type":"alarm"');
      if (entries(resources, 'AWS::DynamoDB::Table').length > 0) expect(body).toContain('WriteThrottleEvents');
      if (entries(resources, 'AWS::Events::Rule').length > 0) expect(body).toContain('FailedInvocations');
      if (entries(resources, 'AWS::SQS::Queue').length > 0) expect(body).toContain('ApproximateNumberOfMessagesVisible');
    }
    const orders = bodyOf(entries(app.resources(app.built.orders.stackName), 'AWS::CloudWatch::Dashboard')[0]![1]);
    for (const part of ['Orders per minute', 'ExecutionsStarted', 'ExecutionTime', 'IteratorAge']) expect(orders).toContain(part);
    const notifications = bodyOf(entries(app.resources(app.built.notifications.stackName), 'AWS::CloudWatch::Dashboard')[0]![1]);
    expect(notifications).toContain('ApproximateAgeOfOldestMessage');
    const api = bodyOf(entries(app.resources(app.built.api.stackName), 'AWS::CloudWatch::Dashboard').find(([, d]) => d.Properties!.DashboardName === app.built.api.stackName)![1]);
    for (const part of ['4XXError', '5XXError', 'p99 latency per route', '/orders/{orderId}']) expect(api).toContain(part);
  });

  it('and one system overview: the business flow, the API, and every context by its resource names', () => {
    const [[, overview]] = entries(dev.resources('commerce-dev-api'), 'AWS::CloudWatch::Dashboard').filter(([, d]) => d.Properties!.DashboardName === 'commerce-dev-overview') as [[string, Resources[string]]];
    const body = bodyOf(overview);
    for (const part of ['Orders per minute', 'placed', 'confirmed', 'rejected', 'cancelled', 'Order saga duration', '5XXError', 'p99',
      'SEARCH(', 'Throttles', 'DeadLetters', 'IteratorAge', 'ApproximateAgeOfOldestMessage', 'commerce-dev-', 'commerce-dev-orders']) {
      expect(body, part).toContain(part);
    }
  });
});
