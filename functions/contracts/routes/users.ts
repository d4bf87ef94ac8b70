import { AccessToken, LoginRequest, RegisterRequest, UpdateMeRequest, UserProfile } from '../api/users';
import type { RouteContract } from '../route-contract';

/** The routes of users: what its functions import instead of the whole API's (see routes.ts). */
export const usersRoutes = {
  register: {
    method: 'POST', path: '/auth/register', owner: 'users', access: 'public',
    summary: 'Create a customer account',
    body: RegisterRequest,
    responses: { 201: { description: 'The new profile', schema: UserProfile } },
    errors: [400, 409, 413],
  },
  login: {
    method: 'POST', path: '/auth/login', owner: 'users', access: 'public',
    summary: 'Exchange credentials for a short-lived access token (429 + Retry-After after 5 failed logins for the email)',
    body: LoginRequest,
    responses: { 200: { description: 'A bearer token', schema: AccessToken } },
    errors: [400, 401, 413, 429],
  },
  getMe: {
    method: 'GET', path: '/users/me', owner: 'users', access: 'user',
    summary: "The caller's profile",
    responses: { 200: { description: 'Profile', schema: UserProfile } },
    errors: [401, 404],
  },
  updateMe: {
    method: 'PATCH', path: '/users/me', owner: 'users', access: 'user',
    summary: "Change the caller's name",
    body: UpdateMeRequest,
    responses: { 200: { description: 'Profile', schema: UserProfile } },
    errors: [400, 401, 404, 413],
  },
} as const satisfies Record<string, RouteContract>;
