import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType, type IChainable } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from '../platform/acknowledge-nag-finding';
import { alarmOnFirst } from '../platform/alarm';
import type { SagaWorkflow, Stage } from '../platform/stage';

/** How cdk-nag prints a resolved reference: `<LogicalId.Attr>` for Fn::GetAtt, the export name for Fn::ImportValue. */
function nagReference(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (node['Fn::ImportValue'] !== undefined) return nagReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${nagReference(node.Ref)}>`;
  return JSON.stringify(value);
}

export interface SagaStateMachineProps {
  readonly stage: Stage;
  readonly alarmTopic: ITopic;
  readonly definition: IChainable;
  readonly comment: string;
  /** Standard, or Express (see SagaWorkflow). */
  readonly workflow: SagaWorkflow;
  /** The functions the definition invokes. */
  readonly invokes: Iterable<IFunction>;
}

/**
 * A saga's state machine, Standard or Express (see SagaWorkflow), traced, and an alarm on the first
 * failed execution (and, Express, on the first one cut off by its five-minute limit). Every event
 * is logged (which state ran, failed, was retried: what an operator needs to follow an order, and
 * an Express execution's only history), in prod without its execution data, which holds payment
 * tokens and addresses (a Standard execution's history keeps it, behind IAM).
 */
export class SagaStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SagaStateMachineProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'Logs', { retention: props.stage.logRetention, removalPolicy: props.stage.removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(props.definition),
      stateMachineType: props.workflow === 'EXPRESS' ? StateMachineType.EXPRESS : StateMachineType.STANDARD,
      comment: props.comment,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: !props.stage.prod },
    });
    this.failedAlarm = alarmOnFirst(this, 'ExecutionsFailed', {
      description:
        `${props.comment}: an execution failed, a step kept failing (the order was cancelled and everything undone, ` +
        'or, when a compensation kept failing too, flagged for an operator)',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
    if (props.workflow === 'EXPRESS') {
      alarmOnFirst(this, 'ExecutionsTimedOut', {
        description:
          `${props.comment}: an Express execution reached its five-minute limit mid-saga (steps kept failing for that long): ` +
          'its order is PENDING and may be half done: replay its OrderPlaced (`npm run ops -- events replay --detail-type OrderPlaced`), ' +
          'which starts the saga again; every step is idempotent, so it carries on where it stopped',
        metric: this.stateMachine.metricTimedOut({ period: Duration.minutes(1), statistic: 'Sum' }),
        topic: props.alarmTopic,
      });
    }
    this.acknowledgeNagFindings([...props.invokes]);
  }

  private acknowledgeNagFindings(invokes: IFunction[]): void {
    const role = this.stateMachine.role;
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Delivering execution logs needs logs:CreateLogDelivery and the other log-delivery actions, and tracing needs xray:PutTraceSegments ' +
        'and xray:PutTelemetryRecords: none of them supports resource-level permissions',
    );
    // CDK grants lambda:InvokeFunction on `<arn>` and `<arn>:*` (the function's versions and
    // aliases). The finding names the function's ARN as it resolves in this stack: an export
    // name for another stack's function, known only once references are resolved, hence a check
    // that runs at synthesis, after that.
    this.node.addValidation({
      validate: () => {
        for (const fn of invokes) {
          const arn = nagReference(Stack.of(this).resolve(fn.functionArn));
          acknowledgeNagFinding(
            role,
            `AwsSolutions-IAM5[Resource::${arn}:*]`,
            'The saga invokes its step functions unqualified; the `:*` resource (versions and aliases of that one function) is what CDK adds ' +
              'to every Lambda task grant, and it reaches no other function',
          );
        }
        return [];
      },
    });
  }
}
