import { Duration } from 'aws-cdk-lib';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { patternFor, type EventContract } from '../../functions/contracts/events/envelope';
import { DeadLetterQueue } from './dead-letter-queue';
import { labelOf, StackMonitoring } from './monitoring';
import { deadLetterOutput } from './ops-outputs';
import type { ServiceFunction } from './service-function';

export interface EventSubscriptionProps {
  readonly bus: IEventBus;
  /** The events the consumer handles, by their contracts: the rule's pattern comes from them. */
  readonly events: readonly EventContract[];
  readonly consumer: ServiceFunction;
  readonly alarmTopic: ITopic;
}

/**
 * A consumer of domain events: a rule on the bus selecting exactly `events`, delivering to
 * `consumer` asynchronously. Both failure paths end in one alarmed dead-letter queue: delivery
 * failures (EventBridge retries for up to a day) and function errors (Lambda retries twice).
 * Consumers must be idempotent (keyed on `metadata.eventId` or a natural key): every retry
 * redelivers the same event.
 */
export class EventSubscription extends Construct {
  readonly rule: Rule;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: EventSubscriptionProps) {
    super(scope, id);
    const names = props.events.map((event) => event.detailType).join(', ');
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${names} events that ${props.consumer.node.id} could not process`,
      alarmTopic: props.alarmTopic,
    });
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `${names} → ${props.consumer.node.id}`,
      eventPattern: patternFor(...props.events),
    });
    this.rule.addTarget(
      new LambdaFunction(props.consumer.target, {
        retryAttempts: 185,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: this.deadLetters.queue,
      }),
    );
    StackMonitoring.of(this)?.watchRule(this.rule, props.bus, labelOf(this));
    props.consumer.target.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(this.deadLetters.queue),
    });
    deadLetterOutput(this.deadLetters, this.deadLetters.queue, `${names} events for ${props.consumer.node.id}`, { function: props.consumer.target });
  }
}
