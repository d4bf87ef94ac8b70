/**
 * The preamble of the stack tests: a stack in an app of its own, next to the platform stack it
 * needs, synthesized, and the questions the tests ask of its template (a construct's logical id,
 * the resources of a type, a function's grants and environment, the cdk-nag findings).
 */
import { App, Stack, type CfnElement, type Environment } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { expect } from 'vitest';
import { PlatformStack } from '../../lib/platform/platform-stack';
import { stageFrom, type StageName } from '../../lib/platform/stage';
import { scratchDir } from './scratch-dirs';
import { references } from './template';

export type Resource = { Type: string; Properties?: Record<string, unknown> };
export type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Principal?: unknown; Condition?: unknown };

/** The account and region the stack tests deploy to (cross-stack references need a concrete one). */
export const TEST_ENV: Environment = { account: '111111111111', region: 'eu-west-1' };

export interface StackTestOptions {
  /** @default 'dev' */
  readonly stage?: StageName;
  /** `null` for environment-agnostic stacks, as `cdk synth` makes without credentials. @default TEST_ENV */
  readonly env?: Environment | null;
  /** Bundle the functions (esbuild, seconds of CPU); templates are the same without. @default false */
  readonly bundling?: boolean;
  /** More context, as `-c key=value` gives it. */
  readonly context?: Record<string, unknown>;
}

/**
 * The context of a test app: with `bundling` false, CDK's own `aws:cdk:bundling-stacks` left
 * empty, so no function is bundled (see lib/platform/bundle.ts) where only templates are read.
 */
export const testContext = (bundling = false): Record<string, unknown> => (bundling ? {} : { 'aws:cdk:bundling-stacks': [] });

/**
 * Builds `build(app, platform, env)` in an app of its own beside a platform stack, and
 * synthesizes it. The app has no validation plugin, so an unacknowledged cdk-nag finding fails
 * the test that asks for `nagFindings()`, not the synthesis every other test depends on.
 */
export function synthesizeStack<S extends Stack>(
  build: (app: App, platform: PlatformStack, env: Environment | undefined) => S,
  { stage = 'dev', env = TEST_ENV, bundling = false, context = {} }: StackTestOptions = {},
) {
  const app = new App({ context: { ...testContext(bundling), stage, ...context }, outdir: scratchDir('stack-test-') });
  const platform = new PlatformStack(app, 'platform', { env: env ?? undefined, stage: stageFrom(stage) });
  const stack = build(app, platform, env ?? undefined);
  return { app, platform, ...inspectStack(stack) };
}

/** The logical id of a construct's CloudFormation resource, in whichever stack it is. */
export const logicalIdOf = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

/** What a stack test has of its stack: see inspectStack. */
export type StackTest<S extends Stack = Stack> = ReturnType<typeof inspectStack<S>>;

/** A synthesized stack's template and what the tests ask of it. */
export function inspectStack<S extends Stack>(stack: S) {
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  /** The statements of every policy attached to a function's (or any construct's) role. */
  const statementsOf = (fn: { role?: IConstruct }): Statement[] => {
    const roleId = logicalIdOf(fn.role!);
    return ofType('AWS::IAM::Policy')
      .filter(([, policy]) => references(policy.Properties!.Roles).has(roleId))
      .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actionsOf = (fn: { role?: IConstruct }) => statementsOf(fn).flatMap((s) => ([] as string[]).concat(s.Action));
  const environmentOf = (fn: IConstruct) =>
    (resources[logicalIdOf(fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
  return {
    stack, template, resources, logicalId: logicalIdOf, ofType, statementsOf, actionsOf, environmentOf,
    nagFindings: () => unacknowledgedNagFindings(stack),
  };
}

/**
 * The AwsSolutions findings in `scope` that nobody acknowledged, as `<rule> <construct path>`:
 * the check lib/app.ts runs at synthesis, run afresh (after a synthesis, which adds the
 * acknowledgements that need resolved references).
 */
export function unacknowledgedNagFindings(scope: IConstruct): string[] {
  const report = new AwsSolutionsChecks(scope).validateScope(scope);
  return report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

/** What the outbox relay reads a table stream with: not item access. */
export const STREAM_ACTIONS = ['dynamodb:ListStreams', 'dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];

/**
 * Every policy statement of the stack that grants DynamoDB item actions, each checked to name the
 * context's own table only and never Scan or a wildcard: how many there are, for the caller to
 * count against the functions that should have one.
 */
export function expectItemAccessToOwnTableOnly({ stack, ofType, logicalId }: StackTest<Stack & { table: IConstruct }>): number {
  const tableId = logicalId(stack.table);
  let statements = 0;
  for (const [id, policy] of ofType('AWS::IAM::Policy')) {
    for (const statement of (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement) {
      const actions = ([] as string[]).concat(statement.Action);
      if (!actions.some((a) => a.startsWith('dynamodb:') && !STREAM_ACTIONS.includes(a))) continue;
      statements += 1;
      expect([...references(statement.Resource)], id).toEqual([tableId]);
      expect(actions, id).not.toContain('dynamodb:Scan');
      expect(actions, id).not.toContain('dynamodb:*');
    }
  }
  return statements;
}

/** Checks that the context's table streams its new images to an outbox relay that bisects, reports partial failures and dead-letters. */
export function expectOutboxRelay({ stack, template, logicalId }: StackTest<Stack & { table: IConstruct }>): void {
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
}

/**
 * Checks that the stack's (first) rule dead-letters what it cannot deliver, that its consumer's
 * failed invocations (after Lambda's 2 retries) land in the same queue, and that the queue has
 * one alarm, into the alarm topic. Returns the queue's logical id.
 */
export function expectDeadLettered({ template, resources, ofType }: StackTest): string {
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
  expect(alarms[0]![1].Properties!.AlarmActions).toHaveLength(1);
  expect(alarms[0]![1].Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  return queueId;
}
