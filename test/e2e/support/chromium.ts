/**
 * A headless Chromium driven over the DevTools protocol, for the browser tests: the machine's own
 * Chromium (Debian's `chromium`, or CHROMIUM_PATH), a WebSocket (Node's global one) and the few
 * protocol commands the tests need. No playwright or puppeteer: they would download a browser.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium executable to use, or undefined when none is installed. */
export function findChromium(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  const directories = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const candidates = explicit ? [explicit] : CANDIDATES.flatMap((name) => directories.map((directory) => path.join(directory, name)));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

interface Pending {
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

/** One browser tab: navigate, evaluate, wait, press keys, take a screenshot. */
export interface Page {
  goto(url: string): Promise<void>;
  /** The value of a JavaScript expression evaluated in the page (promises awaited). */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy; returns its value. */
  waitFor<T>(expression: string, timeoutMs?: number, what?: string): Promise<T>;
  /** A key press (keydown + keyup) to the focused element, e.g. 'Tab', 'ArrowRight', 'Enter'. */
  press(key: string): Promise<void>;
  screenshot(): Promise<Buffer>;
}

export interface Browser {
  newPage(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

const KEYS: Readonly<Record<string, { code: string; keyCode: number; text?: string }>> = {
  Tab: { code: 'Tab', keyCode: 9 },
  Enter: { code: 'Enter', keyCode: 13, text: '\r' },
  ArrowRight: { code: 'ArrowRight', keyCode: 39 },
  ArrowLeft: { code: 'ArrowLeft', keyCode: 37 },
};

function waitForEndpoint(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Chromium did not start in 20 s:\n${output}`)), 20_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Chromium exited with ${code}:\n${output}`));
    });
  });
}

export async function launchChromium(executable: string): Promise<Browser> {
  const profile = mkdtempSync(path.join(tmpdir(), 'console-chromium-'));
  const child = spawn(
    executable,
    // No sandbox: CI runs as root, where Chromium's sandbox refuses to start. The page is our own console.
    ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const socket = new WebSocket(await waitForEndpoint(child));
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error('cannot connect to Chromium')), { once: true });
  });
  let nextId = 0;
  const pending = new Map<number, Pending>();
  socket.addEventListener('message', (message: MessageEvent) => {
    const reply = JSON.parse(String(message.data)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } };
    const waiter = reply.id === undefined ? undefined : pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id!);
    if (reply.error) waiter.reject(new Error(reply.error.message));
    else waiter.resolve(reply.result ?? {});
  });
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  return {
    async newPage(width = 1280, height = 900) {
      const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
      const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      const call = (method: string, params?: Record<string, unknown>) => send(method, params, sessionId);
      await call('Page.enable');
      await call('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
      const evaluate = async <T>(expression: string): Promise<T> => {
        const { result, exceptionDetails } = (await call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
          result: { value?: T };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        if (exceptionDetails) throw new Error(`${exceptionDetails.text} ${exceptionDetails.exception?.description ?? ''}`);
        return result.value as T;
      };
      return {
        async goto(url) {
          await call('Page.navigate', { url });
          await waitUntil(() => evaluate<boolean>(`document.readyState === 'complete'`), 15_000, `${url} to load`);
        },
        evaluate,
        waitFor: (expression, timeoutMs = 20_000, what = expression) => waitUntil(() => evaluate(expression), timeoutMs, what),
        async press(key) {
          const { code, keyCode, text } = KEYS[key] ?? { code: key, keyCode: 0 };
          const base = { key, code, windowsVirtualKeyCode: keyCode, nativeVirtualKeyCode: keyCode };
          await call('Input.dispatchKeyEvent', { type: 'keyDown', ...base, ...(text ? { text } : {}) });
          await call('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
        },
        async screenshot() {
          const { data } = (await call('Page.captureScreenshot', { format: 'png' })) as { data: string };
          return Buffer.from(data, 'base64');
        },
      };
    },
    async close() {
      await send('Browser.close').catch(() => undefined);
      socket.close();
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

async function waitUntil<T>(check: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
