/**
 * The console's read-mostly views of the app's data, through the same local endpoints the
 * functions use: every context's table (a Scan of the first items: read only), the orders flagged
 * for an operator, the dead-letter queues with their messages, and redrive (the one action the
 * console takes: a DLQ's messages moved back to where they failed).
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb/local-dynamodb';
import type { PutEventsEntry } from '../eventbridge/event-bus-service';
import type { ArchitectureMap } from './architecture';

const client = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 };
const PAGE = 50;
/** Messages one redrive moves at most: a message that fails again comes back to the DLQ, and must not be moved in a loop. */
const REDRIVE_LIMIT = 1000;

export interface ConsoleResourcesOptions {
  readonly architecture: ArchitectureMap;
  readonly dynamoEndpoint: string;
  readonly sqsEndpoint: string;
  /** Redrive of an EventBridge target's DLQ: its messages are the events themselves, put back on the bus. */
  putEvents(entries: readonly PutEventsEntry[]): Promise<unknown>;
}

export class UnknownResourceError extends Error {}

export function consoleResources(options: ConsoleResourcesOptions) {
  const dynamo = new DynamoDBClient({ ...client, endpoint: options.dynamoEndpoint });
  const sqs = new SQSClient({ ...client, endpoint: options.sqsEndpoint });
  const tables = options.architecture.contexts.flatMap((context) => context.tables.map((name) => ({ context: context.name, name })));
  const queue = (name: string) => {
    const found = options.architecture.queues.find((candidate) => candidate.name === name && candidate.isDeadLetterQueue);
    if (!found) throw new UnknownResourceError(`no dead-letter queue named ${name}`);
    return found;
  };
  /** Reads up to 10 messages without consuming them (visibility 0: they stay where they are). */
  const peek = async (url: string) => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }));
    return Messages;
  };

  return {
    tables: () => tables,
    async scan(name: string) {
      if (!tables.some((table) => table.name === name)) throw new UnknownResourceError(`no table named ${name}`);
      const { Items = [], LastEvaluatedKey } = await dynamo.send(new ScanCommand({ TableName: name, Limit: PAGE }));
      return { table: name, items: Items.map((item) => unmarshall(item)), more: LastEvaluatedKey !== undefined };
    },
    /** Orders an operator must look at: items carrying the saga's `needsOperator` flag, in any table. */
    async flagged() {
      const found = await Promise.all(
        tables.map(async ({ name }) => {
          const { Items = [] } = await dynamo.send(new ScanCommand({ TableName: name, FilterExpression: 'attribute_exists(needsOperator)' }));
          return Items.map((item) => ({ table: name, item: unmarshall(item) }));
        }),
      );
      return found.flat();
    },
    async deadLetterQueues() {
      return Promise.all(
        options.architecture.queues
          .filter((candidate) => candidate.isDeadLetterQueue)
          .map(async (dlq) => {
            const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
            const messages = Number(Attributes.ApproximateNumberOfMessages ?? 0) > 0 ? await peek(dlq.url) : [];
            return {
              name: dlq.name,
              feeds: dlq.feeds,
              count: Number(Attributes.ApproximateNumberOfMessages ?? 0),
              messages: messages.map((message) => ({
                id: message.MessageId,
                body: message.Body,
                attributes: Object.fromEntries(Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue])),
              })),
            };
          }),
      );
    },
    /** Moves a DLQ's messages back: to the queue that redrives into it, else (an EventBridge target's DLQ) onto the bus. */
    async redrive(name: string) {
      const dlq = queue(name);
      const source = options.architecture.queues.find((candidate) => candidate.deadLetterQueue === dlq.name);
      const bus = busOf(options.architecture, dlq.feeds);
      let moved = 0;
      for (let batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
        (batch.Messages ?? []).length > 0 && moved < REDRIVE_LIMIT;
        batch = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }))) {
        for (const message of batch.Messages ?? []) {
          await (source ? sqs.send(new SendMessageCommand({ QueueUrl: source.url, MessageBody: message.Body ?? '' })) : options.putEvents([{ ...entryOf(message.Body ?? ''), EventBusName: bus }]));
          await sqs.send(new DeleteMessageCommand({ QueueUrl: dlq.url, ReceiptHandle: message.ReceiptHandle! }));
          moved += 1;
        }
      }
      return { queue: name, moved, to: source ? source.name : 'the event bus' };
    },
    stop() {
      dynamo.destroy();
      sqs.destroy();
    },
  };
}

/** The bus of the rule whose target dead-letters into a queue; else the app's own bus. */
function busOf(architecture: ArchitectureMap, feeds: readonly string[]): string {
  const rules = new Set(feeds.filter((from) => from.startsWith('rule ')).map((from) => from.slice('rule '.length)));
  const bus = architecture.buses.find((candidate) => candidate.rules.some((rule) => rules.has(rule.name))) ?? architecture.buses.find((candidate) => candidate.name !== 'default');
  return bus?.name ?? 'default';
}

/** A dead-lettered event, as the PutEvents entry that publishes it again. */
function entryOf(body: string): PutEventsEntry {
  const event = JSON.parse(body) as { source?: string; 'detail-type'?: string; detail?: unknown; resources?: string[] };
  return { Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail ?? {}), Resources: event.resources ?? [] };
}

export type ConsoleResources = ReturnType<typeof consoleResources>;
