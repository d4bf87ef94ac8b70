import { describe, expect, it, vi } from 'vitest';
import { assembleDashboard, type DashboardSources } from '../../../functions/edge/dashboard/domain/dashboard';
import { orderPage, profile } from './fixture';

const sources = (overrides: Partial<DashboardSources> = {}): DashboardSources => ({
  user: async () => profile,
  recentOrders: async () => orderPage(3).items,
  unreadNotifications: async () => 4,
  ...overrides,
});

describe('assembleDashboard', () => {
  it('returns every section and nothing degraded when every source answers', async () => {
    expect(await assembleDashboard(sources())).toEqual({
      user: profile, recentOrders: orderPage(3).items, unreadNotifications: 4, degraded: [],
    });
  });

  it('leaves a failed section out, names it, and keeps the others', async () => {
    const failure = new Error('orders down');
    const onDegraded = vi.fn();
    const dashboard = await assembleDashboard(sources({ recentOrders: async () => { throw failure; } }), onDegraded);
    expect(dashboard).toEqual({ user: profile, unreadNotifications: 4, degraded: ['recentOrders'] });
    expect(onDegraded).toHaveBeenCalledWith('recentOrders', failure);
  });

  it('keeps a zero count: zero unread is an answer, not a failure', async () => {
    expect(await assembleDashboard(sources({ unreadNotifications: async () => 0 }))).toMatchObject({ unreadNotifications: 0, degraded: [] });
  });

  it('names every failed section in the contract\'s order', async () => {
    const down = async () => { throw new Error('down'); };
    expect(await assembleDashboard({ unreadNotifications: down, recentOrders: down, user: down })).toEqual({
      degraded: ['user', 'recentOrders', 'unreadNotifications'],
    });
  });

  it('treats a source that throws before returning a promise like any other failure', async () => {
    const dashboard = await assembleDashboard(sources({ user: () => { throw new Error('sync'); } }));
    expect(dashboard.degraded).toEqual(['user']);
  });

  it('fetches the sections in parallel', async () => {
    const started: string[] = [];
    const slow = (name: string, value: unknown) => () => {
      started.push(name);
      return new Promise((resolve) => setTimeout(() => resolve(value), 20));
    };
    const pending = assembleDashboard({
      user: slow('user', profile) as DashboardSources['user'],
      recentOrders: slow('recentOrders', []) as DashboardSources['recentOrders'],
      unreadNotifications: slow('unreadNotifications', 1) as DashboardSources['unreadNotifications'],
    });
    expect(started).toEqual(['user', 'recentOrders', 'unreadNotifications']);
    await pending;
  });

  it('shows at most five orders, as the contract says', async () => {
    const dashboard = await assembleDashboard(sources({ recentOrders: async () => orderPage(8).items }));
    expect(dashboard.recentOrders).toEqual(orderPage(5).items);
  });
});
