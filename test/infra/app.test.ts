import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/contracts/routes';
import { ENV } from '../../functions/shared/environment';
import { ContextStack } from '../../lib/platform/context-stack';
import { stageFrom } from '../../lib/platform/stage';
import { synthesize, type Resources } from './synth';
import { unacknowledgedNagFindings } from '../support/stack';
import { references } from '../support/template';

let dev: ReturnType<typeof synthesize>;
let all: { stack: string; id: string; type: string; props: Record<string, unknown> }[];

beforeAll(() => {
  dev = synthesize('dev');
  all = dev.stacks.flatMap((stack) =>
    Object.entries(dev.resources(stack.stackName)).map(([id, r]) => ({ stack: stack.stackName, id, type: r.Type, props: r.Properties ?? {} })),
  );
}, 120_000);

const ofType = (type: string) => all.filter((r) => r.type === type);


describe('the synthesized app', () => {
  it('has the platform, one stack per context and the API stack, the API last', () => {
    expect(dev.stacks.map((s) => s.stackName)).toEqual([
      'commerce-dev-platform', 'commerce-dev-users', 'commerce-dev-catalog', 'commerce-dev-cart', 'commerce-dev-inventory',
      'commerce-dev-payments', 'commerce-dev-orders', 'commerce-dev-shipping', 'commerce-dev-notifications', 'commerce-dev-api',
    ]);
    expect(dev.built.api.dependencies.map((s) => s.stackName)).toEqual(
      expect.arrayContaining(['commerce-dev-catalog', 'commerce-dev-users', 'commerce-dev-inventory', 'commerce-dev-orders', 'commerce-dev-payments']),
    );
    expect(dev.built.orders.dependencies.map((s) => s.stackName)).toEqual(
      expect.arrayContaining(['commerce-dev-inventory', 'commerce-dev-payments']),
    );
  });

  it('builds every context stack on ContextStack, each with the one table it owns (the catalog also its search projection)', () => {
    const { users, catalog, cart, inventory, payments, orders, shipping, notifications } = dev.built;
    for (const context of [users, catalog, cart, inventory, payments, orders, shipping, notifications]) {
      expect(context, context.stackName).toBeInstanceOf(ContextStack);
      const tables = Object.entries(dev.resources(context.stackName)).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id.replace(/[0-9A-F]{8}$/, ''));
      expect(tables, context.stackName).toEqual(context === catalog ? ['Table', 'SearchTable'] : ['Table']);
    }
  });

  it('runs every function on nodejs24.x, arm64, with tracing and its own log group', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(Object.keys(routes).length + 2);
    for (const fn of functions) {
      expect(fn.props.Runtime, fn.id).toBe('nodejs24.x');
      expect(fn.props.Architectures, fn.id).toEqual(['arm64']);
      expect(fn.props.TracingConfig, fn.id).toEqual({ Mode: 'Active' });
      expect((fn.props.LoggingConfig as { LogGroup?: unknown }).LogGroup, fn.id).toBeDefined();
    }
    for (const logGroup of ofType('AWS::Logs::LogGroup')) expect(logGroup.props.RetentionInDays, logGroup.id).toBeGreaterThan(0);
  });

  it('contains no custom resource of any kind', () => {
    for (const r of all) {
      expect(r.type, `${r.stack}/${r.id}`).not.toMatch(/^Custom::|^AWS::CloudFormation::CustomResource$/);
    }
  });

  it("grants each function DynamoDB item access to its own context's table only", () => {
    for (const stack of dev.stacks) {
      const resources: Resources = dev.resources(stack.stackName);
      const ownTables = new Set(Object.entries(resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table').map(([id]) => id));
      for (const [id, policy] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::IAM::Policy')) {
        const statements = (policy.Properties!.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
        for (const statement of statements) {
          const actions = ([] as string[]).concat(statement.Action);
          const itemActions = actions.filter((a) => a.startsWith('dynamodb:') && !['dynamodb:ListStreams', 'dynamodb:DescribeTable'].includes(a));
          if (itemActions.length === 0) continue;
          const targets = [...references(statement.Resource)];
          expect(targets.length, `${stack.stackName}/${id}`).toBeGreaterThan(0);
          for (const target of targets) expect(ownTables.has(target), `${stack.stackName}/${id} → ${target}`).toBe(true);
          expect(JSON.stringify(statement.Resource)).not.toContain('ImportValue');
          // Scan only where a read model is loaded whole into memory: the catalog's search projection.
          if (actions.includes('dynamodb:Scan')) expect(targets.map((target) => target.replace(/[0-9A-F]{8}$/, '')), `${stack.stackName}/${id}`).toEqual(['SearchTable']);
          expect(actions).not.toContain('dynamodb:*');
        }
      }
    }
  });

  it('gives read-only routes no write action and no other function the signing secret than those that need it', () => {
    const policyOf = (stackName: string, fnPrefix: string) =>
      JSON.stringify(Object.entries(dev.resources(stackName)).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(`${fnPrefix}Role`))?.[1]);
    for (const [stack, fn] of [['commerce-dev-catalog', 'GetProduct'], ['commerce-dev-catalog', 'ListProducts'], ['commerce-dev-users', 'GetMe']]) {
      const policy = policyOf(stack!, fn!);
      expect(policy, fn).toContain('dynamodb:GetItem');
      expect(policy, fn).not.toMatch(/dynamodb:(PutItem|UpdateItem|DeleteItem)/);
    }
    // Login reads the credentials and counts the attempt on the email's throttle record: nothing else.
    const loginActions = (JSON.parse(policyOf('commerce-dev-users', 'Login')!) as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } })
      .Properties.PolicyDocument.Statement.flatMap((statement) => ([] as string[]).concat(statement.Action))
      .filter((action) => action.startsWith('dynamodb:'));
    expect(loginActions.sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // Those throttle records expire by TTL.
    const usersTable = Object.values(dev.resources('commerce-dev-users')).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    expect(usersTable.Properties!.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(policyOf('commerce-dev-catalog', 'GetProduct')).not.toContain('secretsmanager');
    expect(policyOf('commerce-dev-users', 'Register')).not.toContain('secretsmanager');
    expect(policyOf('commerce-dev-users', 'Login')).toContain('secretsmanager:GetSecretValue');
    expect(policyOf('commerce-dev-catalog', 'CreateProduct')).toContain('secretsmanager:GetSecretValue');
  });

  it('gives every queue a dead-letter queue or makes it one, and alarms on every dead-letter queue', () => {
    const queues = ofType('AWS::SQS::Queue');
    const alarms = ofType('AWS::CloudWatch::Alarm');
    for (const queue of queues) {
      // Where a dead-letter queue is named: a stream mapping's on-failure destination, a rule
      // target's DeadLetterConfig, an async invoke's on-failure destination, a queue's redrive.
      const names = (value: unknown) => JSON.stringify(value ?? {}).includes(`"${queue.id}"`);
      const isDlqTarget = all.some((r) => r.stack === queue.stack && (
        (r.type === 'AWS::Lambda::EventSourceMapping' && names(r.props.DestinationConfig)) ||
        (r.type === 'AWS::Lambda::EventInvokeConfig' && names(r.props.DestinationConfig)) ||
        (r.type === 'AWS::Events::Rule' && (r.props.Targets as { DeadLetterConfig?: unknown }[] | undefined)?.some((t) => names(t.DeadLetterConfig))) ||
        (r.type === 'AWS::SQS::Queue' && names((r.props.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined)?.deadLetterTargetArn))));
      const hasRedrive = queue.props.RedrivePolicy !== undefined;
      expect(isDlqTarget || hasRedrive, queue.id).toBe(true);
      if (isDlqTarget) {
        // Metric math alarms (error rates) have no Dimensions of their own.
        expect(alarms.some((a) => a.stack === queue.stack && JSON.stringify(a.props.Dimensions ?? null).includes(queue.id)), `alarm on ${queue.id}`).toBe(true);
      }
      expect(queue.props.SqsManagedSseEnabled ?? queue.props.KmsMasterKeyId, queue.id).toBeTruthy();
    }
  });

  it('relays each outbox with retries, bisection, partial failures and an on-failure queue, reading only inserted outbox items', () => {
    // Stream mappings (the outbox relays); the notifications queue has its own mapping.
    const mappings = ofType('AWS::Lambda::EventSourceMapping').filter((m) => JSON.stringify(m.props.EventSourceArn).includes('StreamArn'));
    expect(mappings.map((m) => m.stack).sort()).toEqual([
      'commerce-dev-cart', 'commerce-dev-catalog', 'commerce-dev-inventory', 'commerce-dev-orders', 'commerce-dev-payments', 'commerce-dev-shipping',
      'commerce-dev-users',
    ]);
    for (const mapping of mappings) {
      expect(mapping.props).toMatchObject({
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
      const pattern = JSON.parse((mapping.props.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern);
      expect(pattern).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['outbox'] } } } });
    }
  });

  it('routes every contract route to a Lambda proxy integration, with a body model where the route takes a body', () => {
    const api = dev.resources('commerce-dev-api');
    const methods = Object.values(api).filter((r) => r.Type === 'AWS::ApiGateway::Method' && r.Properties!.HttpMethod !== 'OPTIONS');
    expect(methods).toHaveLength(Object.keys(routes).length);
    for (const [id, route] of Object.entries(routes)) {
      const method = methods.find((m) => m.Properties!.OperationName === id);
      expect(method, id).toBeDefined();
      expect(method!.Properties!.HttpMethod).toBe(route.method);
      expect((method!.Properties!.Integration as { Type: string }).Type).toBe('AWS_PROXY');
      expect(method!.Properties!.RequestModels !== undefined, id).toBe('body' in route);
    }
    const model = Object.values(api).find((r) => r.Type === 'AWS::ApiGateway::Model' && r.Properties!.Name === 'RegisterRequest');
    expect(model!.Properties!.Schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
      required: ['email', 'password', 'name'],
      additionalProperties: false,
      properties: { password: { minLength: 8, maxLength: 128 } },
    });
  });

  it("gives the functions that call the API (the dashboard, the cart's four) its execute-api URL at deploy time, from the platform's API id", () => {
    const platform = dev.resources('commerce-dev-platform');
    const restApi = Object.keys(platform).find((id) => platform[id]!.Type === 'AWS::ApiGateway::RestApi')!;
    const exported = Object.values(dev.templates['commerce-dev-platform']!.toJSON().Outputs as Record<string, { Value: unknown; Export: { Name: string } }>)
      .find((output) => JSON.stringify(output.Value) === JSON.stringify({ Ref: restApi }))!.Export.Name;
    const holders = ofType('AWS::Lambda::Function').filter((fn) => {
      const variables = (fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      return ENV.apiUrl in variables;
    });
    const callers = ['getCart', 'putCartItem', 'deleteCartItem', 'checkout', 'dashboard'] as const;
    expect(holders.map((fn) => fn.props.Description).sort()).toEqual(callers.map((id) => `${routes[id].method} ${routes[id].path}`).sort());
    for (const fn of holders) {
      const { Variables } = fn.props.Environment as { Variables: Record<string, unknown> };
      // Built from the API's id and the stage's name: a reference to the Stage or Deployment would make a cycle (they depend on the methods).
      expect(Variables[ENV.apiUrl], fn.id).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::ImportValue': exported }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/dev']],
      });
    }
    expect(ofType('AWS::SSM::Parameter')).toEqual([]);
  });

  it("keeps the REST API's own resource in the platform and everything else of it in the API stack, on that API", () => {
    const platform = dev.resources('commerce-dev-platform');
    const api = dev.resources('commerce-dev-api');
    expect(ofType('AWS::ApiGateway::RestApi').map((r) => [r.stack, r.props.Name])).toEqual([['commerce-dev-platform', 'commerce-dev']]);
    const restApi = Object.keys(platform).find((id) => platform[id]!.Type === 'AWS::ApiGateway::RestApi')!;
    const parts = Object.entries(api).filter(([, r]) => r.Type.startsWith('AWS::ApiGateway::'));
    expect(new Set(parts.map(([, r]) => r.Type))).toEqual(new Set([
      'AWS::ApiGateway::Resource', 'AWS::ApiGateway::Method', 'AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator',
      'AWS::ApiGateway::GatewayResponse', 'AWS::ApiGateway::Deployment', 'AWS::ApiGateway::Stage',
    ]));
    for (const [id, part] of parts) {
      expect(JSON.stringify(part.Properties!.RestApiId), id).toMatch(new RegExp(`"Fn::ImportValue":"commerce-dev-platform:ExportsOutputRef${restApi}`));
    }
    // The one deployment waits for every method, and the stage serves it.
    const deployments = parts.filter(([, r]) => r.Type === 'AWS::ApiGateway::Deployment').map(([id]) => id);
    expect(deployments).toHaveLength(1);
    const deploymentId = deployments[0]!;
    const { DependsOn } = (dev.templates['commerce-dev-api']!.toJSON().Resources as Record<string, { DependsOn?: string[] }>)[deploymentId]!;
    const methods = parts.filter(([, r]) => r.Type === 'AWS::ApiGateway::Method').map(([id]) => id);
    expect(DependsOn).toEqual(expect.arrayContaining(methods));
    expect(parts.find(([, r]) => r.Type === 'AWS::ApiGateway::Stage')![1].Properties!.DeploymentId).toEqual({ Ref: deploymentId });
    // Bodies and parameters validated (cdk-nag's APIG2 looks for this validator in the platform stack only).
    expect(parts.find(([, r]) => r.Type === 'AWS::ApiGateway::RequestValidator')![1].Properties).toMatchObject({ ValidateRequestBody: true, ValidateRequestParameters: true });
    // The stage's URL, printed by `cdk deploy` and read by the LocalStack scripts.
    expect(JSON.stringify((dev.templates['commerce-dev-api']!.toJSON().Outputs as Record<string, { Value: unknown }>).ApiUrl!.Value)).toContain('.execute-api.');
    // The API's alarms and dashboards name it as API Gateway does: ApiName and Stage.
    const alarms = Object.values(api).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties).includes('AWS/ApiGateway'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties)).toContain('{"Name":"ApiName","Value":"commerce-dev"}');
  });

  it('throttles the stage, writes access logs and answers gateway errors as problem+json, unknown routes as 404', () => {
    const api = dev.resources('commerce-dev-api');
    const stage = Object.values(api).find((r) => r.Type === 'AWS::ApiGateway::Stage')!;
    expect(stage.Properties).toMatchObject({
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: expect.anything() },
      MethodSettings: [expect.objectContaining({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    const responses = Object.values(api).filter((r) => r.Type === 'AWS::ApiGateway::GatewayResponse');
    const missing = responses.find((r) => r.Properties!.ResponseType === 'MISSING_AUTHENTICATION_TOKEN')!;
    expect(missing.Properties!.StatusCode).toBe('404');
    for (const response of responses) {
      expect(JSON.stringify(response.Properties!.ResponseParameters)).toContain('application/problem+json');
    }
  });

  it('keeps one event bus with an archive of every event', () => {
    const platform = dev.resources('commerce-dev-platform');
    expect(Object.values(platform).filter((r) => r.Type === 'AWS::Events::EventBus').map((r) => r.Properties!.Name)).toEqual(['commerce-dev']);
    const archive = Object.values(platform).find((r) => r.Type === 'AWS::Events::Archive')!;
    expect(archive.Properties!.EventPattern).toEqual({ account: ['111111111111'] });
  });
});

let prodBuilt: ReturnType<typeof synthesize> | undefined;
/** The app synthesized for prod, once for the tests that need it. */
const prodApp = () => (prodBuilt ??= synthesize('prod'));

describe('stages', () => {
  it("logs the sagas' executions with their data in dev only: prod logs every event without payment tokens or addresses", () => {
    for (const [built, withData] of [[dev, true], [prodApp(), false]] as const) {
      const stage = built === dev ? 'dev' : 'prod';
      const machines = Object.values(built.resources(`commerce-${stage}-orders`)).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
      expect(machines, stage).toHaveLength(2);
      for (const machine of machines) {
        expect(machine.Properties!.LoggingConfiguration, stage).toMatchObject({ Level: 'ALL', IncludeExecutionData: withData });
      }
    }
  }, 120_000);

  it('rejects an unknown stage with a clear message', () => {
    expect(() => stageFrom('qa')).toThrow('Unknown stage "qa": pass -c stage=dev or -c stage=prod');
    expect(stageFrom(undefined).name).toBe('dev');
  });

  it('keeps prod data: tables retained, deletion-protected, with point-in-time recovery', () => {
    const prod = prodApp();
    const tables = prod.stacks.flatMap((s) => Object.values(prod.resources(s.stackName)).filter((r) => r.Type === 'AWS::DynamoDB::Table'));
    expect(tables.length).toBe(9);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
      expect((table as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    }
    const devTables = dev.stacks.flatMap((s) => Object.values(dev.resources(s.stackName)).filter((r) => r.Type === 'AWS::DynamoDB::Table'));
    for (const table of devTables) expect((table as { DeletionPolicy?: string }).DeletionPolicy).toBe('Delete');
  }, 120_000);
});

describe('cdk-nag', () => {
  it('passes the AwsSolutions pack on the whole app: no finding is left unacknowledged', () => {
    expect(unacknowledgedNagFindings(dev.app)).toEqual([]);
  });

  it('reports, and fails synthesis on, a finding nobody acknowledged', () => {
    const app = new App();
    const stack = new Stack(app, 'Unacknowledged');
    new Queue(stack, 'PlainQueue', { enforceSSL: true });
    expect(unacknowledgedNagFindings(app)).toEqual(['AwsSolutions-SQS3 Unacknowledged/PlainQueue/Resource']);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
