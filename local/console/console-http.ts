/**
 * The console's HTTP side, mounted by the local API Gateway at `/_console` (offline only: the
 * deployed stage has no such path, and the gateway's stage paths never reach it). It answers
 * only a loopback client that names a loopback host (no DNS rebinding), takes its one action
 * (redrive) only from its own page (Origin), and serves its page, script and style from disk with
 * a Content-Security-Policy that allows nothing from elsewhere: no CDN, no inline script.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { ArchitectureMap } from './architecture';
import type { ConsoleRecord, ConsoleRecorder } from './recorder';
import { TargetError } from '../../ops/target';
import { UnknownResourceError, type ConsoleResources } from './resources';

export const CONSOLE_PATH = '/_console';

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
  '/console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** Whether the gateway should hand this request to the console rather than to the API. */
export function isConsolePath(url: string | undefined): boolean {
  const pathname = (url ?? '/').split('?')[0]!;
  return pathname === CONSOLE_PATH || pathname.startsWith(`${CONSOLE_PATH}/`);
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function fromLoopback(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return LOOPBACK.has(req.socket.remoteAddress ?? '') && ['127.0.0.1', 'localhost', '[::1]'].includes(host);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json' });
  res.end(JSON.stringify(status < 400 ? body : { type: 'about:blank', title: String(body), status }));
}

class NotReadyError extends Error {}

/** A problem's status: unknown resource 404, a DLQ that cannot be redriven 409, not up yet 503, a service failing 502. */
function statusOf(error: unknown): number {
  if (error instanceof UnknownResourceError) return 404;
  if (error instanceof TargetError) return 409;
  return error instanceof NotReadyError ? 503 : 502;
}

export interface ConsoleHttpOptions {
  readonly recorder: ConsoleRecorder;
  readonly architecture: ArchitectureMap;
  /** Once the services it reads are up (undefined before: the data views answer 503). */
  resources(): ConsoleResources | undefined;
  /** Where index.html, console.js and console.css are. */
  readonly assetsDirectory?: string;
}

export function consoleHttp(options: ConsoleHttpOptions): { handle(req: IncomingMessage, res: ServerResponse): void; stop(): void } {
  const directory = options.assetsDirectory ?? path.join(__dirname, 'assets');
  const assets = new Map(Object.entries(ASSETS).map(([route, asset]) => [route, { type: asset.type, body: readFileSync(path.join(directory, asset.file)) }]));
  const streams = new Set<ServerResponse>();
  const resources = () => {
    const ready = options.resources();
    if (!ready) throw new NotReadyError('the runtime is still starting');
    return ready;
  };

  const stream = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/event-stream', Connection: 'keep-alive' });
    const write = (record: ConsoleRecord) => res.write(`id: ${record.seq}\nevent: ${record.kind}\ndata: ${JSON.stringify(record)}\n\n`);
    // A reconnecting EventSource names the last record it saw: it gets what it missed, then the live ones.
    const after = Number(req.headers['last-event-id'] ?? new URL(req.url ?? '/', 'http://console').searchParams.get('after') ?? 0);
    for (const record of options.recorder.all()) if (record.seq > after) write(record);
    const unsubscribe = options.recorder.subscribe(write);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    streams.add(res);
    res.on('close', () => {
      unsubscribe();
      clearInterval(heartbeat);
      streams.delete(res);
    });
  };

  const api = async (req: IncomingMessage, res: ServerResponse, route: string): Promise<void> => {
    const method = req.method ?? 'GET';
    if (method === 'POST') {
      const origin = req.headers.origin;
      if (origin !== `http://${req.headers.host}`) return send(res, 403, 'the console acts only on requests from its own page');
      const queue = /^\/api\/dead-letter-queues\/([^/]+)\/redrive$/.exec(route)?.[1];
      if (queue) return send(res, 200, await resources().redrive(decodeURIComponent(queue)));
      return send(res, 404, `no action ${route}`);
    }
    if (method !== 'GET') return send(res, 405, `${method} is not allowed`);
    if (route === '/api/stream') return stream(req, res);
    if (route === '/api/architecture') return send(res, 200, options.architecture);
    if (route === '/api/dead-letter-queues') return send(res, 200, await resources().deadLetterQueues());
    if (route === '/api/flagged') return send(res, 200, await resources().flagged());
    if (route === '/api/tables') return send(res, 200, resources().tables());
    const table = /^\/api\/tables\/([^/]+)$/.exec(route)?.[1];
    if (table) return send(res, 200, await resources().scan(decodeURIComponent(table)));
    return send(res, 404, `no console resource ${route}`);
  };

  return {
    handle(req, res) {
      req.resume(); // no route reads a body
      if (!fromLoopback(req)) return send(res, 403, 'the console answers loopback clients only');
      const route = (req.url ?? '').split('?')[0]!.slice(CONSOLE_PATH.length);
      const asset = assets.get(route);
      if (asset && (req.method === 'GET' || req.method === 'HEAD')) {
        res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': asset.type, 'Content-Length': asset.body.length });
        res.end(req.method === 'HEAD' ? undefined : asset.body);
        return;
      }
      api(req, res, route).catch((error: unknown) => {
        if (res.headersSent) return void res.end();
        send(res, statusOf(error), error instanceof Error ? error.message : String(error));
      });
    },
    stop() {
      for (const res of streams) res.end();
    },
  };
}
