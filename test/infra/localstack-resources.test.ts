/**
 * The app must deploy to LocalStack's free plan (see "Deployment targets and their limits" in the
 * architecture notes): every resource type in every template is one LocalStack's CloudFormation
 * engine provisions on that plan, and nothing it lacks sneaks in (custom resources, Cognito,
 * HTTP APIs, Pipes, API Gateway authorizers). LocalStack currently skips unsupported types with
 * only a warning, so without this test such a resource would "deploy" and then silently be missing.
 */
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesize } from './synth';

/**
 * The types the app uses, each provisioned by LocalStack's CloudFormation engine on the free plan.
 * Sources: the per-service pages under https://docs.localstack.cloud/aws/services/ (their
 * "Resource Browser"/coverage sections) and https://docs.localstack.cloud/aws/services/cloudformation/
 * (supported resources); the services are those the architecture notes list for the free plan.
 * Add a row only after checking the type there.
 */
const LOCALSTACK_FREE_TYPES: Record<string, { service: string; source: string }> = {
  'AWS::Lambda::Function': { service: 'lambda', source: 'docs.localstack.cloud/aws/services/lambda' },
  'AWS::Lambda::Permission': { service: 'lambda', source: 'docs.localstack.cloud/aws/services/lambda' },
  'AWS::Lambda::EventSourceMapping': { service: 'lambda', source: 'docs.localstack.cloud/aws/services/lambda' },
  'AWS::Lambda::EventInvokeConfig': { service: 'lambda', source: 'docs.localstack.cloud/aws/services/lambda' },
  'AWS::IAM::Role': { service: 'iam', source: 'docs.localstack.cloud/aws/services/iam' },
  'AWS::IAM::Policy': { service: 'iam', source: 'docs.localstack.cloud/aws/services/iam' },
  'AWS::DynamoDB::Table': { service: 'dynamodb', source: 'docs.localstack.cloud/aws/services/dynamodb' },
  'AWS::SQS::Queue': { service: 'sqs', source: 'docs.localstack.cloud/aws/services/sqs' },
  'AWS::SQS::QueuePolicy': { service: 'sqs', source: 'docs.localstack.cloud/aws/services/sqs' },
  'AWS::SNS::Topic': { service: 'sns', source: 'docs.localstack.cloud/aws/services/sns' },
  'AWS::SNS::TopicPolicy': { service: 'sns', source: 'docs.localstack.cloud/aws/services/sns' },
  'AWS::Events::EventBus': { service: 'events', source: 'docs.localstack.cloud/aws/services/events' },
  'AWS::Events::Rule': { service: 'events', source: 'docs.localstack.cloud/aws/services/events' },
  'AWS::Events::Archive': { service: 'events', source: 'docs.localstack.cloud/aws/services/events (archives: created, replay not relied on)' },
  'AWS::StepFunctions::StateMachine': { service: 'stepfunctions', source: 'docs.localstack.cloud/aws/services/stepfunctions' },
  'AWS::SecretsManager::Secret': { service: 'secretsmanager', source: 'docs.localstack.cloud/aws/services/secretsmanager' },
  'AWS::Logs::LogGroup': { service: 'logs', source: 'docs.localstack.cloud/aws/services/logs' },
  'AWS::CloudWatch::Alarm': { service: 'cloudwatch', source: 'docs.localstack.cloud/aws/services/cloudwatch' },
  // Stored as given (PutDashboard/GetDashboard since LocalStack's CloudWatch v2 provider, localstack/localstack#9704).
  'AWS::CloudWatch::Dashboard': { service: 'cloudwatch', source: 'docs.localstack.cloud/aws/services/cloudwatch (dashboards: localstack/localstack#9704)' },
  'AWS::ApiGateway::RestApi': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::Resource': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::Method': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::Deployment': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::Stage': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::Model': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::RequestValidator': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::ApiGateway::GatewayResponse': { service: 'apigateway', source: 'docs.localstack.cloud/aws/services/apigateway' },
  'AWS::SSM::Parameter': { service: 'ssm', source: 'docs.localstack.cloud/aws/services/ssm' },
  'AWS::KMS::Key': { service: 'kms', source: 'docs.localstack.cloud/aws/services/kms' },
};

/** prod only: canary deploys (versions, aliases, CodeDeploy) and the WAF, which LocalStack's free plan lacks (so dev has none). */
const PROD_ONLY_TYPES = [
  'AWS::Lambda::Version', 'AWS::Lambda::Alias', 'AWS::CodeDeploy::Application', 'AWS::CodeDeploy::DeploymentGroup',
  'AWS::CodeDeploy::DeploymentConfig', 'AWS::WAFv2::WebACL', 'AWS::WAFv2::WebACLAssociation',
];

/** What LocalStack's free plan cannot deploy, whatever the table above says. */
const FORBIDDEN: { pattern: RegExp; why: string }[] = [
  { pattern: /^Custom::/, why: 'custom resource (no custom resources on LocalStack: logRetention, AwsCustomResource, autoDeleteObjects...)' },
  { pattern: /^AWS::CloudFormation::CustomResource$/, why: 'custom resource' },
  { pattern: /^AWS::Cognito::/, why: 'Cognito is not on the free plan: auth is checked in the functions' },
  { pattern: /^AWS::ApiGatewayV2::/, why: 'API Gateway v2 (HTTP APIs) is not on the free plan: use the REST API' },
  { pattern: /^AWS::Pipes::/, why: 'EventBridge Pipes are not on the free plan' },
  { pattern: /^AWS::ApiGateway::Authorizer$/, why: 'API Gateway authorizers are not on the free plan: auth is checked in the functions' },
];

/** Every resource of the given templates LocalStack's free plan would not deploy, with the reason. */
export function unsupportedOnLocalstack(templates: Record<string, Template>): string[] {
  const problems: string[] = [];
  for (const [stackName, template] of Object.entries(templates)) {
    const resources = (template.toJSON().Resources ?? {}) as Record<string, { Type: string }>;
    for (const [id, { Type: type }] of Object.entries(resources)) {
      const forbidden = FORBIDDEN.find((f) => f.pattern.test(type));
      if (forbidden) problems.push(`${stackName}/${id}: ${type} — ${forbidden.why}`);
      else if (!(type in LOCALSTACK_FREE_TYPES)) problems.push(`${stackName}/${id}: ${type} — not in the LocalStack free-plan table`);
    }
  }
  return problems;
}

describe('the app on LocalStack', () => {
  let templates: { dev: Record<string, Template>; prod: Record<string, Template> };

  beforeAll(() => {
    templates = { dev: synthesize('dev').templates, prod: synthesize('prod').templates };
  }, 120_000);

  it('uses only resource types the free plan deploys (dev, the stage LocalStack deploys)', () => {
    expect(unsupportedOnLocalstack(templates.dev)).toEqual([]);
  });

  it('uses only those in prod too, but for canaries and the WAF, which the free plan lacks and dev goes without', () => {
    const prodOnly = unsupportedOnLocalstack(templates.prod).filter((problem) => !PROD_ONLY_TYPES.some((type) => problem.includes(`: ${type} — not in`)));
    expect(prodOnly).toEqual([]);
  });

  it('has no forbidden type in the table itself', () => {
    const listed = Object.keys(LOCALSTACK_FREE_TYPES).filter((type) => FORBIDDEN.some((f) => f.pattern.test(type)));
    expect(listed).toEqual([]);
  });
});

describe('the LocalStack guard', () => {
  it('reports a Cognito user pool, an authorizer, a custom resource and an unknown type', () => {
    const stack = new Stack(new App(), 'commerce-dev-guarded');
    new CfnResource(stack, 'Pool', { type: 'AWS::Cognito::UserPool' });
    new CfnResource(stack, 'Authorizer', { type: 'AWS::ApiGateway::Authorizer', properties: { Name: 'jwt', RestApiId: 'abc123', Type: 'TOKEN' } });
    new CfnResource(stack, 'Retention', { type: 'Custom::LogRetention' });
    new CfnResource(stack, 'Bucket', { type: 'AWS::S3::Bucket' });
    new CfnResource(stack, 'Table', {
      type: 'AWS::DynamoDB::Table',
      properties: { BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
    });
    const problems = unsupportedOnLocalstack({ [stack.stackName]: Template.fromStack(stack) });
    expect(problems).toEqual([
      expect.stringMatching(/^commerce-dev-guarded\/Pool: AWS::Cognito::UserPool — Cognito/),
      expect.stringMatching(/^commerce-dev-guarded\/Authorizer: AWS::ApiGateway::Authorizer — API Gateway authorizers/),
      expect.stringMatching(/^commerce-dev-guarded\/Retention: Custom::LogRetention — custom resource/),
      expect.stringMatching(/^commerce-dev-guarded\/Bucket: AWS::S3::Bucket — not in the LocalStack free-plan table/),
    ]);
  });
});
