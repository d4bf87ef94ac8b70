import {
  DescribeEventBusCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutEventsCommand,
  ResourceNotFoundException,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createDelivery, type DeliveryTarget } from '../../local/eventbridge/delivery';
import { startEventBridge, type EventTargets, type QueueMessageOptions, type RunningEventBridge } from '../../local/eventbridge/event-bus-service';
import { compileTargetInput, InputTransformError, parseJsonPath, type EventEnvelope } from '../../local/eventbridge/input-transform';
import type { LocalAssembly, LocalResource } from '../../local/types';
import { assemblyOf as localAssembly } from '../support/local-assembly';

// ---------------------------------------------------------------- fixtures

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const arn = (service: string, resource: string): string => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

const BUS_ARN = arn('events', 'event-bus/commerce-dev');
const ORDERS_FN = arn('lambda', 'function:orders-handler');
const EVENT_FN = arn('lambda', 'function:whole-event');
const WORK_QUEUE = arn('sqs', 'work-queue');
const TEXT_QUEUE = arn('sqs', 'text-queue');
const FLAKY_QUEUE = arn('sqs', 'flaky-queue');
const LOST_QUEUE = arn('sqs', 'lost-queue');
const GONE_QUEUE = arn('sqs', 'gone-queue');
const DLQ = arn('sqs', 'rule-dlq');
const FULFILMENT_SM = arn('states', 'stateMachine:Fulfilment-abc');
const TOPIC = arn('sns', 'notifications');

function resource(type: string, logicalId: string, ref: string, properties: Record<string, unknown>, resourceArn?: string): LocalResource {
  return { stackName: 'commerce-dev-platform', logicalId, type, ref, ...(resourceArn ? { arn: resourceArn } : {}), properties, metadata: {} };
}

function assemblyOf(resources: readonly LocalResource[]): LocalAssembly {
  return localAssembly(resources, { region: REGION, accountId: ACCOUNT });
}

function rule(logicalId: string, name: string, properties: Record<string, unknown>, bus = 'commerce-dev'): LocalResource {
  const ref = bus === 'default' ? name : `${bus}|${name}`;
  const ruleArn = arn('events', bus === 'default' ? `rule/${name}` : `rule/${bus}/${name}`);
  return resource('AWS::Events::Rule', logicalId, ref, { State: 'ENABLED', ...(bus === 'default' ? {} : { EventBusName: bus }), ...properties }, ruleArn);
}

const ASSEMBLY = assemblyOf([
  resource('AWS::Events::EventBus', 'Bus', 'commerce-dev', { Name: 'commerce-dev' }, BUS_ARN),
  resource('AWS::Events::Archive', 'BusArchive', 'commerce-dev-archive', { SourceArn: BUS_ARN, EventPattern: { account: [ACCOUNT] } }, arn('events', 'archive/commerce-dev-archive')),
  resource('AWS::Events::Archive', 'PaymentsArchive', 'payments-archive', { SourceArn: BUS_ARN, EventPattern: { source: ['commerce.payments'] } }, arn('events', 'archive/payments-archive')),
  rule('OrderPlacedRule', 'order-placed', {
    // As CloudFormation may hand it over: the pattern as JSON text.
    EventPattern: JSON.stringify({ source: ['commerce.orders'], 'detail-type': ['OrderPlaced'] }),
    Targets: [
      { Id: 'Handler', Arn: ORDERS_FN, InputPath: '$.detail' },
      { Id: 'WholeEvent', Arn: EVENT_FN },
      {
        Id: 'Work',
        Arn: WORK_QUEUE,
        InputTransformer: {
          InputPathsMap: { 'detail-orderId': '$.detail.orderId', detail: '$.detail', missing: '$.detail.nope' },
          InputTemplate: '{"orderId":<detail-orderId>,"order":<detail>,"text":"order <detail-orderId> for \\"<detail-orderId>\\"","rule":"<aws.events.rule-name>","missing":<missing>}',
        },
      },
      {
        Id: 'Text',
        Arn: TEXT_QUEUE,
        // RuleTargetInput.fromText(`order ${EventField.fromPath('$.detail.orderId')} placed`)
        InputTransformer: { InputPathsMap: { 'detail-orderId': '$.detail.orderId' }, InputTemplate: '"order <detail-orderId> placed"' },
      },
      { Id: 'Fulfil', Arn: FULFILMENT_SM, Input: '{"kind":"fulfil"}' },
      { Id: 'Notify', Arn: TOPIC },
    ],
  }),
  rule('FlakyRule', 'flaky', {
    EventPattern: { source: ['commerce.flaky'] },
    Targets: [{ Id: 'Flaky', Arn: FLAKY_QUEUE, RetryPolicy: { MaximumRetryAttempts: 3 } }],
  }),
  rule('BrokenRule', 'broken', {
    EventPattern: { source: ['commerce.broken'] },
    Targets: [
      { Id: 'WithDlq', Arn: LOST_QUEUE, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 }, DeadLetterConfig: { Arn: DLQ } },
      { Id: 'NoDlq', Arn: LOST_QUEUE, RetryPolicy: { MaximumRetryAttempts: 1 } },
      { Id: 'Gone', Arn: GONE_QUEUE, DeadLetterConfig: { Arn: DLQ } },
      { Id: 'Aged', Arn: LOST_QUEUE, RetryPolicy: { MaximumRetryAttempts: 100, MaximumEventAgeInSeconds: 0 }, DeadLetterConfig: { Arn: DLQ } },
    ],
  }),
  rule('DisabledRule', 'disabled', { State: 'DISABLED', EventPattern: { source: ['commerce.orders'] }, Targets: [{ Id: 'T', Arn: ORDERS_FN }] }),
  rule('DefaultBusRule', 'default-bus-rule', { EventPattern: { source: ['aws.partner'] }, Targets: [{ Id: 'T', Arn: EVENT_FN }] }, 'default'),
]);

interface Call {
  readonly kind: 'lambda' | 'sqs' | 'states';
  readonly arn: string;
  readonly payload: unknown;
  readonly options?: QueueMessageOptions;
}

/** Records every delivery; the flaky queue fails twice, the lost queue always, the gone queue does not exist. */
function recordingTargets(): EventTargets & { calls: Call[]; attempts: Map<string, number> } {
  const calls: Call[] = [];
  const attempts = new Map<string, number>();
  const attempt = (target: string): number => {
    const n = (attempts.get(target) ?? 0) + 1;
    attempts.set(target, n);
    return n;
  };
  return {
    calls,
    attempts,
    async invokeLambda(functionArn, event) {
      calls.push({ kind: 'lambda', arn: functionArn, payload: event });
    },
    async sendToQueue(queueArn, body, options) {
      const n = attempt(queueArn);
      if (queueArn === FLAKY_QUEUE && n <= 2) throw new Error(`flaky failure ${n}`);
      if (queueArn === LOST_QUEUE) throw new Error('queue is on fire');
      if (queueArn === GONE_QUEUE) throw Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' });
      calls.push({ kind: 'sqs', arn: queueArn, payload: body, ...(options ? { options } : {}) });
    },
    async startExecution(stateMachineArn, input) {
      calls.push({ kind: 'states', arn: stateMachineArn, payload: input });
    },
  };
}

function entry(overrides: Partial<PutEventsRequestEntry> = {}): PutEventsRequestEntry {
  return {
    EventBusName: 'commerce-dev',
    Source: 'commerce.orders',
    DetailType: 'OrderPlaced',
    Detail: JSON.stringify({ orderId: 'o-1', total: 42, customer: { id: 'c-7' } }),
    ...overrides,
  };
}

// ------------------------------------------------------------------ tests

describe('startEventBridge', () => {
  let eventBridge: RunningEventBridge;
  let client: EventBridgeClient;
  let targets: ReturnType<typeof recordingTargets>;
  const logs: string[] = [];

  beforeAll(async () => {
    targets = recordingTargets();
    eventBridge = await startEventBridge(ASSEMBLY, targets, { log: (line) => logs.push(line), retryDelaysMs: [5, 10] });
    client = new EventBridgeClient({ endpoint: eventBridge.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });

  afterAll(async () => {
    client?.destroy();
    await eventBridge?.stop();
  });

  afterEach(async () => {
    await eventBridge.idle();
    targets.calls.length = 0;
    targets.attempts.clear();
    logs.length = 0;
  });

  it('accepts events on a bus by name, by ARN and on the default bus', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Source: 'commerce.other' }),
          entry({ Source: 'commerce.other', EventBusName: BUS_ARN }),
          entry({ Source: 'commerce.other', EventBusName: undefined }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toHaveLength(3);
    for (const accepted of result.Entries ?? []) expect(accepted.EventId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('fails invalid entries one by one, as AWS reports them, and accepts the rest', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          entry({ Source: undefined }),
          entry({ DetailType: undefined }),
          entry({ Detail: undefined }),
          entry({ Detail: '{not json' }),
          entry({ Detail: '[1,2]' }),
          entry({ EventBusName: 'no-such-bus' }),
          entry({ Source: 'commerce.other' }),
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(6);
    expect(result.Entries).toEqual([
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
      { EventId: expect.any(String) },
    ]);
  });

  it('rejects a request with more than 10 entries as a whole', async () => {
    const request = client.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }));
    await expect(request).rejects.toMatchObject({ name: 'ValidationException', $metadata: { httpStatusCode: 400 } });
  });

  it('routes a matching event to Lambda, SQS and Step Functions targets with their input transformations', async () => {
    const result = await client.send(new PutEventsCommand({ Entries: [entry({ Time: new Date('2026-01-02T03:04:05.678Z') })] }));
    const eventId = result.Entries?.[0]?.EventId;
    await eventBridge.idle();

    const call = (target: string): Call | undefined => targets.calls.find((candidate) => candidate.arn === target);
    // InputPath $.detail: the Lambda function gets the detail object.
    expect(call(ORDERS_FN)).toEqual({ kind: 'lambda', arn: ORDERS_FN, payload: { orderId: 'o-1', total: 42, customer: { id: 'c-7' } } });
    // No input setting: the whole event, as EventBridge shapes it.
    expect(call(EVENT_FN)?.payload).toEqual({
      version: '0',
      id: eventId,
      'detail-type': 'OrderPlaced',
      source: 'commerce.orders',
      account: ACCOUNT,
      time: '2026-01-02T03:04:05Z',
      region: REGION,
      resources: [],
      detail: { orderId: 'o-1', total: 42, customer: { id: 'c-7' } },
    });
    // InputTransformer with a JSON template: strings quoted outside string literals, inserted (escaped) inside.
    expect(JSON.parse(String(call(WORK_QUEUE)?.payload))).toEqual({
      orderId: 'o-1',
      order: { orderId: 'o-1', total: 42, customer: { id: 'c-7' } },
      text: 'order o-1 for "o-1"',
      rule: 'order-placed',
      missing: '',
    });
    // A string template keeps its quotes, as in AWS.
    expect(call(TEXT_QUEUE)?.payload).toBe('"order o-1 placed"');
    // A constant Input, as is.
    expect(call(FULFILMENT_SM)).toEqual({ kind: 'states', arn: FULFILMENT_SM, payload: '{"kind":"fulfil"}' });
    // The SNS target is not emulated: said at start and per event, nothing is called.
    expect(targets.calls).toHaveLength(5);
    expect(logs.some((line) => line.includes('target Notify') && line.includes('sns targets are not emulated'))).toBe(true);
  });

  it('delivers a non-matching event to nothing', async () => {
    await client.send(new PutEventsCommand({ Entries: [entry({ DetailType: 'OrderCancelled' }), entry({ Source: 'aws.partner' })] }));
    await eventBridge.idle();
    // The default-bus rule matches aws.partner only on the default bus.
    expect(targets.calls).toEqual([]);
    expect(logs.filter((line) => line.includes('matched no rule'))).toHaveLength(2);
  });

  it('matches rules of the default bus', async () => {
    await eventBridge.putEvents([{ Source: 'aws.partner', DetailType: 'Ping', Detail: '{}' }]);
    await eventBridge.idle();
    expect(targets.calls).toEqual([expect.objectContaining({ kind: 'lambda', arn: EVENT_FN })]);
  });

  it('retries a failing target with backoff until it succeeds', async () => {
    await eventBridge.putEvents([entry({ Source: 'commerce.flaky' })]);
    await eventBridge.idle();
    expect(targets.attempts.get(FLAKY_QUEUE)).toBe(3);
    expect(targets.calls).toEqual([expect.objectContaining({ kind: 'sqs', arn: FLAKY_QUEUE })]);
    expect(logs.some((line) => line.includes('retrying in 5 ms'))).toBe(true);
    expect(logs.some((line) => line.includes('retrying in 10 ms'))).toBe(true);
    expect(logs.some((line) => line.includes('on attempt 3'))).toBe(true);
  });

  it('sends an event that exhausted its retries to the dead-letter queue, or drops it loudly', async () => {
    const result = await eventBridge.putEvents([entry({ Source: 'commerce.broken', Resources: ['arn:aws:x:::thing'] })]);
    await eventBridge.idle();
    const eventId = result.Entries[0]?.EventId;

    // MaximumRetryAttempts 2: the first attempt and two retries.
    expect(logs.filter((line) => line.includes('target WithDlq') && line.includes('retrying'))).toHaveLength(2);
    const deadLetters = targets.calls.filter((call) => call.arn === DLQ);
    expect(deadLetters).toHaveLength(3);
    for (const deadLetter of deadLetters) {
      // The original event, not the target input.
      expect(JSON.parse(String(deadLetter.payload))).toMatchObject({ id: eventId, source: 'commerce.broken', resources: ['arn:aws:x:::thing'] });
    }
    const attributes = deadLetters.map((call) => call.options?.messageAttributes);
    expect(attributes).toContainEqual({
      RULE_ARN: arn('events', 'rule/commerce-dev/broken'),
      TARGET_ARN: LOST_QUEUE,
      ERROR_CODE: 'SDK_CLIENT_ERROR',
      ERROR_MESSAGE: 'queue is on fire',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '2',
    });
    // A missing target resource is not retried.
    expect(attributes).toContainEqual(expect.objectContaining({ TARGET_ARN: GONE_QUEUE, ERROR_CODE: 'NO_RESOURCE', EXHAUSTED_RETRY_CONDITION: 'NonRetryableError', RETRY_ATTEMPTS: '0' }));
    // MaximumEventAgeInSeconds 0: the first retry would already be too late.
    expect(attributes).toContainEqual(expect.objectContaining({ TARGET_ARN: LOST_QUEUE, EXHAUSTED_RETRY_CONDITION: 'MaximumEventAgeInSeconds', RETRY_ATTEMPTS: '0' }));
    // No dead-letter queue: dropped, loudly.
    expect(logs.some((line) => line.startsWith('DROPPED') && line.includes('target NoDlq') && line.includes('after 2 attempt(s)'))).toBe(true);
  });

  it('archives the matching events of its source bus', async () => {
    const before = eventBridge.archived('commerce-dev').length;
    const result = await eventBridge.putEvents([
      entry({ Source: 'commerce.payments', DetailType: 'PaymentTaken' }),
      entry({ Source: 'commerce.other' }),
      entry({ Source: 'commerce.other', EventBusName: 'default' }),
    ]);
    const [payment, other] = result.Entries.map((accepted) => accepted.EventId);

    const all = eventBridge.archived('commerce-dev').slice(before).map((event) => event.id);
    expect(all).toEqual([payment, other]);
    expect(eventBridge.archived(BUS_ARN).slice(before).map((event) => event.id)).toEqual(all);
    expect(eventBridge.archived('payments-archive').map((event) => event.id)).toEqual([payment]);
    expect(eventBridge.archived('default')).toEqual([]);
  });

  it('answers DescribeEventBus and ListRules', async () => {
    expect(await client.send(new DescribeEventBusCommand({ Name: 'commerce-dev' }))).toMatchObject({ Name: 'commerce-dev', Arn: BUS_ARN });
    expect(await client.send(new DescribeEventBusCommand({}))).toMatchObject({ Name: 'default', Arn: arn('events', 'event-bus/default') });
    await expect(client.send(new DescribeEventBusCommand({ Name: 'nope' }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const listed = await client.send(new ListRulesCommand({ EventBusName: 'commerce-dev', NamePrefix: 'order' }));
    expect(listed.Rules).toEqual([
      {
        Name: 'order-placed',
        Arn: arn('events', 'rule/commerce-dev/order-placed'),
        State: 'ENABLED',
        EventBusName: 'commerce-dev',
        EventPattern: JSON.stringify({ source: ['commerce.orders'], 'detail-type': ['OrderPlaced'] }),
      },
    ]);
  });
});

describe('the events log hook', () => {
  it('sees every accepted event once, with its bus, and no rejected entry', async () => {
    const seen: { bus: string; id: string; source: string }[] = [];
    const eventBridge = await startEventBridge(ASSEMBLY, recordingTargets(), {
      log: () => undefined,
      onEvent: (bus, event) => seen.push({ bus, id: event.id, source: event.source }),
    });
    try {
      const result = await eventBridge.putEvents([
        entry({ Source: 'commerce.one' }),
        entry({ Source: 'commerce.two', EventBusName: 'default' }),
        entry({ Source: 'commerce.lost', EventBusName: 'no-such-bus' }),
      ]);
      const [one, two] = result.Entries.map((accepted) => accepted.EventId);
      expect(result.FailedEntryCount).toBe(1);
      expect(seen).toEqual([
        { bus: 'commerce-dev', id: one, source: 'commerce.one' },
        { bus: 'default', id: two, source: 'commerce.two' },
      ]);
    } finally {
      await eventBridge.stop();
    }
  });
});

describe('stopping EventBridge', () => {
  it('abandons deliveries waiting for a retry and leaves no timer behind', async () => {
    const logs: string[] = [];
    const targets = recordingTargets();
    const eventBridge = await startEventBridge(ASSEMBLY, targets, { log: (line) => logs.push(line), retryDelaysMs: [60_000] });
    await eventBridge.putEvents([entry({ Source: 'commerce.broken' })]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await eventBridge.stop();
    await eventBridge.idle();
    expect(logs.some((line) => /stopping: \d+ event deliveries waiting for a retry are abandoned/.test(line))).toBe(true);
  });
});

describe('delivery', () => {
  const event: EventEnvelope = {
    version: '0',
    id: 'e-1',
    'detail-type': 'T',
    source: 's',
    account: ACCOUNT,
    time: '2026-01-01T00:00:00Z',
    region: REGION,
    resources: [],
    detail: {},
  };

  it('turns an input transformation that yields invalid JSON into a dead letter, without retries', async () => {
    const sent: { arn: string; body: string; options?: QueueMessageOptions }[] = [];
    const delivery = createDelivery({
      targets: {
        invokeLambda: async () => {},
        sendToQueue: async (arn, body, options) => {
          sent.push({ arn, body, ...(options ? { options } : {}) });
        },
        startExecution: async () => {},
      },
      log: () => {},
      retryDelaysMs: [1],
    });
    const target: DeliveryTarget = {
      ruleArn: 'rule-arn',
      ruleName: 'r',
      targetId: 't',
      arn: ORDERS_FN,
      // Two values side by side: not JSON once filled.
      input: compileTargetInput({ InputTransformer: { InputPathsMap: { key: '$.source' }, InputTemplate: '{"a": <key> <key>}' } }),
      maximumRetryAttempts: 3,
      maximumEventAgeSeconds: 60,
      deadLetterArn: DLQ,
    };
    delivery.deliver(target, event, Date.now());
    await delivery.idle();
    expect(sent).toEqual([
      { arn: DLQ, body: JSON.stringify(event), options: { messageAttributes: expect.objectContaining({ ERROR_CODE: 'INVALID_JSON' }) } },
    ]);
    delivery.stop();
  });
});

describe('input transformation', () => {
  const event: EventEnvelope = {
    version: '0',
    id: 'e-1',
    'detail-type': 'OrderPlaced',
    source: 'commerce.orders',
    account: ACCOUNT,
    time: '2026-01-01T00:00:00Z',
    region: REGION,
    resources: ['r-1'],
    detail: { id: 'o-1', n: 3, ok: true, items: [{ sku: 'A' }, { sku: 'B' }], 'odd-key': 'x', quote: 'say "hi"\n' },
  };
  const rule = { ruleArn: arn('events', 'rule/commerce-dev/r'), ruleName: 'r' };
  const payload = (spec: Parameters<typeof compileTargetInput>[0]): string => {
    const result = compileTargetInput(spec).payloadFor(event, rule);
    if (result.kind !== 'payload') throw new Error(result.reason);
    return result.text;
  };
  const transform = (paths: Record<string, string>, template: string): string => payload({ InputTransformer: { InputPathsMap: paths, InputTemplate: template } });

  it('parses the JSONPath subset EventBridge supports', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.detail.items[1].sku')).toEqual(['detail', 'items', 1, 'sku']);
    expect(parseJsonPath("$.detail['odd-key']")).toEqual(['detail', 'odd-key']);
    expect(parseJsonPath('$.detail.odd-key')).toEqual(['detail', 'odd-key']);
    expect(() => parseJsonPath('detail')).toThrow(InputTransformError);
    expect(() => parseJsonPath('$.detail.*')).toThrow(/wildcards/);
  });

  it('selects with InputPath, and sends nothing when the path matches nothing', () => {
    expect(payload({ InputPath: '$.detail.items[1]' })).toBe('{"sku":"B"}');
    expect(payload({ InputPath: '$' })).toBe(JSON.stringify(event));
    expect(compileTargetInput({ InputPath: '$.detail.nope' }).payloadFor(event, rule)).toEqual({ kind: 'nothing', reason: expect.stringContaining('$.detail.nope') });
  });

  it('fills JSON templates with JSON values, quoting strings outside string literals', () => {
    const text = transform(
      { id: '$.detail.id', n: '$.detail.n', ok: '$.detail.ok', items: '$.detail.items', quote: '$.detail.quote' },
      '{"id": <id>, "n": <n>, "ok": <ok>, "items": <items>, "list": [<id>, <n>], "msg": "<id> x<n> <ok> <items>", "q": "<quote>", "raw": <quote>}',
    );
    expect(JSON.parse(text)).toEqual({
      id: 'o-1',
      n: 3,
      ok: true,
      items: [{ sku: 'A' }, { sku: 'B' }],
      list: ['o-1', 3],
      msg: 'o-1 x3 true [{"sku":"A"},{"sku":"B"}]',
      q: 'say "hi"\n',
      raw: 'say "hi"\n',
    });
  });

  it('fills text templates with raw text', () => {
    expect(transform({ id: '$.detail.id', n: '$.detail.n' }, 'order <id> has <n> items')).toBe('order o-1 has 3 items');
    expect(transform({ id: '$.detail.id' }, '"order <id>"')).toBe('"order o-1"');
  });

  it('offers the predefined variables', () => {
    const text = transform({}, '{"arn": <aws.events.rule-arn>, "name": "<aws.events.rule-name>", "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>}');
    expect(JSON.parse(text)).toEqual({ arn: rule.ruleArn, name: 'r', at: event.time, event });
  });

  it('rejects what EventBridge rejects when the target is created', () => {
    expect(() => compileTargetInput({ Input: '{}', InputPath: '$.detail' })).toThrow(/only one of Input, InputPath/);
    expect(() => compileTargetInput({ Input: 'not json' })).toThrow(/Input must be valid JSON/);
    expect(() => compileTargetInput({ InputTransformer: { InputPathsMap: {}, InputTemplate: '{"a": <undefined-var>}' } })).toThrow(/<undefined-var>/);
    expect(() => compileTargetInput({ InputTransformer: { InputPathsMap: { 'aws.events.rule-arn': '$.id' }, InputTemplate: '1' } })).toThrow(/predefined/);
  });
});
