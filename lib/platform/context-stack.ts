import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Metric, type Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { EventContract } from '../../functions/contracts/events/envelope';
import type { RouteId } from '../../functions/contracts/routes';
import { METRICS_NAMESPACE } from '../../functions/shared/environment';
import { alarmOnFirst } from './alarm';
import { EventSubscription } from './event-subscription';
import { StackMonitoring } from './monitoring';
import { OutboxRelay } from './outbox-relay';
import type { Platform } from './platform-stack';
import { QueueSubscription, type QueueSubscriptionProps } from './queue-subscription';
import { routeFunction, type RouteFunctionProps } from './route-function';
import { ServiceFunction, type ServiceFunctionProps } from './service-function';
import { ServiceTable, type IndexName } from './service-table';

export interface ContextStackProps extends StackProps {
  readonly platform: Platform;
}

/** What a bounded context says about its own storage. */
export interface ContextDefinition {
  /** The context's name: its functions' service name, and where its handlers live (`functions/<service>/handlers`). */
  readonly service: string;
  /** Whether the context publishes events: its table then gets a stream and an outbox relay to the bus. */
  readonly publishes: boolean;
  /**
   * Whether its relay also publishes the items that carry their own event (relayedEvent in
   * functions/shared/events/outbox.ts): an event-sourced context, whose event items need no outbox copy.
   * @default false
   */
  readonly relaysEventItems?: boolean;
  /**
   * Whether its relay also publishes such an item each time it is changed (MODIFY): a context whose
   * record is updated in place with the event each change causes (a payment settled, then refunded),
   * so that change is one single-item write instead of a transaction with an outbox record.
   * @default false
   */
  readonly relaysEventItemChanges?: boolean;
  /**
   * The table's sparse global secondary indexes.
   * @default - none
   */
  readonly indexes?: readonly IndexName[];
}

/** A function of the context's own handlers that is not a route: how it runs. */
export type HandlerFunctionProps = Pick<ServiceFunctionProps, 'memorySize' | 'timeout' | 'environment' | 'reservedConcurrentExecutions'>;

/** A task's function, and whether it batch-reads the context's table (BatchGetItem, besides the item actions). */
export interface TaskProps extends HandlerFunctionProps {
  readonly batchGet?: boolean;
}

export interface ConsumerProps extends HandlerFunctionProps {
  /** The handler module in `functions/<service>/handlers`, without `.ts`; the function is named after it. */
  readonly handler: string;
  readonly description: string;
  /** Grants beyond the context's table, given before the subscription wires the function up. */
  readonly grant?: (consumer: ServiceFunction) => void;
}

export interface SubscribeOptions {
  /** Delivers the events through a queue, in batches (QueueSubscription), instead of one by one. */
  readonly queue?: Pick<QueueSubscriptionProps, 'batchSize' | 'maxBatchingWindow'>;
}

export interface Subscribed<S extends EventSubscription | QueueSubscription> {
  readonly consumer: ServiceFunction;
  readonly subscription: S;
}

const pascal = (kebab: string) => kebab.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());

/**
 * The stack of one bounded context: its table (with a stream and an outbox relay when it
 * publishes events), and the ways its functions come to be: a route, a task invoked directly
 * (saga tasks, shipping's claim), a consumer of events, and alarms on what needs a person.
 * Tasks and consumers read and write the context's own table (each records what it did, to be
 * idempotent) and nothing else unless the declaration grants it; routes say their own access.
 */
export abstract class ContextStack extends Stack {
  readonly platform: Platform;
  readonly service: string;
  readonly table: ServiceTable;
  /** The function of each route the context owns, for the API stack. */
  abstract readonly routeFunctions: Partial<Record<RouteId, ServiceFunction>>;

  constructor(scope: Construct, id: string, props: ContextStackProps, definition: ContextDefinition) {
    super(scope, id, props);
    this.platform = props.platform;
    this.service = definition.service;
    // First, so that every function, queue and alarm made below registers with it.
    new StackMonitoring(this, { alarmTopic: this.platform.alarmTopic, dashboardName: `commerce-${this.platform.stage.name}-${this.service}` });
    this.table = new ServiceTable(this, 'Table', { stage: this.platform.stage, stream: definition.publishes, indexes: definition.indexes });
    StackMonitoring.of(this)!.watchTable(this.table, 'Table');
    if (definition.publishes) {
      new OutboxRelay(this, 'Outbox', {
        stage: this.platform.stage, service: this.service, table: this.table, bus: this.platform.bus, alarmTopic: this.platform.alarmTopic,
        eventItems: definition.relaysEventItems, eventItemChanges: definition.relaysEventItemChanges,
      });
    }
  }

  /** The function behind route `id` (see routeFunction); its table access is the caller's to bind. */
  protected route(id: RouteId, props: RouteFunctionProps = {}): ServiceFunction {
    return routeFunction(this, id, this.platform, props);
  }

  /** A function another part of the system invokes directly, on handler `functions/<service>/handlers/<handler>.ts`. */
  protected task(id: string, handler: string, description: string, { batchGet = false, ...props }: TaskProps = {}): ServiceFunction {
    return new ServiceFunction(this, id, {
      stage: this.platform.stage,
      service: this.service,
      entry: `functions/${this.service}/handlers/${handler}.ts`,
      description,
      ...props,
    }).bindTable(this.table, 'readWrite', { batchGet });
  }

  /**
   * A saga task (a function a saga state invokes): a task whose concurrency is reserved where the
   * stage has bulkheads (prod), so a flood elsewhere in the account cannot starve the saga.
   */
  protected sagaTask(id: string, handler: string, description: string, props: TaskProps = {}): ServiceFunction {
    return this.task(id, handler, description, { reservedConcurrentExecutions: this.platform.stage.concurrency?.sagaTask, ...props });
  }

  /**
   * A consumer of `events` from the bus, one by one (EventSubscription) or, with `queue`, in
   * batches (QueueSubscription); both end in an alarmed dead-letter queue.
   */
  protected subscribe(id: string, events: readonly EventContract[], consumer: ConsumerProps): Subscribed<EventSubscription>;
  protected subscribe(
    id: string, events: readonly EventContract[], consumer: ConsumerProps, options: { queue: NonNullable<SubscribeOptions['queue']> },
  ): Subscribed<QueueSubscription>;
  protected subscribe(
    id: string, events: readonly EventContract[], { handler, description, grant, ...props }: ConsumerProps, options: SubscribeOptions = {},
  ): Subscribed<EventSubscription | QueueSubscription> {
    const fn = this.task(pascal(handler), handler, description, props);
    grant?.(fn);
    const wiring = { bus: this.platform.bus, events, consumer: fn, alarmTopic: this.platform.alarmTopic };
    const subscription = options.queue
      ? new QueueSubscription(this, id, { ...wiring, maxConcurrency: this.platform.stage.concurrency?.queueConsumer, ...options.queue })
      : new EventSubscription(this, id, wiring);
    return { consumer: fn, subscription };
  }

  /** An alarm on the first `metricName` the context's functions count in a minute (a Sum in the metrics namespace). */
  protected alarmOnCount(id: string, metricName: string, description: string): Alarm {
    return alarmOnFirst(this, id, {
      description,
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: this.service },
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
      topic: this.platform.alarmTopic,
    });
  }
}
