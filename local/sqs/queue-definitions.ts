/**
 * What the local SQS needs to know about each `AWS::SQS::Queue` of the app: its name, URL, ARN
 * and the queue attributes its template sets, checked against the ranges SQS accepts (CloudFormation
 * would fail the deployment otherwise, so a bad value is an error here too).
 */
import * as z from 'zod';
import type { LocalResource } from '../types';

export interface QueueDefinition {
  /** `<stackName>/<logicalId>`, for messages. */
  readonly id: string;
  readonly name: string;
  /** The queue's `Ref`, exactly as the resolver produced it. */
  readonly url: string;
  readonly arn: string;
  /** SQS attribute names and string values, as CreateQueue takes them. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly deadLetterTargetArn?: string;
}

const integer = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());
const integerIn = (min: number, max: number) => integer.pipe(z.number().min(min).max(max));
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

/** CloudFormation accepts the redrive policy as a JSON object or as a JSON string. */
const redrivePolicy = z.preprocess(
  parseJsonString,
  z.object({ deadLetterTargetArn: z.string().startsWith('arn:'), maxReceiveCount: integerIn(1, 1000) }),
);

const queueProperties = z.object({
  FifoQueue: booleanish.optional(),
  ContentBasedDeduplication: booleanish.optional(),
  DeduplicationScope: z.enum(['messageGroup', 'queue']).optional(),
  FifoThroughputLimit: z.enum(['perQueue', 'perMessageGroupId']).optional(),
  VisibilityTimeout: integerIn(0, 43_200).optional(),
  MessageRetentionPeriod: integerIn(60, 1_209_600).optional(),
  DelaySeconds: integerIn(0, 900).optional(),
  ReceiveMessageWaitTimeSeconds: integerIn(0, 20).optional(),
  MaximumMessageSize: integerIn(1_024, 1_048_576).optional(),
  RedrivePolicy: redrivePolicy.optional(),
});

export function queueDefinitionOf(resource: LocalResource): QueueDefinition {
  const id = `${resource.stackName}/${resource.logicalId}`;
  if (!resource.arn) throw new Error(`queue ${id} has no ARN in the local assembly`);
  const parsed = queueProperties.safeParse(resource.properties);
  if (!parsed.success) throw new Error(`queue ${id} has invalid properties:\n${z.prettifyError(parsed.error)}`);
  const props = parsed.data;
  const attributes: Record<string, string> = {};
  const set = (name: string, value: string | number | boolean | undefined): void => {
    if (value !== undefined) attributes[name] = String(value);
  };
  set('VisibilityTimeout', props.VisibilityTimeout);
  set('MessageRetentionPeriod', props.MessageRetentionPeriod);
  set('DelaySeconds', props.DelaySeconds);
  set('ReceiveMessageWaitTimeSeconds', props.ReceiveMessageWaitTimeSeconds);
  set('MaximumMessageSize', props.MaximumMessageSize);
  if (props.RedrivePolicy) attributes.RedrivePolicy = JSON.stringify(props.RedrivePolicy);
  if (props.FifoQueue) {
    // The defaults SQS reports for a FIFO queue created without them.
    set('FifoQueue', true);
    set('ContentBasedDeduplication', props.ContentBasedDeduplication ?? false);
    set('DeduplicationScope', props.DeduplicationScope ?? 'queue');
    set('FifoThroughputLimit', props.FifoThroughputLimit ?? 'perQueue');
  }
  return {
    id,
    name: queueNameOfArn(resource.arn),
    url: resource.ref,
    arn: resource.arn,
    attributes,
    ...(props.RedrivePolicy ? { deadLetterTargetArn: props.RedrivePolicy.deadLetterTargetArn } : {}),
  };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → `<name>`. */
export function queueNameOfArn(arn: string): string {
  const name = arn.split(':')[5];
  if (!arn.startsWith('arn:') || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  return name;
}

/**
 * Orders queues so every dead-letter queue comes before the queues that redrive to it, as
 * CloudFormation creates them (a redrive policy must name an existing queue).
 */
export function deadLetterQueuesFirst(queues: readonly QueueDefinition[]): QueueDefinition[] {
  const byArn = new Map(queues.map((queue) => [queue.arn, queue]));
  const ordered: QueueDefinition[] = [];
  const placed = new Set<string>();
  for (const queue of queues) {
    // Walk down the redrive chain; `chain` stops at a queue already placed, so cycles end too.
    const chain: QueueDefinition[] = [];
    let current: QueueDefinition | undefined = queue;
    while (current && !placed.has(current.arn) && !chain.includes(current)) {
      chain.push(current);
      current = current.deadLetterTargetArn ? byArn.get(current.deadLetterTargetArn) : undefined;
    }
    for (const link of chain.reverse()) {
      placed.add(link.arn);
      ordered.push(link);
    }
  }
  return ordered;
}

function parseJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value; // left for the schema to reject with a readable message
  }
}
