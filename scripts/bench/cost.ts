/**
 * The cost model per 1M orders, from the synthesized templates of each saga configuration
 * (`-c sagaWorkflow=STANDARD|EXPRESS`), one line per configuration.
 */
import * as path from 'node:path';
import { ASSUMED_INVOCATION_MS, countOrder, priceOrder, UNITS_PER_INVOCATION, type OrderCounts } from './cost-model';
import { PRICES_READ } from './prices';
import { table } from './stats';
import { synthesizeResolved, withTempDir } from './synth';

const CONFIGURATIONS = ['STANDARD', 'EXPRESS'] as const;

const dollars = (perOrder: number) => `$${(perOrder * 1e6).toFixed(0)}`;

export async function benchCost({ log }: { log: (line: string) => void }): Promise<void> {
  const counted: { configuration: string; counts: OrderCounts }[] = [];
  for (const configuration of CONFIGURATIONS) {
    const counts = await withTempDir('commerce-bench-cost-', (dir) => countOrder(synthesizeResolved(path.join(dir, 'cdk.out'), { sagaWorkflow: configuration })));
    if (counted.some((other) => other.counts.sagaType === counts.sagaType)) {
      log(`sagaWorkflow=${configuration}: not available (the app synthesizes a ${counts.sagaType} saga with it too; the context is not read)`);
      continue;
    }
    counted.push({ configuration, counts });
  }
  const items = Object.keys(priceOrder(counted[0]!.counts));
  const rows = counted.map(({ counts }) => {
    const priced = priceOrder(counts);
    const total = Object.values(priced).reduce((sum, value) => sum + value, 0);
    return [
      `${counts.sagaType} saga`,
      String(counts.transitions),
      String(counts.invocations.length),
      String(counts.events),
      ...items.map((item) => dollars(priced[item]!)),
      `${dollars(total)} per 1M orders`,
    ];
  });
  log(`per order on the happy path: ${counted[0]!.counts.apiRequests} API requests; Lambda invocations:`);
  for (const name of counted[0]!.counts.invocations) log(`  ${name}`);
  log(`assumed: ${ASSUMED_INVOCATION_MS} ms billed per invocation; ${UNITS_PER_INVOCATION.read} RRU + ${UNITS_PER_INVOCATION.write} WRU per invocation; prices us-east-1, ${PRICES_READ}`);
  log(table(['configuration', 'transitions', 'invocations', 'events', ...items, 'total'], rows));
}
