import { Annotations, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import { OPS_OUTPUT } from './ops-outputs';
import { PlatformRestApi, type RestApiReference } from './rest-api';
import type { Stage } from './stage';

export interface PlatformStackProps extends StackProps {
  readonly stage: Stage;
}

/** What every context stack receives from the platform. */
export interface Platform {
  readonly stage: Stage;
  readonly bus: EventBus;
  readonly signingSecret: Secret;
  readonly alarmTopic: Topic;
  /** The REST API's own resource: the API stack routes on it, and functions of any stack get its address (bindApiUrl). */
  readonly restApi: RestApiReference;
}

/**
 * The shared, stateful pieces: the event bus with its archive, the signing secret, the alarm topic,
 * and the REST API's own resource (its routes and stage are the API stack's).
 */
export class PlatformStack extends Stack implements Platform {
  readonly stage: Stage;
  readonly bus: EventBus;
  readonly signingSecret: Secret;
  readonly alarmTopic: Topic;
  readonly restApi: PlatformRestApi;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    this.stage = props.stage;

    this.bus = new EventBus(this, 'Bus', { eventBusName: `commerce-${props.stage.name}` });
    const archive = this.bus.archive('Archive', {
      description: 'Every commerce event, for replay',
      eventPattern: { account: [this.account] },
      retention: props.stage.archiveRetention,
    });
    // For the operator CLI's `events replay`.
    new CfnOutput(this, OPS_OUTPUT.eventBusArn, { value: this.bus.eventBusArn });
    new CfnOutput(this, OPS_OUTPUT.eventArchiveArn, { value: archive.archiveArn });

    this.signingSecret = new Secret(this, 'SigningSecret', {
      description: 'Key material for access tokens (HS256) and pagination cursors',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.stage.removalPolicy,
    });
    acknowledgeNagFinding(
      this.signingSecret,
      'AwsSolutions-SMG4',
      'Rotating the signing key invalidates every access token and cursor at once; rotate it deliberately (update the secret) rather than on a schedule',
    );

    this.alarmTopic = new Topic(this, 'Alarms', { displayName: `commerce ${props.stage.name} alarms`, enforceSSL: true });
    acknowledgeNagFinding(
      this.alarmTopic,
      'AwsSolutions-SNS2',
      'Alarm notifications carry alarm names and states, no customer data; CloudWatch cannot publish to a topic under the AWS managed key',
    );
    if (props.stage.alarmEmail) {
      this.alarmTopic.addSubscription(new EmailSubscription(props.stage.alarmEmail));
    } else {
      Annotations.of(this).addWarningV2(
        'commerce:alarm-email',
        'The alarm topic has no subscriber: every alarm reaches nobody. Pass -c alarmEmail=ops@example.com to subscribe an address.',
      );
    }
    this.restApi = new PlatformRestApi(this, 'RestApi', props.stage);
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn, description: 'Every alarm of the stage notifies this topic' });
  }
}
