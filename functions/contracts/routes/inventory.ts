import { RestockRequest, StockRecord } from '../api/inventory';
import { productParams, type RouteContract } from '../route-contract';

/** The routes of inventory: what its functions import instead of the whole API's (see routes.ts). */
export const inventoryRoutes = {
  getStock: {
    method: 'GET', path: '/inventory/{productId}', owner: 'inventory', access: 'public',
    summary: "A product's stock",
    params: productParams,
    responses: { 200: { description: 'Stock record', schema: StockRecord } },
    errors: [404],
  },
  restock: {
    method: 'POST', path: '/inventory/{productId}/restock', owner: 'inventory', access: 'admin',
    summary: 'Add units to the available stock',
    params: productParams,
    body: RestockRequest,
    responses: { 200: { description: 'The stock record after the change', schema: StockRecord } },
    errors: [400, 401, 403, 404, 409, 413],
  },
} as const satisfies Record<string, RouteContract>;
