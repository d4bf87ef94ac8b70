import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OrderCancelled, OrderConfirmed } from '../../functions/contracts/events/orders';
import { EventSubscription } from '../platform/event-subscription';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

export interface ShippingStackProps extends StackProps {
  readonly platform: Platform;
}

type ShippingRoute = 'getShipment' | 'dispatchShipment' | 'deliverShipment';

const SERVICE = 'shipping';

/** Shipping: a shipment per confirmed order, dispatched and delivered by admins, cancelled with its order. */
export class ShippingStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<ShippingRoute, ServiceFunction>;
  /** The consumer of OrderConfirmed and OrderCancelled. */
  readonly orderEvents: EventSubscription;
  /** Claims a CONFIRMED order's shipment for its cancellation; invoked directly by the orders context's cancel route. */
  readonly claimShipment: ServiceFunction;

  constructor(scope: Construct, id: string, props: ShippingStackProps) {
    super(scope, id, props);
    const { platform } = props;
    // Every read is by order id: no index.
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: SERVICE, table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    this.routeFunctions = {
      getShipment: routeFunction(this, 'getShipment', platform).bindTable(this.table, 'read'),
      dispatchShipment: routeFunction(this, 'dispatchShipment', platform).bindTable(this.table, 'readWrite'),
      deliverShipment: routeFunction(this, 'deliverShipment', platform).bindTable(this.table, 'readWrite'),
    };

    this.claimShipment = new ServiceFunction(this, 'ClaimShipment', {
      stage: platform.stage,
      service: SERVICE,
      entry: 'functions/shipping/handlers/claim-shipment.ts',
      description: 'Claims the shipment of an order being cancelled: PREPARING (or none yet) to CANCELLED, or says it has left',
    }).bindTable(this.table, 'readWrite');

    this.orderEvents = new EventSubscription(this, 'OrderEvents', {
      bus: platform.bus,
      events: [OrderConfirmed, OrderCancelled],
      consumer: new ServiceFunction(this, 'OnOrderEvent', {
        stage: platform.stage,
        service: SERVICE,
        entry: 'functions/shipping/handlers/on-order-event.ts',
        description: 'OrderConfirmed and OrderCancelled events: prepare the shipment, or cancel it while PREPARING',
      }).bindTable(this.table, 'readWrite'),
      alarmTopic: platform.alarmTopic,
    });
  }
}
