/**
 * The console's views of the app's data, through the same local endpoints the functions use:
 * every context's table (a Scan of the first items: read only), and, through the operator
 * toolkit (ops/, the one way to do these, offline or deployed), the orders flagged for an
 * operator and the dead-letter queues with redrive, the one action the console takes.
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { ChangeMessageVisibilityBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { findQueue, redriveDeadLetters } from '../../ops/dlq';
import { flaggedOrders } from '../../ops/orders';
import type { Reporter } from '../../ops/report';
import { offlineTarget, TargetError, type Outputs, type Service } from '../../ops/target';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb/local-dynamodb';
import type { ArchitectureMap } from './architecture';

const PAGE = 50;

export class UnknownResourceError extends Error {}

/** What a toolkit command reports, kept to answer with. */
function collecting(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), progress: () => undefined, error: (line) => lines.push(line) };
}

/**
 * One operation at a time per queue: a look (receive, then visible again) that overlapped a
 * redrive would hold the very messages the redrive is receiving, and it would find none.
 */
function perQueueLock() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(url: string, work: () => Promise<T>): Promise<T> => {
    const run = (tails.get(url) ?? Promise.resolve()).catch(() => undefined).then(work);
    tails.set(url, run);
    return run;
  };
}

export function consoleResources(architecture: ArchitectureMap, outputs: Outputs, endpoints: Readonly<Record<Service, string>>) {
  const target = offlineTarget({ region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, endpoints, outputs }, { maxAttempts: 1 });
  const dynamo = new DynamoDBClient(target.clientConfig('DYNAMODB'));
  const sqs = new SQSClient(target.clientConfig('SQS'));
  const tables = architecture.contexts.flatMap((context) => context.tables.map((name) => ({ context: context.name, name })));
  const dlq = (name: string) => {
    try {
      return findQueue(target.resources.deadLetterQueues, name);
    } catch (error) {
      throw error instanceof TargetError ? new UnknownResourceError(`no dead-letter queue named ${name}`) : error;
    }
  };

  const exclusive = perQueueLock();
  /** Up to 10 messages, made visible again at once: looking must not hide them from a redrive or a consumer. */
  const peek = (url: string) => exclusive(url, async () => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    if (Messages.length > 0) {
      await sqs.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 })),
      }));
    }
    return Messages;
  });

  return {
    tables: () => tables,
    async scan(name: string) {
      if (!tables.some((table) => table.name === name)) throw new UnknownResourceError(`no table named ${name}`);
      const { Items = [], LastEvaluatedKey } = await dynamo.send(new ScanCommand({ TableName: name, Limit: PAGE }));
      return { table: name, items: Items.map((item) => unmarshall(item)), more: LastEvaluatedKey !== undefined };
    },
    flagged: () => flaggedOrders(target, collecting()),
    /** Each DLQ with up to 10 of its messages, read without being consumed. */
    async deadLetterQueues() {
      return Promise.all(
        target.resources.deadLetterQueues.map(async (queue) => {
          const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
          const count = Number(Attributes.ApproximateNumberOfMessages ?? 0);
          const Messages = count === 0 ? [] : await peek(queue.url);
          return {
            name: queue.name,
            purpose: queue.purpose,
            redrivable: queue.redrive.kind !== 'none',
            count,
            messages: Messages.map((message) => ({
              id: message.MessageId,
              body: message.Body,
              attributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue])),
            })),
          };
        }),
      );
    },
    /** The toolkit's redrive: each message back where it failed (its source queue, or its consumer function). */
    async redrive(name: string) {
      const queue = dlq(name);
      const report = collecting();
      const summary = await exclusive(queue.url, () => redriveDeadLetters(target, queue.name, { dryRun: false }, report));
      return { queue: queue.name, ...summary, report: report.lines.join('\n') };
    },
    stop() {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

export type ConsoleResources = ReturnType<typeof consoleResources>;
