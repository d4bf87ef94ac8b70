import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MAX_PASSWORD_HASH_COST, MIN_PASSWORD_HASH_COST, passwordHashCost, PRODUCTION_PASSWORD_HASH_COST, USERS_ENV } from '../../functions/users/users-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { ServiceFunction } from '../platform/service-function';

/** Identity: accounts, credentials and access tokens. */
export class UsersStack extends ContextStack {
  readonly routeFunctions: Record<'register' | 'login' | 'getMe' | 'updateMe', ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    super(scope, id, props, { service: 'users', publishes: true });

    // Password hashing (scrypt) is CPU-bound: more memory buys more CPU and a faster response.
    const hashing = { memorySize: 1024, environment: { [USERS_ENV.passwordHashCost]: String(passwordHashCostFrom(this.node.tryGetContext('passwordHashCost'))) } };
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

/**
 * `-c passwordHashCost=N`: scrypt's N = 2^N for new password hashes, production strength (15)
 * unless given. For test runtimes, whose every registration and login would otherwise spend tens
 * of ms of CPU; hashes keep their parameters, so a stage can change it without breaking a login.
 */
export function passwordHashCostFrom(context: unknown): number {
  if (context === undefined) return PRODUCTION_PASSWORD_HASH_COST;
  const parsed = passwordHashCost.safeParse(context);
  if (!parsed.success) throw new Error(`passwordHashCost must be a whole number from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST} (log2 of scrypt's N; production: ${PRODUCTION_PASSWORD_HASH_COST}), not ${JSON.stringify(context)}`);
  return parsed.data;
}
