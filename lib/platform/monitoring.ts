import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm, AlarmStatusWidget, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData, type IMetric, type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

/**
 * The alarm thresholds, one place for the code and the README's SLO table. Each alarms when
 * `datapoints` of the last `periods` one-minute periods breach: a short blip stays quiet, a
 * sustained problem pages within about `periods` minutes. A datapoint breaches at or above
 * `threshold`.
 */
export const THRESHOLDS = {
  /** API availability SLO 99.9 %: alarm when 1 % of requests or more answer 5xx. */
  api5xxRate: { threshold: 0.01, periods: 5, datapoints: 3 },
  /** API latency SLO p99 under 1 s. */
  apiP99Ms: { threshold: 1000, periods: 5, datapoints: 3 },
  /**
   * 10 % or more of a function's invocations fail. Saga tasks report business outcomes (out of
   * stock, payment declined) as errors: a sustained 10 % of those is worth a person too.
   */
  lambdaErrorRate: { threshold: 0.1, periods: 5, datapoints: 3 },
  /** Any throttle: reserved concurrency or the account quota is exhausted. */
  lambdaThrottles: { threshold: 1, periods: 5, datapoints: 2 },
  /** The outbox relay is a minute or more behind its table's stream. */
  iteratorAgeMs: { threshold: 60_000, periods: 5, datapoints: 3 },
  /** A consumer's queue holds a message 5 minutes old or older. */
  queueAgeSeconds: { threshold: 300, periods: 5, datapoints: 3 },
  /** EventBridge could not deliver an event to a rule's target (it retries, then dead-letters). */
  ruleFailedInvocations: { threshold: 1, periods: 5, datapoints: 1 },
  /** DynamoDB throttled any read or write (on-demand tables: a hot key or a sudden 2× spike). */
  tableThrottles: { threshold: 1, periods: 5, datapoints: 2 },
} as const;

type Threshold = (typeof THRESHOLDS)[keyof typeof THRESHOLDS];

const MINUTE = Duration.minutes(1);

/** A construct's path inside its stack, as one id (`Outbox/Function` → `OutboxFunction`): unique in the stack. */
export function labelOf(construct: IConstruct): string {
  const scopes = construct.node.scopes;
  return scopes.slice(scopes.indexOf(Stack.of(construct)) + 1).map((scope) => scope.node.id).join('');
}

export interface StackMonitoringProps {
  readonly alarmTopic: ITopic;
  /** The dashboard's name: `commerce-<stage>-<context>`, what a person looks for in the console. */
  readonly dashboardName: string;
}

/** The graphs of a stack's dashboard, each added on its first metric so a stack shows only what it runs. */
type Graph = 'errors' | 'throttles' | 'duration' | 'relayLag' | 'queueAge' | 'deadLetters' | 'tableThrottles' | 'rules';

const GRAPH_TITLES: Record<Graph, string> = {
  errors: 'Lambda errors (per minute)',
  throttles: 'Lambda throttles (per minute)',
  duration: 'Lambda duration p99 (ms)',
  relayLag: 'Outbox relay lag: IteratorAge max (ms)',
  queueAge: 'Consumer queues: age of oldest message (s)',
  deadLetters: 'Dead-letter queues: depth',
  tableThrottles: 'DynamoDB throttled requests',
  rules: 'EventBridge rules: failed invocations',
};

/** Graphs three to a row, however many there turn out to be: a dashboard renders its widgets at synthesis. */
class GraphGrid implements IWidget {
  readonly width = 24;
  private readonly graphs: GraphWidget[] = [];
  private x = 0;
  private y = 0;

  get height(): number {
    return Math.ceil(this.graphs.length / 3) * 6;
  }

  add(graph: GraphWidget): void {
    this.graphs.push(graph);
  }

  position(x: number, y: number): void {
    this.x = x;
    this.y = y;
  }

  toJson(): unknown[] {
    return this.graphs.flatMap((graph, i) => {
      graph.position(this.x + (i % 3) * 8, this.y + Math.floor(i / 3) * 6);
      return graph.toJson();
    });
  }
}

/**
 * The monitoring of one stack: alarms with documented thresholds (THRESHOLDS) on what the stack
 * runs, all notifying the alarm topic, and a dashboard of the same metrics with the alarms'
 * states on top. A stack gets one (ContextStack and ApiStack do); the constructs inside find it
 * with `StackMonitoring.of(this)` and register what they create, so nothing the stack runs goes
 * unwatched for want of a call. Our own construct rather than cdk-monitoring-constructs: the
 * thresholds are few and ours (THRESHOLDS), the registration has to follow ContextStack's
 * constructs anyway, and a dependency would bring its own alarm naming and defaults to override.
 */
export class StackMonitoring extends Construct {
  private static readonly ID = 'Monitoring';
  /** Every alarm of the stack, those made here and those registered (alarmOnFirst). */
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;
  private readonly topic: ITopic;
  private readonly graphs = new Map<Graph, GraphWidget>();
  private readonly grid = new GraphGrid();

  /** The stack's monitoring, if it has one. */
  static of(scope: IConstruct): StackMonitoring | undefined {
    const found = Stack.of(scope).node.tryFindChild(StackMonitoring.ID);
    return found instanceof StackMonitoring ? found : undefined;
  }

  constructor(scope: Stack, props: StackMonitoringProps) {
    super(scope, StackMonitoring.ID);
    this.topic = props.alarmTopic;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName, defaultInterval: Duration.hours(3) });
    // The list is read when the dashboard renders, so alarms made later show too.
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    // Last: its height is known only once every graph is in.
    this.dashboard.addWidgets(this.grid);
    new CfnOutput(scope, 'DashboardName', { value: this.dashboard.dashboardName, description: 'The CloudWatch dashboard of this stack' });
  }

  /** Adds `metric` to one of the stack's graphs (see GRAPH_TITLES), making the graph on first use. */
  plot(graph: Graph | { title: string; key: string }, ...metrics: IMetric[]): void {
    const key = typeof graph === 'string' ? graph : graph.key;
    let widget = this.graphs.get(key as Graph);
    if (!widget) {
      widget = new GraphWidget({ title: typeof graph === 'string' ? GRAPH_TITLES[graph] : graph.title, width: 8, height: 6 });
      this.graphs.set(key as Graph, widget);
      this.grid.add(widget);
    }
    for (const metric of metrics) widget.addLeftMetric(metric);
  }

  /** A dead-letter queue's depth, on the dashboard (its alarm is its own: alarmOnFirst). */
  watchDeadLetters(queue: IQueue, label: string): void {
    this.plot('deadLetters', queue.metricApproximateNumberOfMessagesVisible({ period: MINUTE, statistic: 'Maximum', label }));
  }

  /** A saga's executions (started, succeeded, failed) and its duration (p50, p99). */
  watchStateMachine(stateMachine: IStateMachine, label: string): void {
    const per = { period: MINUTE, statistic: 'Sum' };
    this.plot({ key: `${label}Executions`, title: `${label}: executions per minute` },
      stateMachine.metricStarted({ ...per, label: 'started' }),
      stateMachine.metricSucceeded({ ...per, label: 'succeeded' }),
      stateMachine.metricFailed({ ...per, label: 'failed' }));
    this.plot({ key: `${label}Duration`, title: `${label}: duration (ms)` },
      stateMachine.metricTime({ period: MINUTE, statistic: 'p50', label: 'p50' }),
      stateMachine.metricTime({ period: MINUTE, statistic: 'p99', label: 'p99' }));
  }

  /** Records an alarm made elsewhere (alarmOnFirst), so the stack's alarms are all in one list. */
  register(alarm: Alarm): void {
    this.alarms.push(alarm);
  }

  /**
   * A function's error rate and throttles, on what invokes it (its `live` alias in prod):
   * returns both alarms, which its canary deployment rolls back on.
   */
  watchFunction(fn: IFunction, label: string): Alarm[] {
    const errorRate = new MathExpression({
      expression: 'IF(invocations > 0, errors / invocations, 0)',
      usingMetrics: { errors: fn.metricErrors({ period: MINUTE, statistic: 'Sum' }), invocations: fn.metricInvocations({ period: MINUTE, statistic: 'Sum' }) },
      period: MINUTE,
      label: `${label} error rate`,
    });
    this.plot('errors', fn.metricErrors({ period: MINUTE, statistic: 'Sum', label }));
    this.plot('throttles', fn.metricThrottles({ period: MINUTE, statistic: 'Sum', label }));
    this.plot('duration', fn.metricDuration({ period: MINUTE, statistic: 'p99', label }));
    return [
      this.alarm(`${label}Errors`, `${label}: 10 % of invocations or more fail`, errorRate, THRESHOLDS.lambdaErrorRate),
      this.alarm(`${label}Throttles`, `${label}: invocations are throttled`, fn.metricThrottles({ period: MINUTE, statistic: 'Sum' }), THRESHOLDS.lambdaThrottles),
    ];
  }

  /** How far a stream consumer (the outbox relay) lags behind its stream. */
  watchIteratorAge(fn: IFunction, label: string): Alarm {
    const age = fn.metric('IteratorAge', { period: MINUTE, statistic: 'Maximum', label });
    this.plot('relayLag', age);
    return this.alarm(`${label}IteratorAge`, `${label}: more than a minute behind the table stream (events reach the bus late)`, age, THRESHOLDS.iteratorAgeMs);
  }

  /** The age of the oldest message of a consumer's queue. */
  watchQueueAge(queue: IQueue, label: string): Alarm {
    const age = queue.metricApproximateAgeOfOldestMessage({ period: MINUTE, statistic: 'Maximum', label });
    this.plot('queueAge', age);
    return this.alarm(`${label}OldestMessage`, `${label}: a message has waited more than 5 minutes for its consumer`, age, THRESHOLDS.queueAgeSeconds);
  }

  /** Events a rule could not deliver to its target. */
  watchRule(rule: Rule, bus: IEventBus, label: string): Alarm {
    const failed = new Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { EventBusName: bus.eventBusName, RuleName: rule.ruleName },
      period: MINUTE,
      statistic: 'Sum',
      label,
    });
    this.plot('rules', failed);
    return this.alarm(`${label}FailedInvocations`, `${label}: EventBridge failed to deliver events to the target`, failed, THRESHOLDS.ruleFailedInvocations);
  }

  /** Throttled reads and writes of a table. */
  watchTable(table: ITable, label: string): Alarm {
    // Ids unique per table: a stack with two tables plots both expressions in one graph.
    const [reads, writes] = table.node.id === 'Table' ? ['reads', 'writes'] : [`reads${table.node.id}`, `writes${table.node.id}`];
    const throttles = new MathExpression({
      expression: `${reads} + ${writes}`,
      usingMetrics: {
        [reads]: table.metric('ReadThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
        [writes]: table.metric('WriteThrottleEvents', { period: MINUTE, statistic: 'Sum' }),
      },
      period: MINUTE,
      label: `${label} throttled requests`,
    });
    this.plot('tableThrottles', throttles);
    return this.alarm(`${label}Throttles`, `${label}: DynamoDB throttles reads or writes`, throttles, THRESHOLDS.tableThrottles);
  }

  /** The API's 5xx rate (availability SLO) and p99 latency (latency SLO), over all routes, and each route's on the dashboard. */
  watchApi(api: RestApiBase, routes: readonly { method: string; path: string }[]): Alarm[] {
    const metrics = { period: MINUTE };
    const per = { period: MINUTE, statistic: 'Sum' };
    this.plot({ key: 'apiRequests', title: 'API: requests, 4xx, 5xx per minute' },
      api.metricCount({ ...per, label: 'requests' }), api.metricClientError({ ...per, label: '4xx' }), api.metricServerError({ ...per, label: '5xx' }));
    // Per method and resource: the stage has detailed metrics on (metricsEnabled).
    const routeMetric = (metricName: string, statistic: string, route: { method: string; path: string }) => new Metric({
      namespace: 'AWS/ApiGateway', metricName, period: MINUTE, statistic, label: `${route.method} ${route.path}`,
      dimensionsMap: { ApiName: api.restApiName, Stage: api.deploymentStage.stageName, Method: route.method, Resource: route.path },
    });
    this.plot({ key: 'routeP99', title: 'API: p99 latency per route (ms)' }, ...routes.map((route) => routeMetric('Latency', 'p99', route)));
    this.plot({ key: 'route5xx', title: 'API: 5xx per route' }, ...routes.map((route) => routeMetric('5XXError', 'Sum', route)));
    return [
      this.alarm('Api5xxRate', 'API: 1 % of requests or more answer 5xx (availability SLO 99.9 %)',
        api.metricServerError({ ...metrics, statistic: 'Average' }), THRESHOLDS.api5xxRate),
      this.alarm('ApiLatencyP99', 'API: p99 latency above 1 s (latency SLO)', api.metricLatency({ ...metrics, statistic: 'p99' }), THRESHOLDS.apiP99Ms),
    ];
  }

  private alarm(id: string, description: string, metric: IMetric, { threshold, periods, datapoints }: Threshold): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: periods,
      datapointsToAlarm: datapoints,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
