/**
 * The cost model's counts from the synthesized app (the one `npm run bench -- cost` sets beside
 * what it measures on `npm start`): one order's happy path through the real templates.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { countOrder } from '../../scripts/bench/cost-model';
import { synthesizeResolved, withTempDir } from '../../scripts/bench/synth';
import { testContext } from '../support/stack';

describe('the cost model on the synthesized app', () => {
  it('counts an order: the saga, the routes, a relay per event and the targets each event reaches', async () => {
    // Not bundled (testContext): the counts need the templates, not the code.
    const counts = await withTempDir('commerce-bench-cost-test-', (dir) => countOrder(synthesizeResolved(path.join(dir, 'cdk.out'), { sagaWorkflow: 'EXPRESS', ...testContext() })));
    expect(counts.sagaType).toBe('EXPRESS');
    expect(counts.transitions).toBe(4);
    expect(counts.apiRequests).toBe(2);
    expect(counts.events).toBe(4);
    expect(counts.invocations).toEqual([
      'orders/PlaceOrder', 'orders/GetOrder',
      'inventory/ReserveStock', 'payments/ChargePayment', 'inventory/CommitStock', 'orders/ConfirmOrder',
      // OrderPlaced: the orders relay, then the saga's starter.
      'orders/OutboxFunction', 'orders/OnOrderPlaced',
      // StockReserved and PaymentCaptured: their relays, no rule.
      'inventory/OutboxFunction', 'payments/OutboxFunction',
      // OrderConfirmed: the relay, shipping's consumer, notifications' through its queue.
      'orders/OutboxFunction', 'shipping/OnOrderEvent', 'notifications/OnEvent',
    ]);
    // The one queue on the way (notifications'): send, receive, delete.
    expect(counts.sqsRequests).toBe(3);
    const memory = Object.fromEntries(Object.values(counts.functions).map(({ label, memoryMb }) => [label, memoryMb]));
    expect(memory).toMatchObject({ 'orders/PlaceOrder': 512, 'orders/OutboxFunction': 256, 'notifications/OnEvent': 512 });
  }, 180_000);
});
