import { DEFAULT_ADMIN } from '../../../scripts/admin';

/**
 * The end-to-end suite's only way to reach the system: HTTP to E2E_BASE_URL (the offline
 * runtime, LocalStack or a deployed stage), exactly as any client would.
 */
export const baseUrl = (): string => {
  const url = process.env.E2E_BASE_URL;
  if (!url) throw new Error('E2E_BASE_URL is not set: run the suite through vitest (its global setup starts the offline runtime)');
  return url.replace(/\/+$/, '');
};

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  rawBody?: string;
  token?: string;
  headers?: Record<string, string>;
}

export async function request<T = Record<string, unknown>>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined || options.rawBody !== undefined) headers['Content-Type'] ??= 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: response.status, headers: response.headers, body: body as T, text };
}

export const api = {
  get: <T = Record<string, unknown>>(path: string, options?: RequestOptions) => request<T>('GET', path, options),
  post: <T = Record<string, unknown>>(path: string, options?: RequestOptions) => request<T>('POST', path, options),
  patch: <T = Record<string, unknown>>(path: string, options?: RequestOptions) => request<T>('PATCH', path, options),
  delete: <T = Record<string, unknown>>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

let sequence = 0;
/** Unique per run and per call, so the suite can run against a long-lived target. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(sequence++).toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function registerAndLogin(name = 'E2E Customer'): Promise<{ id: string; email: string; token: string }> {
  const email = `${unique('customer')}@example.com`;
  const password = 'correct horse battery';
  const registered = await api.post('/auth/register', { body: { email, password, name } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await api.post<{ accessToken: string }>('/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { id: registered.body.id as string, email, token: login.body.accessToken };
}

/** The administrator the target was started with (the offline runtime creates it at start). */
export async function adminToken(): Promise<string> {
  const email = process.env.COMMERCE_ADMIN_EMAIL ?? DEFAULT_ADMIN.email;
  const password = process.env.COMMERCE_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password;
  const login = await api.post<{ accessToken: string }>('/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`admin login failed (${login.status}): set COMMERCE_ADMIN_EMAIL/COMMERCE_ADMIN_PASSWORD`);
  return login.body.accessToken;
}

/** Polls until `probe` returns a value, or fails with the last observation after `timeoutMs`. */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  { timeoutMs = 10_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${last ? `: ${String(last)}` : ''}`);
}

export function expectProblem(reply: Reply, status: number): void {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text}`);
  const type = reply.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) throw new Error(`expected problem+json, got ${type}: ${reply.text}`);
  for (const field of ['type', 'title', 'status', 'correlationId']) {
    if (!(field in reply.body)) throw new Error(`problem lacks ${field}: ${reply.text}`);
  }
}
