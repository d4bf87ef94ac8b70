import { Dashboard } from '../api/dashboard';
import { Health } from '../api/edge';
import type { RouteContract } from '../route-contract';

/** The routes of edge (the gateway itself): what its functions import instead of the whole API's (see routes.ts). */
export const edgeRoutes = {
  dashboard: {
    method: 'GET', path: '/me/dashboard', owner: 'edge', access: 'user',
    summary: "The caller's profile, five latest orders and unread notifications; failing sections are named in `degraded`",
    responses: { 200: { description: 'Dashboard', schema: Dashboard } },
    errors: [401],
  },
  health: {
    method: 'GET', path: '/health', owner: 'edge', access: 'public',
    summary: "Every context's health",
    responses: { 200: { description: 'All checks pass', schema: Health } },
    errors: [503],
  },
  openApi: {
    method: 'GET', path: '/openapi.json', owner: 'edge', access: 'public',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
    errors: [],
  },
} as const satisfies Record<string, RouteContract>;
