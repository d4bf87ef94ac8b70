import { describe, expect, it } from 'vitest';
import { SECTIONS } from '../../../../functions/edge/dashboard/domain/dashboard';
import { requestedFaults, unreachable } from '../../../../functions/shared/resilience/fault-injection';

describe('requestedFaults', () => {
  it('names the sections of X-Fault-Inject when the switch is enabled', () => {
    expect([...requestedFaults({ 'x-fault-inject': 'recentOrders, user' }, true, SECTIONS)].sort()).toEqual(['recentOrders', 'user']);
  });

  it('ignores the header when the switch is off', () => {
    expect(requestedFaults({ 'x-fault-inject': 'user,recentOrders,unreadNotifications' }, false, SECTIONS).size).toBe(0);
  });

  it('ignores names that are not sections', () => {
    expect([...requestedFaults({ 'x-fault-inject': 'everything,unreadNotifications,USER' }, true, SECTIONS)]).toEqual(['unreadNotifications']);
  });

  it('injects nothing without the header', () => {
    expect(requestedFaults({}, true, SECTIONS).size).toBe(0);
  });
});

describe('unreachable', () => {
  it('rejects as fetch does when a connection fails', async () => {
    await expect(unreachable('https://api.example.com/users/me')).rejects.toThrow(new TypeError('fetch failed'));
  });
});
