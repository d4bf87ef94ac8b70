/**
 * `dlq list` and `dlq redrive <queue>`. A redrive receives the dead letters, sends each back where
 * it failed (its source queue, or the consumer function, invoked asynchronously as EventBridge
 * does) and deletes it once sent; what fails to go back stays in the queue (visible again after
 * the visibility timeout). Consumers are idempotent, so a message sent twice (a crash between send
 * and delete) is applied once. Outbox relay dead letters point at stream records: they are listed,
 * not redriven (the runbook says what to do).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient, type Message,
} from '@aws-sdk/client-sqs';
import { table, type Reporter } from './report';
import { TargetError, type DeadLetterQueueInfo, type Target } from './target';

/** Long enough to send a message back before it shows up again for another receive. */
const VISIBILITY_SECONDS = 60;

async function depth(sqs: SQSClient, url: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

function redriveLabel(queue: DeadLetterQueueInfo): string {
  if (queue.redrive.kind === 'queue') return `queue ${queue.redrive.url.slice(queue.redrive.url.lastIndexOf('/') + 1)}`;
  if (queue.redrive.kind === 'function') return `function ${queue.redrive.arn.slice(queue.redrive.arn.lastIndexOf(':') + 1)}`;
  return 'none (stream records)';
}

export async function listDeadLetterQueues(target: Target, report: Reporter): Promise<number> {
  const sqs = new SQSClient(target.clientConfig('SQS'));
  const rows: string[][] = [];
  let total = 0;
  for (const queue of target.resources.deadLetterQueues) {
    const messages = await depth(sqs, queue.url);
    total += messages;
    rows.push([queue.name, String(messages), redriveLabel(queue), queue.purpose]);
  }
  for (const line of table(['QUEUE', 'MESSAGES', 'REDRIVES TO', 'HOLDS'], rows)) report.out(line);
  report.out(`${target.resources.deadLetterQueues.length} dead-letter queue(s), ${total} message(s) in all`);
  return total;
}

/** The queue by its name, URL or a fragment of its name or purpose that only it has. */
export function findQueue(queues: readonly DeadLetterQueueInfo[], selector: string): DeadLetterQueueInfo {
  const exact = queues.find((queue) => queue.name === selector || queue.url === selector);
  if (exact) return exact;
  const needle = selector.toLowerCase();
  const matches = queues.filter((queue) => queue.name.toLowerCase().includes(needle) || queue.purpose.toLowerCase().includes(needle));
  if (matches.length === 1) return matches[0]!;
  const names = (matches.length === 0 ? queues : matches).map((queue) => `  ${queue.name}  (${queue.purpose})`).join('\n');
  throw new TargetError(`${matches.length === 0 ? 'No' : 'More than one'} dead-letter queue matches "${selector}"; ${matches.length === 0 ? 'they are' : 'candidates'}:\n${names}`);
}

/**
 * The event a dead letter holds: EventBridge puts the event itself; Lambda's on-failure destination
 * wraps it in an invocation record (`requestPayload`).
 */
export function eventOf(body: string): unknown {
  const parsed = JSON.parse(body) as unknown;
  if (typeof parsed === 'object' && parsed !== null && 'requestPayload' in parsed && 'requestContext' in parsed) {
    return (parsed as { requestPayload: unknown }).requestPayload;
  }
  return parsed;
}

type Sender = (message: Message) => Promise<void>;

function senderFor(queue: DeadLetterQueueInfo, target: Target, sqs: SQSClient): Sender {
  const { redrive } = queue;
  if (redrive.kind === 'queue') {
    return async (message) => {
      await sqs.send(new SendMessageCommand({ QueueUrl: redrive.url, MessageBody: message.Body ?? '' }));
    };
  }
  if (redrive.kind === 'function') {
    const lambda = new LambdaClient(target.clientConfig('LAMBDA'));
    return async (message) => {
      const payload = JSON.stringify(eventOf(message.Body ?? ''));
      await lambda.send(new InvokeCommand({ FunctionName: redrive.arn, InvocationType: 'Event', Payload: Buffer.from(payload) }));
    };
  }
  throw new TargetError(`${queue.name} holds ${queue.purpose}: they point at stream records, which cannot be sent back; see the README's runbook`);
}

export interface RedriveOptions {
  readonly dryRun: boolean;
  /** At most this many messages; by default what the queue holds when the redrive starts. */
  readonly max?: number;
}

export interface RedriveSummary {
  readonly redriven: number;
  readonly failed: number;
}

export async function redriveDeadLetters(target: Target, selector: string, options: RedriveOptions, report: Reporter): Promise<RedriveSummary> {
  const queue = findQueue(target.resources.deadLetterQueues, selector);
  const sqs = new SQSClient(target.clientConfig('SQS'));
  const send = senderFor(queue, target, sqs);
  const waiting = await depth(sqs, queue.url);
  const limit = Math.min(options.max ?? waiting, waiting);
  if (options.dryRun) {
    report.out(`dry run: would send ${limit} message(s) of ${queue.name} back to ${redriveLabel(queue)}`);
    return { redriven: 0, failed: 0 };
  }
  let redriven = 0;
  let failed = 0;
  // Bounded by the depth at the start: a message that fails again and returns is not chased.
  while (redriven + failed < limit) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queue.url, MaxNumberOfMessages: Math.min(10, limit - redriven - failed), VisibilityTimeout: VISIBILITY_SECONDS, WaitTimeSeconds: 1,
    }));
    if (Messages.length === 0) break;
    for (const message of Messages) {
      try {
        await send(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
        redriven++;
      } catch (error) {
        failed++;
        report.progress(`message ${message.MessageId ?? '?'} not redriven: ${(error as Error).message}`, true);
      }
    }
    report.progress(`${queue.name}: ${redriven + failed}/${limit} handled`);
  }
  report.out(`redrove ${redriven} message(s) from ${queue.name} to ${redriveLabel(queue)}${failed > 0 ? `; ${failed} failed and stay in the queue` : ''}`);
  return { redriven, failed };
}
