import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { ServiceFunction } from '../platform/service-function';

/** Identity: accounts, credentials and access tokens. */
export class UsersStack extends ContextStack {
  readonly routeFunctions: Record<'register' | 'login' | 'getMe' | 'updateMe', ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    super(scope, id, props, { service: 'users', publishes: true });

    // Password hashing (scrypt) is CPU-bound: more memory buys more CPU and a faster response.
    const hashing = { memorySize: 1024 };
    // Bulkheads (prod): a flood of logins or sign-ups is capped at its reserved concurrency
    // instead of taking the account's, which the saga and every other context share.
    const { concurrency } = this.platform.stage;
    this.routeFunctions = {
      register: this.route('register', { ...hashing, reservedConcurrentExecutions: concurrency?.register }).bindTable(this.table, 'readWrite'),
      // Reads the credentials (GetItem) and counts the attempt on its throttle record (UpdateItem).
      login: this.route('login', { ...hashing, reservedConcurrentExecutions: concurrency?.login })
        .bindTable(this.table, ['GetItem', 'UpdateItem'])
        .bindSigningSecret(this.platform.signingSecret),
      getMe: this.route('getMe').bindTable(this.table, 'read'),
      updateMe: this.route('updateMe').bindTable(this.table, 'readWrite'),
    };

    // The admin script finds the table of a deployed target through this output.
    new CfnOutput(this, 'UsersTableName', { value: this.table.tableName });
  }
}
