/**
 * Names the orders stack and the orders functions share. Kept free of imports so the CDK app
 * can use it without loading runtime code.
 */
export const ORDERS_ENV = {
  /** The order saga, started by the consumer of OrderPlaced (on-order-placed.ts). */
  orderSagaArn: 'ORDER_SAGA_ARN',
  /** The cancellation saga of confirmed orders, started by POST /orders/{orderId}/cancel. */
  cancellationSagaArn: 'CANCELLATION_SAGA_ARN',
  /** Shipping's claim of a shipment for a cancellation, invoked by POST /orders/{orderId}/cancel before it answers. */
  claimShipmentFunction: 'CLAIM_SHIPMENT_FUNCTION',
} as const;

/** Counted by the flag-order step each time an order is handed to an operator; the stack alarms on it. */
export const ORDERS_NEEDING_OPERATOR_METRIC = 'OrdersNeedingOperator';
