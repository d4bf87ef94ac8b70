import type { Notification } from '../../../functions/contracts/api/notifications';
import type { Order } from '../../../functions/contracts/api/orders';
import type { UserProfile } from '../../../functions/contracts/api/users';
import type * as z from 'zod';

/** Valid answers of the dashboard's three dependencies, as their contracts describe them. */
export const profile: UserProfile = {
  id: 'user-1', email: 'ada@example.com', name: 'Ada', role: 'customer', createdAt: '2025-01-01T00:00:00.000Z',
};

export function order(n: number): Order {
  const at = `2025-01-0${(n % 9) + 1}T00:00:00.000Z`;
  return {
    orderId: `order-${n}`,
    customerId: profile.id,
    status: 'CONFIRMED',
    items: [{ productId: 'p-1', name: 'Mug', quantity: 1, unitPriceCents: 1299 }],
    totalCents: 1299,
    currency: 'USD',
    shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
    createdAt: at,
    updatedAt: at,
    history: [{ status: 'PENDING', at }, { status: 'CONFIRMED', at }],
  };
}

export const orderPage = (count: number) => ({ items: Array.from({ length: count }, (_, n) => order(n)), nextCursor: null });

const notification: z.infer<typeof Notification> = {
  id: 'n-1', type: 'WELCOME', subject: 'Welcome', body: 'Hello', read: false, createdAt: '2025-01-01T00:00:00.000Z',
};

export const notificationPage = (unreadCount: number) => ({ items: [notification], nextCursor: 'next', unreadCount });
