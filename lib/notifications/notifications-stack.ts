import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { NOTIFICATIONS_ENV, NOTIFYING_EVENTS } from '../../functions/notifications/notifications-config';
import type { Platform } from '../platform/platform-stack';
import { QueueSubscription } from '../platform/queue-subscription';
import { routeFunction } from '../platform/route-function';
import { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';
import type { NotificationSenderConfig } from '../platform/stage';

/** How notification messages leave the system. */
export interface NotificationsStackProps extends StackProps {
  readonly platform: Platform;
  /** @default { kind: 'record' } */
  readonly sender?: NotificationSenderConfig;
}

const SERVICE = 'notifications';

/** Notifications: one per user or order event that concerns a customer, their messages, and the unread count. */
export class NotificationsStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<'listNotifications', ServiceFunction>;
  /** Turns queued events into notifications. */
  readonly consumer: ServiceFunction;
  readonly subscription: QueueSubscription;

  constructor(scope: Construct, id: string, props: NotificationsStackProps) {
    super(scope, id, props);
    const { platform } = props;
    const sender = props.sender ?? { kind: 'record' };
    // No stream (it emits no events) and no index (every read is by key).
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage });

    this.routeFunctions = {
      listNotifications: routeFunction(this, 'listNotifications', platform).bindTable(this.table, 'read'),
    };

    this.consumer = new ServiceFunction(this, 'OnEvent', {
      stage: platform.stage,
      service: SERVICE,
      entry: 'functions/notifications/handlers/on-event.ts',
      description: 'User and order events from the notifications queue: one notification each, and its message',
      // A batch of 10 records, one after another, each a transaction and perhaps a call to SES.
      timeout: Duration.seconds(30),
      environment: {
        [NOTIFICATIONS_ENV.sender]: sender.kind,
        ...(sender.kind === 'ses' ? { [NOTIFICATIONS_ENV.fromAddress]: sender.fromAddress } : {}),
      },
    }).bindTable(this.table, 'readWrite');
    if (sender.kind === 'ses') this.consumer.addToRolePolicy(sendEmailFrom(this, sender.fromAddress));

    this.subscription = new QueueSubscription(this, 'Events', {
      bus: platform.bus,
      events: NOTIFYING_EVENTS,
      consumer: this.consumer,
      alarmTopic: platform.alarmTopic,
    });
  }
}

/**
 * ses:SendEmail as the From address only. SES authorises against the identity that is verified,
 * the address itself or its domain, so both are named. (In the SES sandbox, recipients must be
 * verified identities too, and SES then also checks this permission on them.)
 */
function sendEmailFrom(stack: Stack, fromAddress: string): PolicyStatement {
  const domain = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
  const identity = (name: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name });
  return new PolicyStatement({ actions: ['ses:SendEmail'], resources: [identity(fromAddress), identity(domain)] });
}
