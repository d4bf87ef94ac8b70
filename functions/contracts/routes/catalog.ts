import { CreateProductRequest, ListProductsQuery, Product, ProductBatch, ProductBatchQuery, ProductPage, SearchPage, SearchProductsQuery, UpdateProductRequest } from '../api/catalog';
import { productParams, type RouteContract } from '../route-contract';

/** The routes of catalog: what its functions import instead of the whole API's (see routes.ts). */
export const catalogRoutes = {
  listProducts: {
    method: 'GET', path: '/products', owner: 'catalog', access: 'public',
    summary: 'Active products, optionally of one category',
    query: ListProductsQuery,
    responses: { 200: { description: 'A page of products', schema: ProductPage } },
    errors: [400],
  },
  searchProducts: {
    method: 'GET', path: '/products/search', owner: 'catalog', access: 'public',
    summary: 'Active products matching every word of q (case- and accent-insensitive, the last word also as a prefix), best match first',
    query: SearchProductsQuery,
    responses: { 200: { description: 'A page of search hits, each with its score', schema: SearchPage } },
    errors: [400],
  },
  getProductBatch: {
    method: 'GET', path: '/products/batch', owner: 'catalog', access: 'public',
    summary: 'Several active products at once (archived or unknown ids are listed as missing)',
    query: ProductBatchQuery,
    responses: { 200: { description: 'The products found and the ids missing', schema: ProductBatch } },
    errors: [400],
  },
  getProduct: {
    method: 'GET', path: '/products/{productId}', owner: 'catalog', access: 'public',
    summary: 'One active product',
    params: productParams,
    responses: { 200: { description: 'Product', schema: Product } },
    errors: [404],
  },
  createProduct: {
    method: 'POST', path: '/products', owner: 'catalog', access: 'admin',
    summary: 'Add a product to the catalog',
    body: CreateProductRequest,
    responses: { 201: { description: 'The new product', schema: Product } },
    errors: [400, 401, 403, 409, 413],
  },
  updateProduct: {
    method: 'PATCH', path: '/products/{productId}', owner: 'catalog', access: 'admin',
    summary: 'Change a product (version + 1)',
    params: productParams,
    body: UpdateProductRequest,
    responses: { 200: { description: 'The product after the change', schema: Product } },
    errors: [400, 401, 403, 404, 409, 413],
  },
  archiveProduct: {
    method: 'DELETE', path: '/products/{productId}', owner: 'catalog', access: 'admin',
    summary: 'Archive a product: no longer listed or orderable',
    params: productParams,
    responses: { 204: { description: 'Archived' } },
    errors: [401, 403, 404, 409],
  },
} as const satisfies Record<string, RouteContract>;
