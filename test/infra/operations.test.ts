/**
 * Operations (architecture notes, "Operations"): alarms with documented thresholds on everything
 * the app runs, all notifying the alarm topic, which takes an e-mail subscription from context;
 * a dashboard per context and a system overview; in prod, canary deploys behind `live` aliases.
 */
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessApp } from '../../lib/in-process-app';
import { THRESHOLDS } from '../../lib/platform/monitoring';
import { PlatformStack } from '../../lib/platform/platform-stack';
import { stageFrom } from '../../lib/platform/stage';
import { scratchDir } from '../support/scratch-dirs';
import { testContext, unacknowledgedNagFindings } from '../support/stack';
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

/** The resources of every stack of an app, with their stack and logical id. */
const everything = (app: Synthesized) =>
  app.stacks.flatMap((stack) => Object.entries(app.resources(stack.stackName)).map(([id, r]) => ({ stack: stack.stackName, id, ...r })));
const typed = (app: Synthesized, type: string) => everything(app).filter((r) => r.Type === type);

describe('canary deploys', () => {
  it('in prod: every function is a version behind a `live` alias that CodeDeploy rolls out, 10 % for 5 minutes, rolling back on its alarms', () => {
    for (const stack of prod.stacks) {
      const resources = prod.resources(stack.stackName);
      const raw = Template.fromStack(stack).toJSON().Resources as Record<string, { UpdatePolicy?: { CodeDeployLambdaAliasUpdate?: { DeploymentGroupName: unknown } } }>;
      for (const [fnId] of entries(resources, 'AWS::Lambda::Function')) {
        const aliases = entries(resources, 'AWS::Lambda::Alias').filter(([, a]) => references(a.Properties!.FunctionName).has(fnId));
        expect(aliases, `${stack.stackName}/${fnId}`).toHaveLength(1);
        const [aliasId, alias] = aliases[0]!;
        expect(alias.Properties!.Name).toBe('live');
        const [versionId] = [...references(alias.Properties!.FunctionVersion)];
        expect(resources[versionId!]!.Type).toBe('AWS::Lambda::Version');
        expect(references(resources[versionId!]!.Properties!.FunctionName)).toEqual(new Set([fnId]));
        const [groupId] = [...references(raw[aliasId]!.UpdatePolicy!.CodeDeployLambdaAliasUpdate!.DeploymentGroupName)];
        const group = resources[groupId!]!.Properties!;
        expect(group.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
        expect(group.AutoRollbackConfiguration).toMatchObject({ Enabled: true, Events: expect.arrayContaining(['DEPLOYMENT_STOP_ON_ALARM']) });
        const alarms = (group.AlarmConfiguration as { Enabled: boolean; Alarms: { Name: unknown }[] });
        expect(alarms.Enabled).toBe(true);
        // The function's error-rate and throttle alarms, measured on the alias.
        expect(alarms.Alarms).toHaveLength(2);
        for (const { Name } of alarms.Alarms) {
          const [alarmId] = [...references(Name)];
          const alarm = resources[alarmId!]!.Properties!;
          expect(references([alarm.Metrics, alarm.Dimensions]).has(fnId), alarmId).toBe(true);
          // An alias's metrics carry its `Resource` dimension (function:alias).
          expect(JSON.stringify([alarm.Metrics, alarm.Dimensions]), alarmId).toContain('"Name":"Resource"');
        }
      }
    }
  });

  it('in prod: everything invokes the alias, never the function (API, event source mappings, rule targets, saga tasks, async config, bound ARNs)', () => {
    const functions = new Set(typed(prod, 'AWS::Lambda::Function').map((r) => `${r.stack}/${r.id}`));
    // Who may name a function itself: its version and alias, and what watches it.
    const allowed = new Set(['AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']);
    // An asynchronous-invoke configuration names the function and its qualifier, the alias: checked below.
    allowed.add('AWS::Lambda::EventInvokeConfig');
    for (const r of everything(prod).filter((r) => !allowed.has(r.Type))) {
      for (const ref of references(r.Properties ?? {})) expect(functions.has(`${r.stack}/${ref}`), `${r.stack}/${r.id} (${r.Type}) names ${ref}`).toBe(false);
    }
    // Across stacks, by export: what the API, the sagas and the cancel route import is an alias.
    const watching = new Set(['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::Dashboard']);
    const imports = JSON.stringify(everything(prod).filter((r) => !watching.has(r.Type))).match(/"Fn::ImportValue":"[^"]+"/g) ?? [];
    const functionImports = imports.filter((name) => !name.includes('-platform:') && !/Table|StateMachine|Queue/.test(name));
    expect(functionImports.length).toBeGreaterThan(10);
    expect(functionImports.filter((name) => !/Live/.test(name))).toEqual([]);
    // The qualifier is the alias's name, taken from its ARN.
    for (const config of typed(prod, 'AWS::Lambda::EventInvokeConfig')) {
      const [aliasId] = [...references(config.Properties!.Qualifier)];
      expect(prod.resources(config.stack)[aliasId!]?.Type, config.id).toBe('AWS::Lambda::Alias');
    }
  });

  it('in dev: no versions, aliases or CodeDeploy (LocalStack has none of it)', () => {
    for (const type of ['AWS::Lambda::Alias', 'AWS::Lambda::Version', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup']) {
      expect(typed(dev, type), type).toEqual([]);
    }
  });

  it('takes another canary from context, and refuses one that is not percent:minutes', () => {
    expect(stageFrom('prod', { canary: '25:15' }).canary).toEqual({ percent: 25, minutes: 15 });
    expect(stageFrom('prod').canary).toEqual({ percent: 10, minutes: 5 });
    expect(stageFrom('dev', { canary: '25:15' }).canary).toBeUndefined();
    expect(() => stageFrom('prod', { canary: '10%' })).toThrow('canary must be <percent 1-99>:<minutes ≥ 1>');
  });
});

describe('bulkheads', () => {
  const reservedOf = (app: Synthesized, stackName: string, fnPrefix: string) =>
    Object.entries(app.resources(stackName)).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(fnPrefix))![1].Properties!.ReservedConcurrentExecutions;

  it('in prod: login and register capped, every saga task guaranteed its own, every SQS consumer at a maximum concurrency, within the default quota', () => {
    expect(reservedOf(prod, 'commerce-prod-users', 'Login')).toBe(50);
    expect(reservedOf(prod, 'commerce-prod-users', 'Register')).toBe(20);
    const sagaTasks: [string, string][] = [
      ['inventory', 'ReserveStock'], ['inventory', 'ReleaseStock'], ['inventory', 'CommitStock'], ['inventory', 'ReturnStock'],
      ['payments', 'ChargePayment'], ['payments', 'RefundPayment'],
      ['orders', 'ConfirmOrder'], ['orders', 'RejectOrder'], ['orders', 'RecordCancellation'], ['orders', 'FlagOrder'],
    ];
    for (const [context, fn] of sagaTasks) expect(reservedOf(prod, `commerce-prod-${context}`, fn), fn).toBe(20);
    const sqsMappings = typed(prod, 'AWS::Lambda::EventSourceMapping').filter((m) => !JSON.stringify(m.Properties!.EventSourceArn).includes('StreamArn'));
    expect(sqsMappings.length).toBeGreaterThan(0);
    for (const mapping of sqsMappings) expect(mapping.Properties!.ScalingConfig, mapping.id).toEqual({ MaximumConcurrency: 10 });
    const reserved = typed(prod, 'AWS::Lambda::Function').reduce((sum, fn) => sum + ((fn.Properties!.ReservedConcurrentExecutions as number) ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(1000 - 100);
  });

  it('in dev: none', () => {
    for (const fn of typed(dev, 'AWS::Lambda::Function')) expect(fn.Properties!.ReservedConcurrentExecutions, fn.id).toBeUndefined();
    for (const mapping of typed(dev, 'AWS::Lambda::EventSourceMapping')) expect(mapping.Properties!.ScalingConfig, mapping.id).toBeUndefined();
  });

  it('takes the numbers from context and refuses more reservation than the account can grant', () => {
    expect(stageFrom('prod', { concurrency: '{"login":80}' }).concurrency).toMatchObject({ login: 80, register: 20, sagaTask: 20 });
    expect(() => stageFrom('prod', { concurrency: { logins: 5 } })).toThrow('concurrency has unknown keys: logins');
    expect(() => stageFrom('prod', { concurrency: { queueConsumer: 1 } })).toThrow('concurrency.queueConsumer must be 2 to 1000');
    expect(() => inProcessApp({ outdir: scratchDir('bulkheads-'), stage: 'prod', context: { ...testContext(), concurrency: { sagaTask: 90 } } }))
      .toThrow(/Reserved concurrency 970 exceeds what an account limit of 1000 allows \(900/);
  });
});

describe('the WAF', () => {
  it('in prod: a web ACL on the API stage, rate-limiting each IP, stricter on /auth/*', () => {
    const api = Template.fromStack(prod.built.api);
    api.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'AuthRatePerIp', Priority: 0, Action: { Block: {} },
          Statement: { RateBasedStatement: Match.objectLike({ Limit: 100, AggregateKeyType: 'IP', ScopeDownStatement: { ByteMatchStatement: Match.objectLike({ SearchString: '/auth/', PositionalConstraint: 'CONTAINS' }) } }) },
        }),
        Match.objectLike({ Name: 'RatePerIp', Priority: 1, Statement: { RateBasedStatement: Match.objectLike({ Limit: 2000, AggregateKeyType: 'IP' }) } }),
      ],
    });
    const [[, association]] = entries(prod.resources(prod.built.api.stackName), 'AWS::WAFv2::WebACLAssociation') as [[string, Resources[string]]];
    expect(JSON.stringify(association.Properties!.ResourceArn)).toContain(prod.built.api.getLogicalId(prod.built.api.restApi.api.deploymentStage.node.defaultChild as never));
  });

  it('in dev: none (LocalStack has no WAF)', () => {
    expect(typed(dev, 'AWS::WAFv2::WebACL')).toEqual([]);
    expect(typed(dev, 'AWS::WAFv2::WebACLAssociation')).toEqual([]);
  });
});

describe('cdk-nag', () => {
  it('passes the prod app too (canaries, bulkheads, the WAF), every accepted finding acknowledged with its reason', () => {
    expect(unacknowledgedNagFindings(prod.app)).toEqual([]);
  });
});
