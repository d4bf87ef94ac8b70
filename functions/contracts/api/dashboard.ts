import * as z from 'zod';
import { Order } from './orders';
import { UserProfile } from './users';

export const DashboardSection = z.enum(['user', 'recentOrders', 'unreadNotifications']);

export const Dashboard = z.object({
  user: UserProfile.optional(),
  recentOrders: z.array(Order).max(5).optional(),
  unreadNotifications: z.number().int().nonnegative().optional(),
  /** The sections that could not be fetched this time and are left out. */
  degraded: z.array(DashboardSection),
});
