/**
 * The dashboard calls the API at the address it was deployed with: nothing a request carries
 * (Host, X-Forwarded-Proto) decides where it connects, and no caller can open its circuit
 * breakers for everybody else.
 */
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, registerAndLogin } from './support/api';

interface Dashboard { user?: { id: string; name: string }; recentOrders?: unknown[]; unreadNotifications?: number; degraded: string[] }

/**
 * GET /me/dashboard with headers fetch would not send as given (it sets Host itself), as any
 * HTTP client may: the request still reaches the API, only its headers lie.
 */
function getDashboard(token: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Dashboard }> {
  const target = new URL(`${baseUrl()}/me/dashboard`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      target,
      { method: 'GET', headers: { Authorization: `Bearer ${token}`, ...headers }, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Dashboard });
          } catch {
            reject(new Error(`not JSON (${res.statusCode}): ${text}`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 15 s')));
    req.on('error', reject);
    req.end();
  });
}

/** A listener standing for an attacker's server: it records every request that reaches it. */
async function listener(): Promise<{ server: Server; port: number; received: string[] }> {
  const received: string[] = [];
  const server = createServer((req, res) => {
    received.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const { server, port } = await listener();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let attacker: Awaited<ReturnType<typeof listener>>;
beforeAll(async () => {
  attacker = await listener();
});
afterAll(async () => {
  await new Promise((resolve) => attacker.server.close(resolve));
});

describe('the dashboard: where it connects', () => {
  it('ignores a Host header naming another server: nothing reaches it, and every section is there', async () => {
    const customer = await registerAndLogin('Host Spoofer');
    const reply = await getDashboard(customer.token, { Host: `127.0.0.1:${attacker.port}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ user: { id: customer.id, name: 'Host Spoofer' }, unreadNotifications: expect.any(Number), degraded: [] });
    expect(attacker.received).toEqual([]);
  });

  it('ignores X-Forwarded-Proto: every section is there', async () => {
    const customer = await registerAndLogin('Proto Spoofer');
    const reply = await getDashboard(customer.token, { 'X-Forwarded-Proto': 'https' });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ user: { id: customer.id, name: 'Proto Spoofer' }, degraded: [] });
  });
});

describe('the dashboard: shared circuit breakers', () => {
  it("cannot be opened by one caller's requests: another caller's dashboard stays whole", async () => {
    const hostile = await registerAndLogin('Breaker Poisoner');
    const bystander = await registerAndLogin('Bystander');
    const nowhere = `127.0.0.1:${await closedPort()}`;
    // Sequential, so they share the warm execution environment (and its breakers) with the bystander's call.
    for (let i = 0; i < 4; i += 1) {
      expect((await getDashboard(hostile.token, { Host: nowhere, 'X-Forwarded-Proto': 'https' })).status).toBe(200);
      const injected = await getDashboard(hostile.token, { 'X-Fault-Inject': 'user,recentOrders,unreadNotifications' });
      expect(injected.status).toBe(200);
      // Offline (and outside prod) the switch fails the sections for this request only.
      expect(injected.body.degraded).toEqual(['user', 'recentOrders', 'unreadNotifications']);
    }
    const reply = await getDashboard(bystander.token);
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ user: { id: bystander.id, name: 'Bystander' }, recentOrders: [], degraded: [] });
    expect((await getDashboard(hostile.token)).body.degraded).toEqual([]);
  });
});
