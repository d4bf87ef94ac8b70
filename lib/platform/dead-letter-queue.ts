import { Duration } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import { alarmOnFirst } from './alarm';
import { labelOf, StackMonitoring } from './monitoring';

export interface DeadLetterQueueProps {
  /** What lands here, for the alarm's description. */
  readonly purpose: string;
  readonly alarmTopic: ITopic;
}

/**
 * Where an async path puts what it could not process after its retries, kept 14 days, with an
 * alarm on the first message: a message here is lost work until an operator looks at it.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: Queue;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledgeNagFinding(this.queue, 'AwsSolutions-SQS3', 'This queue is itself a dead-letter queue; its messages are alarmed on, not redriven further');
    StackMonitoring.of(this)?.watchDeadLetters(this.queue, labelOf(this));
    this.alarm = alarmOnFirst(this, 'NotEmpty', {
      description: `Dead letters: ${props.purpose}`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      topic: props.alarmTopic,
    });
  }
}
