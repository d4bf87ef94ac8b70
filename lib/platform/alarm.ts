import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { StackMonitoring } from './monitoring';

export interface FirstOccurrenceAlarmProps {
  /** What happened, for whoever receives the alarm. */
  readonly description: string;
  /** A count (of messages, failed executions, flagged orders) over one period. */
  readonly metric: IMetric;
  readonly topic: ITopic;
}

/**
 * An alarm on the first occurrence of something that needs a person (a dead letter, a failed
 * saga, an order flagged for an operator): one datapoint at 1 or more breaches, no data is
 * fine, and the alarm notifies `topic`.
 */
export function alarmOnFirst(scope: Construct, id: string, props: FirstOccurrenceAlarmProps): Alarm {
  const alarm = new Alarm(scope, id, {
    alarmDescription: props.description,
    metric: props.metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(props.topic));
  StackMonitoring.of(scope)?.register(alarm);
  return alarm;
}
