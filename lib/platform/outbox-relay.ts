import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { OUTBOX_KIND, RELAYED_ATTRIBUTE } from '../../functions/shared/events/outbox-kind';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import { DeadLetterQueue } from './dead-letter-queue';
import { labelOf, StackMonitoring } from './monitoring';
import { deadLetterOutput } from './ops-outputs';
import { ServiceFunction } from './service-function';
import type { ServiceTable } from './service-table';
import type { Stage } from './stage';

/** The attribute that marks an outbox record: its `kind`. */
const OUTBOX_KIND_ATTRIBUTE = 'kind';

export interface OutboxRelayProps {
  readonly stage: Stage;
  readonly service: string;
  readonly table: ServiceTable;
  readonly bus: IEventBus;
  readonly alarmTopic: ITopic;
  /**
   * Also publish the inserted items that carry their own event (relayedEvent), not only outbox records.
   * @default false
   */
  readonly eventItems?: boolean;
  /**
   * Also publish such an item when it is changed (MODIFY), not only inserted: a record updated in
   * place, each change that causes an event carrying that event (a payment). Every change of it
   * without an event must remove the event's attributes (see relayedEventUpdate).
   * @default false
   */
  readonly eventItemChanges?: boolean;
}

/** The stream records of items whose `attribute` marks them as carrying events, for the given changes. */
const relayFilter = (attribute: string, eventNames: readonly string[]) =>
  FilterCriteria.filter({
    eventName: FilterRule.or(...eventNames),
    dynamodb: { NewImage: { [attribute]: { S: FilterRule.isEqual(OUTBOX_KIND) } } },
  });

/**
 * Publishes a context's outbox records from its table's stream to the bus: only inserted
 * outbox items (and items carrying their own event) reach the function; failures are retried, the batch bisected, and what still
 * fails after a day or 10 attempts goes to an alarmed dead-letter queue.
 */
export class OutboxRelay extends Construct {
  readonly function: ServiceFunction;
  readonly deadLetters: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'Function', {
      stage: props.stage,
      service: props.service,
      entry: 'functions/platform/handlers/outbox-relay.ts',
      description: `${props.service} outbox relay: table stream to event bus`,
      memorySize: 256,
      timeout: Duration.seconds(30),
    }).bindEventBus(props.bus);

    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters', {
      purpose: `${props.service} outbox records that could not be published`,
      alarmTopic: props.alarmTopic,
    });
    this.function.target.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        parallelizationFactor: 1,
        onFailure: new SqsDlq(this.deadLetters.queue),
        // Outbox records and, where asked, the items that carry their own event (an event-sourced
        // context's event items, see relayedEvent): any other item, snapshots included, never reaches it.
        filters: [
          relayFilter(OUTBOX_KIND_ATTRIBUTE, ['INSERT']),
          ...(props.eventItems || props.eventItemChanges ? [relayFilter(RELAYED_ATTRIBUTE, props.eventItemChanges ? ['INSERT', 'MODIFY'] : ['INSERT'])] : []),
        ],
      }),
    );
    // Its messages point at stream records, which expire after a day: nothing to send back.
    deadLetterOutput(this.deadLetters, this.deadLetters.queue, `${props.service} outbox records that could not be published`, 'none');
    StackMonitoring.of(this)?.watchIteratorAge(this.function, labelOf(this));
    acknowledgeNagFinding(
      this.function.role!,
      'AwsSolutions-IAM5[Resource::*]',
      'Reading a table stream needs dynamodb:ListStreams, which supports no resource-level permissions; tracing needs xray:Put* likewise',
    );
  }
}
