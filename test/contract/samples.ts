import type { EventContract, EventData } from '../../functions/contracts/events';
import {
  CartCheckedOut, OrderCancelled, OrderConfirmed, OrderDelivered, OrderPlaced, OrderRejected, OrderShipped, PaymentCaptured, PaymentDeclined,
  PaymentRefunded, ProductArchived, ShipmentDelivered, ShipmentDispatched, ProductCreated, ProductUpdated, StockLow, StockReleased, StockReplenished, StockReserved,
  UserRegistered,
} from '../../functions/contracts/events';

const PRODUCT = '01JPROD0000000000000000000';
const ORDER = '01JORDER000000000000000000';
const CUSTOMER = '01JUSER0000000000000000000';
const line = { productId: PRODUCT, quantity: 2, unitPriceCents: 1299 };

type Sample<E extends EventContract> = { event: E; data: EventData<E> };
const sample = <E extends EventContract>(event: E, data: EventData<E>): Sample<E> => ({ event, data });

/** One realistic instance of every event the system emits: a new event without a sample fails the contract tests. */
export const samples: Sample<EventContract>[] = [
  sample(UserRegistered, { userId: '01JUSER0000000000000000000', email: 'ada@example.com', name: 'Ada' }),
  sample(ProductCreated, {
    productId: '01JPROD0000000000000000000', name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1',
  }),
  sample(ProductUpdated, {
    productId: '01JPROD0000000000000000000', name: 'Mug', description: 'Big', category: 'kitchen', priceCents: 1499,
    currency: 'USD', sku: 'MUG-1', version: 2,
  }),
  sample(ProductArchived, { productId: '01JPROD0000000000000000000', version: 3 }),
  sample(CartCheckedOut, { userId: CUSTOMER, orderId: ORDER, items: [{ productId: PRODUCT, quantity: 2 }] }),
  sample(StockReplenished, { productId: PRODUCT, available: 12 }),
  sample(StockReserved, { orderId: ORDER, items: [{ productId: PRODUCT, quantity: 2 }] }),
  sample(StockReleased, { orderId: ORDER, items: [{ productId: PRODUCT, quantity: 2 }], reason: 'PAYMENT_DECLINED' }),
  sample(StockLow, { productId: PRODUCT, available: 3, threshold: 5 }),
  sample(OrderPlaced, { orderId: ORDER, customerId: CUSTOMER, items: [line], totalCents: 2598, currency: 'USD' }),
  sample(OrderConfirmed, {
    orderId: ORDER, customerId: CUSTOMER, items: [line], totalCents: 2598, currency: 'USD',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
  }),
  sample(OrderRejected, { orderId: ORDER, customerId: CUSTOMER, reason: 'OUT_OF_STOCK' }),
  sample(OrderCancelled, { orderId: ORDER, customerId: CUSTOMER, reason: 'CUSTOMER_REQUEST', refunded: true }),
  sample(OrderShipped, { orderId: ORDER, customerId: CUSTOMER, carrier: 'UPS', trackingNumber: '1Z999' }),
  sample(OrderDelivered, { orderId: ORDER, customerId: CUSTOMER }),
  sample(PaymentCaptured, { orderId: ORDER, paymentId: '01JPAY00000000000000000000', amountCents: 2598, currency: 'USD' }),
  sample(PaymentDeclined, { orderId: ORDER, reason: 'card_declined' }),
  sample(PaymentRefunded, { orderId: ORDER, paymentId: '01JPAY00000000000000000000', amountCents: 2598 }),
  sample(ShipmentDispatched, { orderId: ORDER, shipmentId: '01JSHIP0000000000000000000', carrier: 'UPS', trackingNumber: '1Z999' }),
  sample(ShipmentDelivered, { orderId: ORDER, shipmentId: '01JSHIP0000000000000000000' }),
];
