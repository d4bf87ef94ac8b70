/**
 * The services a rule can deliver to locally, and how a payload reaches each of them.
 *
 * EventBridge picks the integration from the target ARN's service: Lambda functions are invoked
 * asynchronously (InvocationType Event) with the payload as the function's event, SQS queues get
 * the payload as the message body, state machines start an execution with the payload as input.
 * Other target kinds (SNS, Kinesis, API destinations, other buses...) are not emulated: the rule
 * logs them at start and each matching event says it was not delivered.
 */

/** The runtime's other emulators, as EventBridge reaches them. Each rejects when delivery fails. */
export interface EventTargets {
  /** Asynchronous invocation (InvocationType Event): resolves once the invocation is queued. */
  invokeLambda(functionArn: string, event: unknown): Promise<void>;
  /**
   * SendMessage. `options` carries what EventBridge adds: the FIFO message group
   * (`SqsParameters.MessageGroupId`) and, for dead-letter messages, the string message attributes
   * (`RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE`, ...). Wiring that ignores `options`
   * still works; the attributes are then lost, as they would be with a JSON-only queue.
   */
  sendToQueue(queueArn: string, body: string, options?: QueueMessageOptions): Promise<void>;
  /** StartExecution with `input` as the execution input. */
  startExecution(stateMachineArn: string, input: string): Promise<void>;
}

export interface QueueMessageOptions {
  readonly messageGroupId?: string;
  readonly messageAttributes?: Readonly<Record<string, string>>;
}

export type TargetKind = 'lambda' | 'sqs' | 'states';

/** The integration for a target ARN, or undefined when the service is not emulated. */
export function targetKindOf(arn: string): TargetKind | undefined {
  const service = arn.split(':')[2];
  return service === 'lambda' || service === 'sqs' || service === 'states' ? service : undefined;
}

/** The service part of an ARN, for messages. */
export function serviceOf(arn: string): string {
  return arn.split(':')[2] ?? 'unknown';
}

/** Sends one payload (the text EventBridge produced) to one target. */
export async function sendPayload(
  targets: EventTargets,
  kind: TargetKind,
  arn: string,
  payload: string,
  options: { readonly messageGroupId?: string } = {},
): Promise<void> {
  switch (kind) {
    case 'lambda':
      // Lambda receives the payload bytes and parses them as JSON; a text template that is not
      // JSON would be rejected by Invoke, which we approximate by passing the text as a string.
      return targets.invokeLambda(arn, parseOrText(payload));
    case 'sqs':
      return targets.sendToQueue(arn, payload, options.messageGroupId === undefined ? undefined : { messageGroupId: options.messageGroupId });
    case 'states':
      return targets.startExecution(arn, payload);
  }
}

function parseOrText(payload: string): unknown {
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return payload;
  }
}
