/**
 * The app's SQS queues, served by fauxqs in this process (SQS JSON protocol, the one
 * @aws-sdk/client-sqs speaks).
 *
 * Queue URLs: the template resolver turns a queue's `Ref` into `<sqsBaseUrl>/<queueName>`
 * (local/cloudformation/physical-names.ts), so SQS starts before the assembly is resolved and
 * its {@link SqsService.baseUrl} (`http://127.0.0.1:<port>/<accountId>`) is what the resolver
 * must be given as `LocalEnvironment.sqsBaseUrl`. Each queue is then registered under exactly
 * its `Ref` and its ARN, whatever the account id, and the URL's origin is this server: the SQS
 * SDK client sends every request to the QueueUrl's origin unless an endpoint is set explicitly.
 *
 * Delivered as fauxqs does it: visibility timeouts, delays, long polling, redrive to a
 * dead-letter queue after maxReceiveCount receives, FIFO groups and deduplication. Not enforced:
 * MessageRetentionPeriod (messages never expire), queue policies, encryption.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient, type MessageAttributeValue } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../dynamodb/local-dynamodb';
import type { LocalAssembly, LogSink, RunningService } from '../types';
import { loadFauxqs, type SqsStore } from './fauxqs';
import { deadLetterQueuesFirst, queueDefinitionOf } from './queue-definitions';

/** fauxqs's account, used in the base URL unless the app's account is given. */
export const DEFAULT_SQS_ACCOUNT_ID = '000000000000';
const QUEUE_TYPE = 'AWS::SQS::Queue';
const HOST = '127.0.0.1';

export interface StartSqsOptions {
  /** Defaults to a free port. */
  readonly port?: number;
  readonly log: LogSink;
  /** The app's account id, the second part of {@link SqsService.baseUrl}. Defaults to `000000000000`. */
  readonly accountId?: string;
  /** Region of the SDK client behind {@link SqsService.sendToQueue}. Defaults to `us-east-1`. */
  readonly region?: string;
}

/** Only for FIFO queues, which require a message group. */
export interface FifoMessageOptions {
  readonly messageGroupId: string;
  /** Defaults to a random id (each send is a distinct message) unless the queue deduplicates on content. */
  readonly messageDeduplicationId?: string;
}

export interface SqsService extends RunningService {
  /** `http://127.0.0.1:<port>`: the endpoint for SQS clients (`AWS_ENDPOINT_URL_SQS`). */
  readonly endpoint: string;
  /** `http://127.0.0.1:<port>/<accountId>`: pass as `LocalEnvironment.sqsBaseUrl` when resolving the app. */
  readonly baseUrl: string;
  /** Creates every `AWS::SQS::Queue` of the app (dead-letter queues first); already created ones are left as they are. */
  createQueues(assembly: LocalAssembly): Promise<void>;
  /** Sends a message to a queue of the app by ARN (dead-letter and target deliveries from other services). */
  sendToQueue(
    queueArn: string,
    body: string,
    attributes?: Readonly<Record<string, string>>,
    fifo?: FifoMessageOptions,
  ): Promise<void>;
}

export async function startSqs(options: StartSqsOptions): Promise<SqsService> {
  const fauxqs = await loadFauxqs();
  const stores = fauxqs.createStores();
  const app = fauxqs.buildApp({ logger: false, stores });
  await app.listen({ host: HOST, port: options.port ?? 0 });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) {
    await app.close();
    throw new Error('fauxqs did not report the port it listens on');
  }

  const endpoint = `http://${HOST}:${address.port}`;
  const baseUrl = `${endpoint}/${options.accountId ?? DEFAULT_SQS_ACCOUNT_ID}`;
  const store = stores.sqsStore;
  // Queues created through the API (CreateQueue) get URLs on this server too, not fauxqs's
  // `sqs.<region>.localhost` ones, which do not resolve everywhere.
  store.buildQueueUrl = (queueName: string) => `${baseUrl}/${queueName}`;

  const client = new SQSClient({
    endpoint,
    region: options.region ?? 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  options.log(`[sqs] fauxqs listening on ${endpoint} (queue URLs ${baseUrl}/<name>)`);

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    baseUrl,
    createQueues: async (assembly) => createQueues(store, endpoint, assembly, options.log),
    sendToQueue: async (queueArn, body, attributes, fifo) => {
      const queue = store.getQueueByArn(queueArn);
      if (!queue) throw new Error(`no local SQS queue has the ARN ${queueArn}`);
      const isFifo = queue.attributes.FifoQueue === 'true';
      if (isFifo && !fifo) throw new Error(`${queueArn} is a FIFO queue: a message group id is required`);
      const contentDeduplication = queue.attributes.ContentBasedDeduplication === 'true';
      await client.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: body,
          ...(attributes && Object.keys(attributes).length > 0 ? { MessageAttributes: stringAttributes(attributes) } : {}),
          ...(isFifo && fifo
            ? {
                MessageGroupId: fifo.messageGroupId,
                ...(fifo.messageDeduplicationId || !contentDeduplication
                  ? { MessageDeduplicationId: fifo.messageDeduplicationId ?? randomUUID() }
                  : {}),
              }
            : {}),
        }),
      );
    },
    stop: () => {
      stopped ??= (async () => {
        client.destroy();
        // Resolves pending long polls (fauxqs's preClose hook) and drops kept-alive connections.
        await app.close();
      })();
      return stopped;
    },
  };
}

async function createQueues(store: SqsStore, endpoint: string, assembly: LocalAssembly, log: LogSink): Promise<void> {
  const queues = deadLetterQueuesFirst(assembly.ofType(QUEUE_TYPE).map(queueDefinitionOf));
  const known = new Set(queues.map((queue) => queue.arn));
  let created = 0;
  for (const queue of queues) {
    if (!queue.url.startsWith(`${endpoint}/`)) {
      throw new Error(
        `queue ${queue.id} has the URL ${queue.url}, which this SQS (${endpoint}) does not serve: ` +
          'resolve the app with LocalEnvironment.sqsBaseUrl set to the SQS service’s baseUrl',
      );
    }
    if (queue.deadLetterTargetArn && !known.has(queue.deadLetterTargetArn)) {
      log(`[sqs] ${queue.id}: dead-letter queue ${queue.deadLetterTargetArn} is not part of the app; failed messages stay in ${queue.name}`);
    }
    if (store.getQueue(queue.url)) continue;
    store.createQueue(queue.name, queue.url, queue.arn, { ...queue.attributes });
    created++;
  }
  if (queues.length > 0) log(`[sqs] created ${created} queue(s)${queues.length > created ? ` (${queues.length - created} existed)` : ''}`);
}

function stringAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  );
}
