import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * Stack outputs the operator CLI (`npm run ops`, scripts/ops) finds its resources by, on a deployed
 * stage (CloudFormation DescribeStacks) as offline (the runtime's resolved outputs). A construct's
 * output key is its path plus a hash, so the CLI matches on these ids inside the key.
 */
export const OPS_OUTPUT = {
  /** A dead-letter queue: JSON `{url, arn, purpose, redrive}` (see DeadLetterOutput). */
  deadLetterQueue: 'OpsDeadLetterQueue',
  eventBusArn: 'OpsEventBusArn',
  eventArchiveArn: 'OpsEventArchiveArn',
  ordersTableName: 'OpsOrdersTableName',
  orderSagaArn: 'OpsOrderSagaArn',
  cancellationSagaArn: 'OpsCancellationSagaArn',
  catalogTableName: 'OpsCatalogTableName',
  searchTableName: 'OpsSearchTableName',
} as const;

/** Where a dead letter goes back to: the queue it came from, the function it was for, or nowhere (stream records). */
export type Redrive = { readonly queue: IQueue } | { readonly function: IFunction } | 'none';

/** Describes a dead-letter queue for `ops dlq list` and `ops dlq redrive`. */
export function deadLetterOutput(scope: Construct, queue: IQueue, purpose: string, redrive: Redrive): CfnOutput {
  let to: Record<string, string> = { kind: 'none' };
  if (redrive !== 'none' && 'queue' in redrive) to = { kind: 'queue', url: redrive.queue.queueUrl };
  else if (redrive !== 'none') to = { kind: 'function', arn: redrive.function.functionArn };
  return new CfnOutput(scope, OPS_OUTPUT.deadLetterQueue, {
    description: `Dead letters: ${purpose}`,
    value: Stack.of(scope).toJsonString({ url: queue.queueUrl, arn: queue.queueArn, purpose, redrive: to }),
  });
}
