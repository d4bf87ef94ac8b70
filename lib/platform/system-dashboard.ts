import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import { Dashboard, GraphWidget, MathExpression, TextWidget, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { Stage } from './stage';

export interface SystemDashboardProps {
  readonly stage: Stage;
  readonly api: RestApiBase;
  /** Orders per minute by outcome (placed, confirmed, rejected, cancelled): the business flow. */
  readonly orderFlow: readonly IMetric[];
  /** The order saga's duration (p50, p99). */
  readonly sagaDuration: readonly IMetric[];
  /** Each context's dashboard name, linked from the overview. */
  readonly contextDashboards: readonly string[];
}

const MINUTE = Duration.minutes(1);

/**
 * The system overview of a stage, one dashboard: the business flow, the API, and across every
 * context (by CloudWatch SEARCH on the stage's resource names, `commerce-<stage>-…`, which CloudFormation
 * gives every function and queue) Lambda errors and throttles, dead letters, outbox lag and queue age.
 * The contexts' own dashboards (StackMonitoring) break each down by function and queue.
 */
export class SystemDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SystemDashboardProps) {
    super(scope, id);
    const prefix = `commerce-${props.stage.name}-`;
    const search = (label: string, namespace: string, metricName: string, statistic: string, extra = '') => new MathExpression({
      expression: `SEARCH('{${namespace}} MetricName="${metricName}" "${prefix}"${extra}', '${statistic}', 60)`,
      label,
      period: MINUTE,
    });
    const graph = (title: string, metrics: readonly IMetric[], width = 8) => new GraphWidget({ title, left: [...metrics], width, height: 6 });
    const per = { period: MINUTE, statistic: 'Sum' };

    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: `commerce-${props.stage.name}-overview`, defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# commerce ${props.stage.name}\nPer context: ${props.contextDashboards.map((name) => `[${name}](#dashboards:name=${name})`).join(' · ')}`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      graph('Orders per minute', props.orderFlow, 12),
      graph('Order saga duration (ms)', props.sagaDuration, 12),
    );
    this.dashboard.addWidgets(
      graph('API requests, 4xx, 5xx per minute', [
        props.api.metricCount({ ...per, label: 'requests' }),
        props.api.metricClientError({ ...per, label: '4xx' }),
        props.api.metricServerError({ ...per, label: '5xx' }),
      ]),
      graph('API latency (ms)', [
        props.api.metricLatency({ period: MINUTE, statistic: 'p50', label: 'p50' }),
        props.api.metricLatency({ period: MINUTE, statistic: 'p99', label: 'p99' }),
      ]),
      graph('Lambda errors and throttles', [
        search('errors', 'AWS/Lambda,FunctionName', 'Errors', 'Sum'),
        search('throttles', 'AWS/Lambda,FunctionName', 'Throttles', 'Sum'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Dead letters (messages)', [search('dead letters', 'AWS/SQS,QueueName', 'ApproximateNumberOfMessagesVisible', 'Maximum', ' DeadLetters')]),
      graph('Outbox relay lag: IteratorAge (ms)', [search('relay lag', 'AWS/Lambda,FunctionName', 'IteratorAge', 'Maximum')]),
      graph('Consumer queues: oldest message (s)', [search('queue age', 'AWS/SQS,QueueName', 'ApproximateAgeOfOldestMessage', 'Maximum')]),
    );
    new CfnOutput(scope, 'OverviewDashboardName', { value: this.dashboard.dashboardName, description: 'The system overview dashboard of the stage' });
  }
}
