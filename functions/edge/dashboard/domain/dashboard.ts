import type * as z from 'zod';
import { DashboardSection, type Dashboard as DashboardSchema } from '../../../contracts/api/dashboard';

export type Dashboard = z.infer<typeof DashboardSchema>;
export type Section = z.infer<typeof DashboardSection>;
type SectionValues = Required<Omit<Dashboard, 'degraded'>>;

/** Where each section comes from; each may fail on its own without touching the others. */
export type DashboardSources = { readonly [S in Section]: () => Promise<SectionValues[S]> };

/** The contract's cap on `recentOrders`. */
export const RECENT_ORDERS = 5;

/**
 * Fetches every section at once and keeps what arrived: a section that failed, for whatever
 * reason, is left out and named in `degraded` (in the contract's section order), so a failing
 * context costs the caller one section, never the whole dashboard.
 */
export async function assembleDashboard(
  sources: DashboardSources,
  onDegraded: (section: Section, error: unknown) => void = () => {},
): Promise<Dashboard> {
  // An async wrapper turns a source that throws before returning its promise into a rejection.
  const settle = async <T>(load: () => Promise<T>) => load();
  const [user, recentOrders, unreadNotifications] = await Promise.allSettled([
    settle(sources.user),
    settle(sources.recentOrders),
    settle(sources.unreadNotifications),
  ]);
  const dashboard: Dashboard = { degraded: [] };
  const failed = (section: Section, reason: unknown) => {
    dashboard.degraded.push(section);
    onDegraded(section, reason);
  };
  if (user.status === 'fulfilled') dashboard.user = user.value;
  else failed('user', user.reason);
  if (recentOrders.status === 'fulfilled') dashboard.recentOrders = recentOrders.value.slice(0, RECENT_ORDERS);
  else failed('recentOrders', recentOrders.reason);
  if (unreadNotifications.status === 'fulfilled') dashboard.unreadNotifications = unreadNotifications.value;
  else failed('unreadNotifications', unreadNotifications.reason);
  return dashboard;
}

/** Every section name, in the contract's order. */
export const SECTIONS: readonly Section[] = DashboardSection.options;
