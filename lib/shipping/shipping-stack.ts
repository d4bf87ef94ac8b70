import type { Construct } from 'constructs';
import { OrderCancelled, OrderConfirmed } from '../../functions/contracts/events/orders';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { EventSubscription } from '../platform/event-subscription';
import type { ServiceFunction } from '../platform/service-function';

type ShippingRoute = 'getShipment' | 'dispatchShipment' | 'deliverShipment';

/** Shipping: a shipment per confirmed order, dispatched and delivered by admins, cancelled with its order. */
export class ShippingStack extends ContextStack {
  readonly routeFunctions: Record<ShippingRoute, ServiceFunction>;
  /** The consumer of OrderConfirmed and OrderCancelled. */
  readonly orderEvents: EventSubscription;
  /** Claims a CONFIRMED order's shipment for its cancellation; invoked directly by the orders context's cancel route. */
  readonly claimShipment: ServiceFunction;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    // Every read is by order id: no index.
    super(scope, id, props, { service: 'shipping', publishes: true });

    this.routeFunctions = {
      getShipment: this.route('getShipment').bindTable(this.table, 'read'),
      dispatchShipment: this.route('dispatchShipment').bindTable(this.table, 'readWrite'),
      deliverShipment: this.route('deliverShipment').bindTable(this.table, 'readWrite'),
    };

    this.claimShipment = this.task(
      'ClaimShipment',
      'claim-shipment',
      'Claims the shipment of an order being cancelled: PREPARING (or none yet) to CANCELLED, or says it has left',
    );

    this.orderEvents = this.subscribe('OrderEvents', [OrderConfirmed, OrderCancelled], {
      handler: 'on-order-event',
      description: 'OrderConfirmed and OrderCancelled events: prepare the shipment, or cancel it while PREPARING',
    }).subscription;
  }
}
