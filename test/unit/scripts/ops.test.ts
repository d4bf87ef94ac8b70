import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { parseInvocation, UsageError } from '../../../scripts/ops/cli';
import { eventOf, findQueue } from '../../../ops/dlq';
import { patternNames } from '../../../ops/events';
import { derivedOf, drift } from '../../../ops/orders';
import type { OrderEvent } from '../../../functions/orders/domain/order';
import { replayOrder, type PlacedDetails } from '../../../functions/orders/domain/replay';
import { table } from '../../../ops/report';
import { applyParameters, placeResult, planFrom, readPath } from '../../../ops/retry';
import { deployedTarget, localTarget, opsResources, type DeadLetterQueueInfo } from '../../../ops/target';

describe('ops command line', () => {
  it('reads a command, its target and --dry-run', () => {
    expect(parseInvocation(['dlq', 'redrive', 'Orders', '--local', '--dry-run', '--max', '5'])).toEqual({
      help: false, command: { name: 'dlq redrive', queue: 'Orders', max: 5 }, target: { kind: 'local' }, dryRun: true,
    });
    expect(parseInvocation(['orders', 'flagged', '--stage', 'prod'])).toMatchObject({ target: { kind: 'stage', stage: 'prod' }, dryRun: false });
    expect(parseInvocation(['rebuild', 'orders'])).toMatchObject({ target: { kind: 'stage', stage: 'dev' } });
    expect(parseInvocation(['--help'])).toEqual({ help: true });
  });

  it('reads the replay window and its detail-type', () => {
    const invocation = parseInvocation(['events', 'replay', '--from', '2026-12-01T10:00:00Z', '--to', '2026-12-01T11:00:00Z', '--detail-type', 'OrderPlaced']);
    expect(invocation).toMatchObject({ command: { name: 'events replay', detailType: 'OrderPlaced' } });
    if (invocation.help || invocation.command.name !== 'events replay') throw new Error('not a replay');
    expect(invocation.command.from.toISOString()).toBe('2026-12-01T10:00:00.000Z');
  });

  it.each([
    [['dlq'], /unknown command "dlq"/],
    [[], /no command given/],
    [['dlq', 'redrive'], /needs the queue/],
    [['dlq', 'redrive', 'q', '--max', '0'], /--max must be a positive whole number/],
    [['events', 'replay', '--to', '2026-12-01T11:00:00Z'], /needs --from/],
    [['events', 'replay', '--from', 'yesterday', '--to', '2026-12-01T11:00:00Z'], /--from must be an ISO 8601 time/],
    [['dlq', 'list', 'extra'], /unexpected argument "extra"/],
    [['dlq', 'list', '--local', '--stage', 'dev'], /two targets/],
    [['orders', 'retry'], /orders retry needs the order/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseInvocation(argv)).toThrow(message);
    expect(() => parseInvocation(argv)).toThrow(UsageError);
  });
});

const dlq = (name: string, purpose: string): DeadLetterQueueInfo => ({
  name, url: `http://sqs/000/${name}`, arn: `arn:aws:sqs:us-east-1:000:${name}`, purpose, redrive: { kind: 'none' },
});

describe('ops resources from stack outputs', () => {
  it('finds the dead-letter queues, the bus, its archive and the orders table by the ids inside the output keys', () => {
    const resources = opsResources({
      'commerce-dev-platform': { OpsEventBusArn: 'arn:bus', OpsEventArchiveArn: 'arn:archive' },
      'commerce-dev-orders': {
        OpsOrdersTableName: 'orders-table',
        CatalogEventsDeadLettersOpsDeadLetterQueue1A2B3C4D: JSON.stringify({ url: 'http://sqs/000/orders-dlq', arn: 'arn:q', purpose: 'p', redrive: { kind: 'function', arn: 'arn:fn' } }),
        Unrelated: 'x',
      },
    });
    expect(resources).toEqual({
      eventBusArn: 'arn:bus', eventArchiveArn: 'arn:archive', ordersTableName: 'orders-table',
      deadLetterQueues: [{ name: 'orders-dlq', url: 'http://sqs/000/orders-dlq', arn: 'arn:q', purpose: 'p', redrive: { kind: 'function', arn: 'arn:fn' } }],
    });
  });

  it('chooses a queue by name, URL or a fragment only it has, and names the candidates otherwise', () => {
    const queues = [dlq('a-OnProductCreated', 'ProductCreated events for OnProductCreated'), dlq('b-OnOrderEvent', 'OrderConfirmed events for OnOrderEvent')];
    expect(findQueue(queues, 'b-OnOrderEvent').name).toBe('b-OnOrderEvent');
    expect(findQueue(queues, 'http://sqs/000/a-OnProductCreated').name).toBe('a-OnProductCreated');
    expect(findQueue(queues, 'productcreated').name).toBe('a-OnProductCreated');
    expect(() => findQueue(queues, 'events')).toThrow(/More than one dead-letter queue matches "events"/);
    expect(() => findQueue(queues, 'nothing')).toThrow(/No dead-letter queue matches "nothing"; they are:\n {2}a-OnProductCreated/);
  });
});

describe('dead letters and replays', () => {
  it('takes the event out of a Lambda destination record, and an EventBridge dead letter as it is', () => {
    const event = { id: 'e1', 'detail-type': 'ProductCreated', detail: {} };
    expect(eventOf(JSON.stringify({ version: '1.0', requestContext: {}, requestPayload: event, responsePayload: {} }))).toEqual(event);
    expect(eventOf(JSON.stringify(event))).toEqual(event);
  });

  it('knows which rules select a detail-type by name', () => {
    expect(patternNames(JSON.stringify({ source: ['commerce.catalog'], 'detail-type': ['ProductCreated', 'ProductUpdated'] }), 'ProductUpdated')).toBe(true);
    expect(patternNames(JSON.stringify({ source: ['commerce.catalog'] }), 'ProductUpdated')).toBe(false);
    expect(patternNames(undefined, 'ProductUpdated')).toBe(false);
  });
});

const address = { name: 'A', line1: '1 St', city: 'C', postalCode: 'P', country: 'GB' };

describe('the orders view from its events', () => {
  const placed = {
    customerId: 'u1', items: [], totalCents: 100, currency: 'USD', shippingAddress: address, createdAt: '2026-12-01T10:00:00Z', correlationId: 'c1',
  } as const satisfies PlacedDetails;
  const events: OrderEvent[] = [
    { seq: 1, type: 'OrderPlaced', status: 'PENDING', at: '2026-12-01T10:00:00Z', eventId: 'e1', placed },
    { seq: 2, type: 'OrderCancelled', status: 'CANCELLED', at: '2026-12-01T10:00:05Z', eventId: 'e2', reason: 'PAYMENT_DECLINED' },
  ];

  it('takes the status, version, time and reason of the last change from the order the events make', () => {
    expect(derivedOf(replayOrder('o1', undefined, events)!)).toEqual({ status: 'CANCELLED', version: 2, updatedAt: '2026-12-01T10:00:05Z', statusReason: 'PAYMENT_DECLINED' });
    expect(derivedOf(replayOrder('o1', undefined, events.slice(0, 1))!)).toEqual({ status: 'PENDING', version: 1, updatedAt: '2026-12-01T10:00:00Z' });
  });

  it('names the fields a stored view disagrees on', () => {
    const derived = derivedOf(replayOrder('o1', undefined, events)!);
    expect(drift({ status: 'CANCELLED', version: 2, updatedAt: '2026-12-01T10:00:05Z', statusReason: 'PAYMENT_DECLINED' }, derived)).toEqual([]);
    expect(drift({ status: 'PENDING', version: 1, updatedAt: '2026-12-01T10:00:00Z' }, derived)).toEqual(['status', 'version', 'updatedAt', 'statusReason']);
  });

  it('prints aligned columns', () => {
    expect(table(['A', 'BB'], [['xxx', 'y']])).toEqual(['A    BB', 'xxx  y']);
  });
});

describe('orders retry: the saga path it runs', () => {
  const states = {
    ReleaseStockPaymentDeclined: {
      Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:0:function:release', ResultPath: '$.release', Next: 'CancelOrderPaymentDeclined',
      Parameters: { 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', reason: 'PAYMENT_DECLINED' },
    },
    CancelOrderPaymentDeclined: {
      Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:0:function:cancel', ResultPath: '$.cancellation', Next: 'Cancelled',
      Parameters: { 'orderId.$': '$.orderId', to: 'CANCELLED', nested: { 'refunded.$': '$.refund.refunded' } },
    },
    Cancelled: { Type: 'Succeed' },
    Check: { Type: 'Choice' },
    ToChoice: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:0:function:x', Next: 'Check' },
  };

  it('follows Next from the failed state to the end of the path', () => {
    expect(planFrom(states, 'ReleaseStockPaymentDeclined')).toEqual([
      { state: 'ReleaseStockPaymentDeclined', functionArn: 'arn:aws:lambda:us-east-1:0:function:release' },
      { state: 'CancelOrderPaymentDeclined', functionArn: 'arn:aws:lambda:us-east-1:0:function:cancel' },
    ]);
    expect(() => planFrom(states, 'ToChoice')).toThrow(/reaches Check \(Choice\), which the retry cannot run/);
    expect(() => planFrom(states, 'Nowhere')).toThrow(/no state Nowhere/);
  });

  it('builds each payload from its Parameters and places each result at its ResultPath', () => {
    const input = { orderId: 'o1', correlationId: 'c1', refund: { refunded: true } };
    expect(applyParameters(states.ReleaseStockPaymentDeclined.Parameters, input)).toEqual({ orderId: 'o1', correlationId: 'c1', reason: 'PAYMENT_DECLINED' });
    expect(applyParameters(states.CancelOrderPaymentDeclined.Parameters, input)).toEqual({ orderId: 'o1', to: 'CANCELLED', nested: { refunded: true } });
    expect(placeResult(input, '$.release.outcome', 'RELEASED')).toEqual({ ...input, release: { outcome: 'RELEASED' } });
    expect(placeResult(input, null, 'ignored')).toBe(input);
    expect(placeResult(input, '$', { whole: 1 })).toEqual({ whole: 1 });
    expect(readPath(input, '$.refund.refunded')).toBe(true);
    expect(() => readPath(input, 'States.JsonToString($.failure)')).toThrow(/cannot evaluate the path/);
  });
});

describe('ops targets', () => {
  it('reads a deployed stage from the outputs of its own stacks only', async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand).resolves({
      Stacks: [
        { StackName: 'commerce-dev-orders', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'OpsOrdersTableName', OutputValue: 'dev-orders' }] },
        { StackName: 'commerce-prod-orders', CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'OpsOrdersTableName', OutputValue: 'prod-orders' }] },
      ],
    });
    const target = await deployedTarget('prod', new CloudFormationClient({ region: 'us-east-1' }));
    expect(target.description).toBe('stage prod');
    expect(target.resources.ordersTableName).toBe('prod-orders');
    await expect(deployedTarget('staging', new CloudFormationClient({ region: 'us-east-1' }))).rejects.toThrow(/No stacks named commerce-staging-\*/);
    cloudFormation.restore();
  });

  it('says to start the offline runtime when its description is missing', () => {
    expect(() => localTarget('/nonexistent/local-runtime.json')).toThrow(/start it with npm start/);
  });
});
