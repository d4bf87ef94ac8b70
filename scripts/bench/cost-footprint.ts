/**
 * One order's footprint from what the offline runtime measured (cost-measure.ts), and its price
 * per service and per function. What cannot be measured offline is an assumption, named here.
 */
import type { CountedRequest } from './cost-dynamo-proxy';
import type { ConsoleRecord, MeasuredOrders } from './cost-measure';
import type { AppFunction } from './cost-model';
import { PRICES } from './prices';
import { percentile } from './stats';

export const ASSUMPTIONS = {
  /**
   * Billed ms of an invocation = (its fastest warm invocation offline, less the time it waited on
   * DynamoDB Local) × this + its DynamoDB requests × awsDynamoMs. The fastest is the one least
   * slowed by this machine's other work: a lower bound of the handler's own time. Offline a
   * function may use a whole core; on AWS, 512 MB is about 0.29 vCPU (1,769 MB = 1 vCPU).
   */
  durationMargin: 2,
  /** One DynamoDB request from Lambda in the same region, SDK included (DynamoDB: "single-digit ms"); DynamoDB Local's own time depends on this machine's load. */
  awsDynamoMs: 6,
  /** Share of invocations that are cold starts (AWS: "typically under 1 %"); INIT is billed since 2025-08. */
  coldStartRate: 0.01,
  /** Billed INIT of a cold start: the init bench's import (about 100 ms here) × 3 for 512 MB's CPU share. */
  initMs: 300,
  /** Express workflows bill at least 64 MB, per 100 ms started. */
  expressMemoryMb: 64,
  /** A message costs three SQS requests (send; Lambda's receive and delete); Lambda's empty long polls are a fixed cost per queue, not per order. */
  sqsRequestsPerMessage: 3,
} as const;

export interface FunctionFootprint {
  readonly label: string;
  readonly memoryMb: number;
  readonly invocations: number;
  /** The handler's time offline (the Lambda service's own measure), median. */
  readonly medianMs: number;
  /** The fastest invocation's time less what its DynamoDB requests took on DynamoDB Local. */
  readonly ownMs: number;
  /** DynamoDB requests per invocation. */
  readonly dynamoRequests: number;
  /** DynamoDB units of the requests made while it ran (and no other function of its context). */
  readonly readUnits: number;
  readonly writeUnits: number;
}

export interface DynamoFootprint {
  readonly table: string;
  readonly operation: string;
  readonly requests: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** The kinds of items written (`Put ORDER#…/STATE 549 B`), distinct. */
  readonly items: readonly string[];
}

/** Per order (totals divided by the orders measured). */
export interface OrderFootprint {
  readonly apiRequests: number;
  readonly functions: readonly FunctionFootprint[];
  readonly events: number;
  readonly sqsMessages: number;
  readonly dynamo: readonly DynamoFootprint[];
  readonly sagaMs: number;
}

/** `orders` for the table `commerce-dev-orders-TableCD117FA1-SRIO7FP3MF1C`. */
const tableLabel = (name: string) => /^commerce-[a-z]+-([a-z]+)-/.exec(name)?.[1] ?? name;

const of = (records: readonly ConsoleRecord[], kind: ConsoleRecord['kind']) => records.filter((record) => record.kind === kind);

/**
 * The invocation that made a request: the one running then (the record's `at` is its end) in the
 * table's context, if only one was. A function only writes its own context's table.
 */
function invocationAt(invocations: readonly ConsoleRecord[], request: CountedRequest): ConsoleRecord | undefined {
  const context = `commerce-dev-${tableLabel(request.table)}-`;
  const running = invocations.filter(({ at: end, data }) => end - Number(data.ms) <= request.at && request.at <= end && String(data.functionName).startsWith(context));
  return running.length === 1 ? running[0] : undefined;
}

function dynamoByTable(requests: readonly CountedRequest[], orders: number): DynamoFootprint[] {
  const groups = new Map<string, CountedRequest[]>();
  for (const request of requests) {
    const key = `${tableLabel(request.table)}\t${request.operation}${request.conditionFailed ? ' (condition failed)' : ''}`;
    groups.set(key, [...(groups.get(key) ?? []), request]);
  }
  return [...groups].map(([key, group]) => {
    const [table, operation] = key.split('\t') as [string, string];
    const sum = (pick: (request: CountedRequest) => number) => group.reduce((total, request) => total + pick(request), 0) / orders;
    const items = [...new Set(group.flatMap((request) => request.items ?? []).map((item) => item.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '…')))];
    return { table, operation, requests: group.length / orders, readUnits: sum((r) => r.readUnits), writeUnits: sum((r) => r.writeUnits), items };
  });
}

/** `functions`: the app's, by physical name (OrderCounts.functions); one the runtime ran that the app lacks is an error. */
export function footprintOf(measured: MeasuredOrders, functions: Readonly<Record<string, AppFunction>>): OrderFootprint {
  const { orders, records } = measured;
  const invocations = of(records, 'invocation');
  const dynamo = measured.dynamo.filter((request) => request.fromFunction);
  const made = new Map<ConsoleRecord, CountedRequest[]>();
  for (const request of dynamo) {
    const invocation = invocationAt(invocations, request);
    if (invocation) made.set(invocation, [...(made.get(invocation) ?? []), request]);
  }
  const names = [...new Set(invocations.map(({ data }) => String(data.functionName)))];
  const footprints = names.map((name) => {
    const app = functions[name];
    if (!app) throw new Error(`the runtime ran ${name}, which the synthesized app does not have: was it synthesized from the same source?`);
    const mine = invocations.filter(({ data }) => data.functionName === name);
    const requests = mine.flatMap((invocation) => made.get(invocation) ?? []);
    const total = (pick: (request: CountedRequest) => number) => requests.reduce((sum, request) => sum + pick(request), 0);
    return {
      ...app,
      invocations: mine.length / orders,
      medianMs: percentile(mine.map(({ data }) => Number(data.ms)), 50),
      ownMs: Math.min(...mine.map((invocation) => Number(invocation.data.ms) - (made.get(invocation) ?? []).reduce((sum, request) => sum + request.ms, 0))),
      dynamoRequests: requests.length / mine.length,
      readUnits: total((request) => request.readUnits) / orders,
      writeUnits: total((request) => request.writeUnits) / orders,
    };
  });
  return {
    apiRequests: of(records, 'request').length / orders,
    functions: footprints,
    // PutEvents bills each entry per 64 KB chunk; the detail is most of an entry.
    events: of(records, 'event').reduce((sum, { data }) => sum + Math.max(1, Math.ceil(Buffer.byteLength(String(data.detail)) / 65_536)), 0) / orders,
    sqsMessages: of(records, 'delivery').filter(({ data }) => data.kind === 'sqs' && data.ok === true).length / orders,
    dynamo: dynamoByTable(dynamo, orders),
    sagaMs: percentile([...measured.sagaMs], 50),
  };
}

/** Billed ms of one invocation, on average: its own time with the margin, AWS's DynamoDB round trips, the cold starts' share of INIT. */
export const billedMs = (fn: FunctionFootprint, margin: number = ASSUMPTIONS.durationMargin) =>
  Math.ceil(Math.max(0, fn.ownMs) * margin + fn.dynamoRequests * ASSUMPTIONS.awsDynamoMs) + ASSUMPTIONS.coldStartRate * ASSUMPTIONS.initMs;

/** Dollars per order of one function: its requests and duration. */
export const lambdaDollars = (fn: FunctionFootprint, margin?: number) =>
  fn.invocations * (PRICES.lambdaPerRequest + (fn.memoryMb / 1024) * (billedMs(fn, margin) / 1000) * PRICES.lambdaArmPerGbSecond);

export const dynamoDollars = (units: { readUnits: number; writeUnits: number }) => units.readUnits * PRICES.dynamoPerReadUnit + units.writeUnits * PRICES.dynamoPerWriteUnit;

/** Dollars per order, by service, for a saga of `sagaType` with `transitions` on its happy path. */
export function priceFootprint(footprint: OrderFootprint, saga: { sagaType: string; transitions: number }, margin?: number): Record<string, number> {
  const sum = <T>(items: readonly T[], dollars: (item: T) => number) => items.reduce((total, item) => total + dollars(item), 0);
  const expressGbSeconds = (ASSUMPTIONS.expressMemoryMb / 1024) * Math.max(1, Math.ceil(footprint.sagaMs / 100)) * 0.1;
  return {
    'API Gateway': footprint.apiRequests * PRICES.apiGatewayRestPerRequest,
    'Step Functions':
      saga.sagaType === 'EXPRESS'
        ? PRICES.sfnExpressPerRequest + expressGbSeconds * PRICES.sfnExpressPerGbSecond
        : saga.transitions * PRICES.sfnStandardPerTransition,
    Lambda: sum(footprint.functions, (fn) => lambdaDollars(fn, margin)),
    EventBridge: footprint.events * PRICES.eventBridgePerEvent,
    SQS: footprint.sqsMessages * ASSUMPTIONS.sqsRequestsPerMessage * PRICES.sqsPerRequest,
    DynamoDB: sum(footprint.dynamo, dynamoDollars),
  };
}
