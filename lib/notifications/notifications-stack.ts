import type { Stack } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { NOTIFICATIONS_ENV, NOTIFYING_EVENTS } from '../../functions/notifications/notifications-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { QueueSubscription } from '../platform/queue-subscription';
import type { ServiceFunction } from '../platform/service-function';
import type { NotificationSenderConfig } from '../platform/stage';

/** How notification messages leave the system. */
export interface NotificationsStackProps extends ContextStackProps {
  /** @default { kind: 'record' } */
  readonly sender?: NotificationSenderConfig;
}

/** Notifications: one per user or order event that concerns a customer, their messages, and the unread count. */
export class NotificationsStack extends ContextStack {
  readonly routeFunctions: Record<'listNotifications', ServiceFunction>;
  /** Turns queued events into notifications. */
  readonly consumer: ServiceFunction;
  readonly subscription: QueueSubscription;

  constructor(scope: Construct, id: string, props: NotificationsStackProps) {
    // No stream (it emits no events) and no index (every read is by key).
    super(scope, id, props, { service: 'notifications', publishes: false });
    const sender = props.sender ?? { kind: 'record' };

    this.routeFunctions = {
      listNotifications: this.route('listNotifications').bindTable(this.table, 'read'),
    };

    ({ consumer: this.consumer, subscription: this.subscription } = this.subscribe(
      'Events',
      NOTIFYING_EVENTS,
      {
        handler: 'on-event',
        description: 'User and order events from the notifications queue: one notification each, and its message',
        // A batch of 10 records, one after another, each a transaction and perhaps a call to SES.
        timeout: Duration.seconds(30),
        environment: {
          [NOTIFICATIONS_ENV.sender]: sender.kind,
          ...(sender.kind === 'ses' ? { [NOTIFICATIONS_ENV.fromAddress]: sender.fromAddress } : {}),
        },
        grant: (consumer) => {
          if (sender.kind === 'ses') consumer.addToRolePolicy(sendEmailFrom(this, sender.fromAddress));
        },
      },
      { queue: {} },
    ));
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
