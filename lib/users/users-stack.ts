import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import type { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

export interface UsersStackProps extends StackProps {
  readonly platform: Platform;
}

/** Identity: accounts, credentials and access tokens. */
export class UsersStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<'register' | 'login' | 'getMe' | 'updateMe', ServiceFunction>;

  constructor(scope: Construct, id: string, props: UsersStackProps) {
    super(scope, id, props);
    const { platform } = props;
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: 'users', table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    // Password hashing (scrypt) is CPU-bound: more memory buys more CPU and a faster response.
    const hashing = { memorySize: 1024 };
    this.routeFunctions = {
      register: routeFunction(this, 'register', platform, hashing).bindTable(this.table, 'readWrite'),
      // Reads the credentials (GetItem) and counts the attempt on its throttle record (UpdateItem).
      login: routeFunction(this, 'login', platform, hashing)
        .bindTable(this.table, ['GetItem', 'UpdateItem'])
        .bindSigningSecret(platform.signingSecret),
      getMe: routeFunction(this, 'getMe', platform).bindTable(this.table, 'read'),
      updateMe: routeFunction(this, 'updateMe', platform).bindTable(this.table, 'readWrite'),
    };

    // The admin script finds the table of a deployed target through this output.
    new CfnOutput(this, 'UsersTableName', { value: this.table.tableName });
  }
}
