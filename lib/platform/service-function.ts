import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, Code, Function as LambdaFunction, Runtime, Tracing, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ENV, METRICS_NAMESPACE } from '../../functions/shared/environment';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import { bundledHandler } from './bundle';
import { canaryDeployment } from './canary';
import { labelOf, StackMonitoring } from './monitoring';
import type { ServiceTable } from './service-table';
import type { Stage } from './stage';

export const PROJECT_ROOT = path.join(__dirname, '..', '..');

export interface ServiceFunctionProps {
  readonly stage: Stage;
  /** The bounded context (or platform part) the function belongs to: its logs' and metrics' service name. */
  readonly service: string;
  /** The handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default - none besides Powertools settings */
  readonly environment?: Record<string, string>;
  /**
   * Reserved concurrency: at most this many run at once, and this many are always there for it.
   * @default - none: the account's unreserved pool
   */
  readonly reservedConcurrentExecutions?: number;
}

/** What invokes `fn` should invoke: a ServiceFunction's `target`, any other function itself. */
export const invoked = (fn: IFunction): IFunction => (fn instanceof ServiceFunction ? fn.target : fn);

/** `invoked` of every function of a record (a context's saga tasks, say). */
export function invokedAll<K extends string>(fns: Readonly<Record<K, IFunction>>): Record<K, IFunction> {
  return Object.fromEntries(Object.entries<IFunction>(fns).map(([key, fn]) => [key, invoked(fn)])) as Record<K, IFunction>;
}

export type TableAccess = 'read' | 'readWrite';
/** One item-level action, for a function whose needs fit neither level (say, reads and UpdateItem only). */
/** Scan: only for a read model loaded whole into memory (the catalog's search index). */
export type TableAction = 'GetItem' | 'Query' | 'Scan' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem';

// Only what the handlers call: transactions need the per-item actions of their parts.
const TABLE_ACTIONS: Record<TableAccess, string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  readWrite: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
};

/**
 * The one Lambda construct: newest Node.js runtime, arm64, bundled locally by esbuild (never
 * Docker; see bundle.ts), its own log group with retention, active tracing, and a role that starts with
 * nothing but writing its own logs. Each `bind*` sets an environment variable and the grant
 * that goes with it, so configuration and permission never drift apart.
 *
 * Its monitoring registers it (error and throttle alarms, dashboard). In a stage with canaries
 * (prod) it is published as a version behind a `live` alias, and CodeDeploy rolls each new
 * version out as a canary that rolls back on those alarms: everything that invokes it (API
 * integrations, event source mappings, rule targets, saga tasks, bindFunction) must invoke
 * `target` (see `invoked`), never the function itself, or it would run the unreleased version.
 */
export class ServiceFunction extends LambdaFunction {
  /** What everything invokes: the `live` alias where canaries deploy it, the function itself elsewhere. */
  readonly target: IFunction;
  /** The `live` alias, in a stage with canaries. */
  readonly live: Alias | undefined;
  /** Its reserved concurrency, if any (see assertConcurrencyFits). */
  readonly reservedConcurrency: number | undefined;
  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.stage.logRetention,
      removalPolicy: props.stage.removalPolicy,
    });
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    role.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    super(scope, id, {
      code: Code.fromAsset(bundledHandler(PROJECT_ROOT, props.entry, scope)),
      handler: 'index.handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.service,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: props.stage.prod ? 'INFO' : 'DEBUG',
        STAGE: props.stage.name,
        ...props.environment,
      },
    });
    this.reservedConcurrency = props.reservedConcurrentExecutions;
    const { canary } = props.stage;
    this.live = canary ? new Alias(this, 'Live', { aliasName: 'live', version: this.currentVersion }) : undefined;
    this.target = this.live ?? this;
    const alarms = StackMonitoring.of(this)?.watchFunction(this.target, labelOf(this)) ?? [];
    if (this.live && canary) canaryDeployment(this, this.live, alarms, canary);
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions',
    );
  }

  /**
   * TABLE_NAME (or `envName`) and exactly the item-level actions `access` needs (a level, or the
   * list of actions), on the table and its indexes; `batchGet` adds BatchGetItem on the table
   * (indexes cannot be batch-read).
   */
  bindTable(
    table: ServiceTable,
    access: TableAccess | readonly TableAction[],
    options: { batchGet?: boolean; envName?: string } = {},
  ): this {
    this.addEnvironment(options.envName ?? ENV.tableName, table.tableName);
    this.addToRolePolicy(
      new PolicyStatement({
        actions: typeof access === 'string' ? TABLE_ACTIONS[access] : access.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn, ...table.indexNames.map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
    if (options.batchGet) {
      this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [table.tableArn] }));
    }
    return this;
  }

  /** EVENT_BUS_NAME and events:PutEvents on that bus only. */
  bindEventBus(bus: IEventBus, envName: string = ENV.eventBusName): this {
    this.addEnvironment(envName, bus.eventBusName);
    this.addToRolePolicy(new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }));
    return this;
  }

  /** The state machine's ARN (`envName`) and the right to start executions of it, nothing more. */
  bindStateMachine(stateMachine: IStateMachine, envName: string): this {
    this.addEnvironment(envName, stateMachine.stateMachineArn);
    this.addToRolePolicy(new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachine.stateMachineArn] }));
    return this;
  }

  /**
   * The ARN of another function (`envName`) and the right to invoke exactly that function,
   * as everything invokes it (its `live` alias where canaries deploy it): that ARN exactly, no `:*`, no other function.
   */
  bindFunction(fn: IFunction, envName: string): this {
    const target = invoked(fn);
    this.addEnvironment(envName, target.functionArn);
    this.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }));
    return this;
  }

  /** The signing secret's ARN and the right to read its value (tokens, cursors). */
  bindSigningSecret(secret: ISecret): this {
    this.addEnvironment(ENV.signingSecretArn, secret.secretArn);
    this.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    return this;
  }
}
