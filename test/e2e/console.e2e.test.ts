/**
 * The offline console in a real browser: headless Chromium (the machine's own) on
 * `<runtime>/_console`, watching an order placed over HTTP turn into events and a saga path,
 * then following its correlation id. Skipped, in one line, without Chromium or against a target
 * that is not the offline runtime (the console is never deployed).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTarget } from '../../ops/target';
import { adminToken, api, baseUrl, eventually, registerAndLogin, unique } from './support/api';
import { findChromium, launchChromium, type Browser, type Page } from './support/chromium';
import { orderBody, placeOrder, settled, stockedProduct } from './support/shop';

const chromium = findChromium();
const offline = /^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(process.env.E2E_BASE_URL ?? 'http://127.0.0.1/');
const skipped = !chromium ? 'no Chromium installed (apt-get install chromium, or set CHROMIUM_PATH)' : !offline ? 'the target is not the offline runtime' : undefined;
if (skipped) console.log(`console.e2e: skipped: ${skipped}`);

/** The text of the element matching `selector`, as the page shows it. */
const textOf = (selector: string) => `document.querySelector(${JSON.stringify(selector)})?.textContent ?? ''`;

describe.skipIf(skipped !== undefined)('the offline console in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    consoleUrl = `${baseUrl()}/_console`;
    browser = await launchChromium(chromium!);
    page = await browser.newPage();
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is served by the runtime alone, small, and paints its map fast', async () => {
    const sizes = await Promise.all(['', '/console.js', '/console.css'].map(async (asset) => (await (await fetch(`${consoleUrl}${asset}`)).arrayBuffer()).byteLength));
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(total).toBeLessThan(64 * 1024);
    await page.goto(consoleUrl);
    await page.waitFor(`document.querySelectorAll('#view-map .card').length > 3`, 10_000, 'the architecture map');
    // The paint entry is queued after the frame is presented: wait for it rather than read it at once.
    const firstPaint = await page.waitFor<number>(
      `performance.getEntriesByType('paint').find((entry) => entry.name === 'first-contentful-paint')?.startTime`,
      10_000,
      'the first contentful paint entry',
    );
    console.log(`console.e2e: ${total} bytes (html + js + css), first contentful paint ${Math.round(firstPaint)} ms`);
    expect(firstPaint).toBeGreaterThan(0);
    expect(await page.evaluate<string>(textOf('#view-map'))).toContain('orders');
    // Every resource the page loaded came from the runtime itself.
    const origins = await page.evaluate<string[]>(`[...new Set(performance.getEntriesByType('resource').map((entry) => new URL(entry.name).origin))]`);
    expect(origins.every((origin) => origin === new URL(consoleUrl).origin)).toBe(true);
  });

  it('is keyboard-usable: the arrow keys move between the views', async () => {
    await page.evaluate(`document.getElementById('tab-map').focus()`);
    await page.press('ArrowRight');
    expect(await page.evaluate<string>(`document.activeElement.id + ' ' + document.getElementById('tab-events').getAttribute('aria-selected')`)).toBe('tab-events true');
    expect(await page.evaluate<boolean>(`document.getElementById('view-events').hidden`)).toBe(false);
  });

  it('shows an order placed with curl as events and a saga path without reloading, then follows its correlation id', async () => {
    const customer = await registerAndLogin('Console Customer');
    const productId = await stockedProduct(2);
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_visa'));
    const correlationId = placed.headers.get('x-correlation-id');
    const { orderId } = placed.body;
    expect(correlationId).toBeTruthy();
    await settled(customer.token, orderId, ['CONFIRMED']);

    await page.waitFor(`[...document.querySelectorAll('#events-table tr[data-detail-type="OrderPlaced"]')].some((row) => row.textContent.includes(${JSON.stringify(correlationId)}))`, 20_000, 'the OrderPlaced event');
    // Its confirmation, delivered (✓) to the rules that match it, arrives in the same page.
    await page.waitFor(`[...document.querySelectorAll('#events-table tr[data-detail-type="OrderConfirmed"]')].some((row) => row.textContent.includes(${JSON.stringify(orderId)}) && row.textContent.includes('✓'))`, 20_000, 'the OrderConfirmed event delivered');

    await page.evaluate(`document.getElementById('tab-sagas').click()`);
    const path = await page.waitFor<string[]>(
      `(() => { const card = [...document.querySelectorAll('#view-sagas [data-execution]')].find((c) => c.textContent.includes(${JSON.stringify(orderId)}) && c.dataset.status === 'SUCCEEDED');
        return card && [...card.querySelectorAll('ol[aria-label="path taken"] > li')].map((li) => li.dataset.state); })()`,
      20_000,
      'the saga execution of the order',
    );
    expect(path.length).toBeGreaterThan(1);

    await page.evaluate(`document.getElementById('tab-events').click()`);
    await page.evaluate(`document.querySelector('#events-table button[data-follow=${JSON.stringify(correlationId)}]').click()`);
    const kinds = await page.waitFor<string[]>(
      `(() => { const kinds = [...document.querySelectorAll('#trace-list > li')].map((li) => li.dataset.kind); return ['request', 'event', 'execution'].every((k) => kinds.includes(k)) && kinds; })()`,
      10_000,
      'the trace of the correlation id',
    );
    expect(kinds).toContain('invocation');
    expect(await page.evaluate<string>(textOf('#trace-list'))).toContain('HTTP POST /orders → 202');
    if (process.env.CONSOLE_SCREENSHOT) writeFileSync(process.env.CONSOLE_SCREENSHOT, await page.screenshot());
  });

  it('shows a failed consumer\'s event in its DLQ and redrives it from the page', async () => {
    const runtime = JSON.parse(readFileSync(path.join(path.dirname(process.env.E2E_EVENTS_LOG ?? '.'), 'local-runtime.json'), 'utf8')) as { endpoints: { LAMBDA: string } };
    // The orders context's catalog consumer: a queue no other suite redrives (ops.e2e redrives inventory's).
    const queue = localTarget(path.join(path.dirname(process.env.E2E_EVENTS_LOG ?? '.'), 'local-runtime.json')).resources.deadLetterQueues.find((q) => q.purpose.includes('OnCatalogEvent'));
    if (queue?.redrive.kind !== 'function') throw new Error('no dead-letter queue redriving to OnCatalogEvent');
    // The runtime's fault switch: the consumer fails every event that names this product.
    const fault = `${runtime.endpoints.LAMBDA}/local/faults/${encodeURIComponent(queue.redrive.arn)}`;
    const name = unique('ConsoleRedrive');
    expect((await fetch(fault, { method: 'PUT', body: JSON.stringify({ message: 'console e2e fault', matching: name }) })).status).toBe(204);
    let productId: string;
    try {
      const created = await api.post('/products', { token: await adminToken(), body: { name, category: unique('console'), priceCents: 100, currency: 'USD', sku: unique('C') } });
      productId = created.body.id as string;
      await page.evaluate(`document.getElementById('tab-dlqs').click()`);
      await page.waitFor(
        `(async () => { document.getElementById('tab-dlqs').click(); await new Promise((r) => setTimeout(r, 300));
          return document.querySelector('[data-queue=${JSON.stringify(queue.name)}]')?.textContent.includes(${JSON.stringify(name)}); })()`,
        40_000,
        'the failed event in the DLQ view',
      );
    } finally {
      await fetch(fault, { method: 'DELETE' });
    }
    await page.evaluate(`[...document.querySelectorAll('[data-queue=${JSON.stringify(queue.name)}] button')].find((b) => b.textContent.startsWith('Redrive')).click()`);
    expect(await page.waitFor<string>(`document.querySelector('[data-queue=${JSON.stringify(queue.name)}] [role=status]')?.textContent`, 15_000, 'the redrive result')).toMatch(/^✓ redrove [1-9]/);
    // The redriven ProductCreated gave orders its copy of the product: an order for it is taken, no longer 422.
    const { token } = await registerAndLogin();
    await eventually(
      'the catalog copy',
      async () => ((await api.post('/orders', { token, body: orderBody(productId, 'tok_visa') })).status === 202 ? true : undefined),
      { timeoutMs: 15_000 },
    );
  }, 90_000);

  it('shows attacker-controlled event data as text, never as markup', async () => {
    const payload = '<img src=x onerror="window.__owned=1">';
    await registerAndLogin(payload);
    await page.evaluate(`document.getElementById('tab-events').click()`);
    await page.waitFor(`[...document.querySelectorAll('#events-table tr[data-detail-type="UserRegistered"]')].some((row) => row.textContent.includes('onerror'))`, 20_000, 'the UserRegistered event');
    expect(await page.evaluate<boolean>(`window.__owned === undefined && document.querySelectorAll('#events-table img').length === 0`)).toBe(true);
  });
});

describe.skipIf(!offline)('the offline console over HTTP', () => {
  it('is not reachable through the API stage paths, nor for a host that is not loopback', async () => {
    for (const stagePath of ['/dev/_console', '/prod/_console', '/_consolex']) {
      const reply = await fetch(`${baseUrl()}${stagePath}`);
      expect(reply.headers.get('content-type') ?? '').not.toContain('text/html');
    }
    // fetch() sets Host itself: a DNS-rebound page's request is made by hand.
    const rebound = await new Promise<number>((resolve, reject) => {
      const url = new URL(`${baseUrl()}/_console`);
      get({ host: url.hostname, port: url.port, path: url.pathname, headers: { Host: 'console.attacker.example' } }, (reply) => {
        reply.resume();
        resolve(reply.statusCode ?? 0);
      }).on('error', reject);
    });
    expect(rebound).toBe(403);
    const forged = await fetch(`${baseUrl()}/_console/api/dead-letter-queues/any/redrive`, { method: 'POST', headers: { Origin: 'http://attacker.example' } });
    expect(forged.status).toBe(403);
  });
});
