import { DispatchRequest, Shipment } from '../api/shipping';
import { orderParams, type RouteContract } from '../route-contract';

/** The routes of shipping: what its functions import instead of the whole API's (see routes.ts). */
export const shippingRoutes = {
  getShipment: {
    method: 'GET', path: '/shipments/{orderId}', owner: 'shipping', access: 'user',
    summary: "The shipment of one of the caller's orders (any for an admin)",
    params: orderParams,
    responses: { 200: { description: 'Shipment', schema: Shipment } },
    errors: [401, 404],
  },
  dispatchShipment: {
    method: 'POST', path: '/shipments/{orderId}/dispatch', owner: 'shipping', access: 'admin',
    summary: 'Hand a PREPARING shipment to its carrier; the order becomes SHIPPED',
    params: orderParams,
    body: DispatchRequest,
    responses: { 200: { description: 'The shipment, DISPATCHED', schema: Shipment } },
    errors: [400, 401, 403, 404, 409, 413],
  },
  deliverShipment: {
    method: 'POST', path: '/shipments/{orderId}/deliver', owner: 'shipping', access: 'admin',
    summary: 'Record the delivery of a DISPATCHED shipment; the order becomes DELIVERED',
    params: orderParams,
    responses: { 200: { description: 'The shipment, DELIVERED', schema: Shipment } },
    errors: [401, 403, 404, 409],
  },
} as const satisfies Record<string, RouteContract>;
