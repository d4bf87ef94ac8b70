import { Duration } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { patternFor, type EventContract } from '../../functions/contracts/events/envelope';
import { DeadLetterQueue } from './dead-letter-queue';
import { labelOf, StackMonitoring } from './monitoring';
import { deadLetterOutput } from './ops-outputs';
import type { ServiceFunction } from './service-function';

export interface QueueSubscriptionProps {
  readonly bus: IEventBus;
  /** The events the consumer handles, by their contracts: the rule's pattern comes from them. */
  readonly events: readonly EventContract[];
  readonly consumer: ServiceFunction;
  readonly alarmTopic: ITopic;
  /**
   * Records per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before it invokes with a batch that is not full.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * At most this many concurrent invocations of the consumer from this queue (2 to 1000): a
   * bulkhead, so a burst of events waits in the queue instead of taking the account's concurrency.
   * @default - as many as Lambda scales to
   */
  readonly maxConcurrency?: number;
}

/** Receives of one message before SQS moves it to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;

/** Lambda's own default, for a consumer constructed without a timeout. */
const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(3);

/**
 * A consumer of domain events that takes them in batches, behind a buffer: a rule on the bus
 * selecting exactly `events` sends them to a queue, and the consumer reads that queue in batches
 * through an event source mapping that lets it report which records failed (only those come
 * back). Both failure paths end in one alarmed dead-letter queue: events the rule could not put
 * on the queue (EventBridge retries for up to a day) and records that failed
 * `MAX_RECEIVE_COUNT` receives. Either way what lands there is the EventBridge event itself.
 *
 * The consumer must return its failed records in `batchItemFailures` rather than throw (a throw
 * redelivers the whole batch), and must be idempotent (keyed on `metadata.eventId` or a
 * natural key): every retry, and SQS's own at-least-once delivery, redelivers the same event.
 */
export class QueueSubscription extends Construct {
  readonly rule: Rule;
  readonly queue: Queue;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueSubscriptionProps) {
    super(scope, id);
    const names = props.events.map((event) => event.detailType).join(', ');
    const batchingWindow = props.maxBatchingWindow ?? Duration.seconds(1);
    const consumerTimeout = props.consumer.timeout ?? LAMBDA_DEFAULT_TIMEOUT;

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${names} events that ${props.consumer.node.id} could not process`,
      alarmTopic: props.alarmTopic,
    });
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for a Lambda consumer: six times its timeout plus the batching window, so
      // a batch still being processed (or retried by Lambda) is never handed to a second invocation.
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6 + batchingWindow.toSeconds()),
      deadLetterQueue: { queue: this.deadLetters.queue, maxReceiveCount: MAX_RECEIVE_COUNT },
    });

    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${names} → queue of ${props.consumer.node.id}`,
      eventPattern: patternFor(...props.events),
    });
    // The target also adds the queue policies that let this rule (and only it) send to both queues.
    this.rule.addTarget(
      new SqsQueue(this.queue, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.deadLetters.queue,
      }),
    );

    const monitoring = StackMonitoring.of(this);
    monitoring?.watchRule(this.rule, props.bus, labelOf(this));
    monitoring?.watchQueueAge(this.queue, labelOf(this));

    props.consumer.target.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 10,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
    deadLetterOutput(this.deadLetters, this.deadLetters.queue, `${names} events for ${props.consumer.node.id}`, { queue: this.queue });
  }
}
