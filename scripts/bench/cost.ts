/**
 * The cost per 1M orders, one line per saga configuration (`-c sagaWorkflow=STANDARD|EXPRESS`):
 * what an order does measured on the offline runtime (cost-measure.ts: DynamoDB units through a
 * counting proxy, invocations and their handler times, events, SQS messages, API requests), the
 * saga's transitions from each configuration's synthesized template, AWS's prices (prices.ts).
 */
import { loadavg } from 'node:os';
import * as path from 'node:path';
import { ASSUMPTIONS, billedMs, dynamoDollars, footprintOf, lambdaDollars, priceFootprint, type OrderFootprint } from './cost-footprint';
import { measureOrders } from './cost-measure';
import { countOrder, type OrderCounts } from './cost-model';
import { PRICES_READ } from './prices';
import { table } from './stats';
import { synthesizeResolved, withTempDir } from './synth';

const CONFIGURATIONS = ['STANDARD', 'EXPRESS'] as const;
/** Orders measured after the warm-up: enough for medians of the handler times, few enough for a 2-core machine. */
const MEASURED_ORDERS = 8;

const perMillion = (perOrder: number) => `$${(perOrder * 1e6).toFixed(perOrder * 1e6 < 10 ? 2 : 1)}`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const units = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2));

async function synthesizedConfigurations(log: (line: string) => void): Promise<OrderCounts[]> {
  const counted: OrderCounts[] = [];
  for (const configuration of CONFIGURATIONS) {
    // Not bundled: the counts need the templates, not the code (npm start bundles its own).
    const context = { sagaWorkflow: configuration, 'aws:cdk:bundling-stacks': [] };
    const counts = await withTempDir('commerce-bench-cost-', (dir) => countOrder(synthesizeResolved(path.join(dir, 'cdk.out'), context)));
    if (counted.some((other) => other.sagaType === counts.sagaType)) {
      log(`sagaWorkflow=${configuration}: not available (the app synthesizes a ${counts.sagaType} saga with it too; the context is not read)`);
      continue;
    }
    counted.push(counts);
  }
  return counted;
}

function logFunctions(footprint: OrderFootprint, log: (line: string) => void): void {
  const rows = footprint.functions.map((fn) => [
    fn.label, String(fn.memoryMb), units(fn.invocations), fn.medianMs.toFixed(0), fn.ownMs.toFixed(0), units(fn.dynamoRequests), billedMs(fn).toFixed(0),
    units(fn.readUnits), units(fn.writeUnits), perMillion(lambdaDollars(fn)), perMillion(dynamoDollars(fn)),
  ]);
  log(table(['function', 'MB', 'calls', 'offline p50 ms', 'fastest, less DynamoDB Local', 'DynamoDB requests', 'billed ms', 'RRU', 'WRU', 'Lambda', 'DynamoDB'], rows));
  const attributed = footprint.functions.reduce((sum, fn) => sum + fn.writeUnits, 0);
  const total = footprint.dynamo.reduce((sum, row) => sum + row.writeUnits, 0);
  if (attributed < total) log(`(${units(total - attributed)} WRU were written while two functions ran at once: in the tables below, not above)`);
}

function logDynamo(footprint: OrderFootprint, log: (line: string) => void): void {
  const rows = footprint.dynamo.map((row) => [row.table, row.operation, units(row.requests), units(row.readUnits), units(row.writeUnits), perMillion(dynamoDollars(row)), row.items.join('; ')]);
  log(table(['table', 'operation', 'requests', 'RRU', 'WRU', '$ per 1M', 'items written (billed size)'], rows));
}

export async function benchCost({ log }: { log: (line: string) => void }): Promise<void> {
  const configurations = await synthesizedConfigurations(log);
  const template = configurations[0]!;
  const loadBefore = load();
  const measured = await measureOrders(MEASURED_ORDERS, log);
  const footprint = footprintOf(measured, template.functions);
  const invocations = footprint.functions.reduce((sum, fn) => sum + fn.invocations, 0);
  const rru = footprint.dynamo.reduce((sum, row) => sum + row.readUnits, 0);
  const wru = footprint.dynamo.reduce((sum, row) => sum + row.writeUnits, 0);
  log(`measured on the offline runtime: ${measured.orders} orders one after another, after 2 warm-up orders; load ${loadBefore} before, ${load()} after`);
  log(`per order: ${units(footprint.apiRequests)} API requests, ${units(invocations)} Lambda invocations (the templates predict ${template.invocations.length}), ` +
    `${units(footprint.events)} events, ${units(footprint.sqsMessages)} SQS messages, DynamoDB ${units(rru)} RRU + ${units(wru)} WRU, saga ${footprint.sagaMs} ms`);
  logFunctions(footprint, log);
  logDynamo(footprint, log);
  log(`assumed: billed ms = (fastest offline invocation less DynamoDB Local's time) × ${ASSUMPTIONS.durationMargin} + ${ASSUMPTIONS.awsDynamoMs} ms per DynamoDB request + ${ASSUMPTIONS.coldStartRate * 100} % cold starts × ${ASSUMPTIONS.initMs} ms INIT; ` +
    `${ASSUMPTIONS.sqsRequestsPerMessage} SQS requests per message (Lambda's empty long polls are per queue, not per order); prices us-east-1, ${PRICES_READ}`);
  const items = Object.keys(priceFootprint(footprint, configurations[0]!));
  const rows = configurations.map((counts) => {
    const priced = priceFootprint(footprint, counts);
    const total = Object.values(priced).reduce((sum, value) => sum + value, 0);
    return [`${counts.sagaType} saga`, String(counts.transitions), ...items.map((item) => perMillion(priced[item]!)), `${perMillion(total)} per 1M orders`];
  });
  log(table(['configuration', 'transitions', ...items, 'total'], rows));
  const lambdaAt = (margin: number) => perMillion(priceFootprint(footprint, template, margin).Lambda!);
  log(`Lambda with the margin × 1 / × 2 / × 4: ${lambdaAt(1)} / ${lambdaAt(2)} / ${lambdaAt(4)} per 1M orders`);
}
