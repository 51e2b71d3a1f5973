import type { AdminRoutes } from '@switchboard/contracts';
import type { z } from 'zod';

/**
 * The console's typed admin API client. Types come from the shared route table (`libs/contracts`) by a type-only
 * import, so the bundle carries no zod and no schemas; the few routes the console calls are listed in
 * CONSOLE_ROUTES, whose method and path the compiler checks against the table.
 */
type RouteKey = keyof AdminRoutes;
type RouteShape<K extends RouteKey> = Pick<AdminRoutes[K], 'method' | 'path'>;

export const CONSOLE_ROUTES = {
  'stats.get': { method: 'GET', path: '/api/stats' },
  'logs.list': { method: 'GET', path: '/api/logs' },
  'channels.list': { method: 'GET', path: '/api/channels' },
  'channels.create': { method: 'POST', path: '/api/channels' },
  'channels.update': { method: 'PATCH', path: '/api/channels/:id' },
  'channels.test': { method: 'POST', path: '/api/channels/:id/test' },
} as const satisfies { [K in RouteKey]?: RouteShape<K> };

export type ConsoleRoute = keyof typeof CONSOLE_ROUTES;
type Field<T, F extends string> = T extends Record<F, infer V> ? V : never;
type Params<K extends ConsoleRoute> = Field<AdminRoutes[K], 'params'> extends z.ZodType ? z.input<Field<AdminRoutes[K], 'params'>> : undefined;
type Query<K extends ConsoleRoute> = Field<AdminRoutes[K], 'query'> extends z.ZodType ? Partial<z.input<Field<AdminRoutes[K], 'query'>>> : undefined;
type Body<K extends ConsoleRoute> = Field<AdminRoutes[K], 'body'> extends { schema: z.ZodType } ? z.input<Field<AdminRoutes[K], 'body'>['schema']> : undefined;
export type Answer<K extends ConsoleRoute> = z.output<AdminRoutes[K]['answer']>;

export interface CallArgs<K extends ConsoleRoute> {
  params?: Params<K>;
  query?: Query<K>;
  body?: Body<K>;
}

/** An admin API refusal: the HTTP status and the gateway's `{ error: { code, message } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `/api/channels/:id` + `{ id: 3 }` → `/api/channels/3`, with the query string of the defined values. */
/** A parameter as text: strings as they are, numbers and booleans as JSON writes them. */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

export function buildUrl(path: string, params?: Record<string, unknown>, query?: Record<string, unknown>): string {
  const filled = path.replace(/:(\w+)/g, (_, name: string) => {
    const v = params?.[name];
    if (v === undefined || v === null) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(text(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, text(v));
  const s = qs.toString();
  return s ? `${filled}?${s}` : filled;
}

export async function errorFrom(res: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string') message = body.error.message;
  } catch {
    // not JSON: the status line says enough
  }
  return new ApiError(res.status, code, message);
}

export interface AdminClientOptions {
  fetch: typeof fetch;
  /** the CSRF token of the session; sent on every request that is not a GET (the cookie alone is not enough) */
  csrfToken: () => string | null;
  /** called on a 401: the session ended or was revoked */
  onUnauthorized: () => void;
}

export function createAdminClient(opts: AdminClientOptions) {
  return async function call<K extends ConsoleRoute>(key: K, args: CallArgs<K> = {}): Promise<Answer<K>> {
    const route: { method: string; path: string } = CONSOLE_ROUTES[key];
    const headers: Record<string, string> = { accept: 'application/json' };
    const csrf = opts.csrfToken();
    if (route.method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    if (args.body !== undefined) headers['content-type'] = 'application/json';
    const res = await opts.fetch(buildUrl(route.path, args.params, args.query), {
      method: route.method,
      headers,
      credentials: 'same-origin',
      body: args.body === undefined ? undefined : JSON.stringify(args.body),
    });
    if (res.status === 401) opts.onUnauthorized();
    if (!res.ok) throw await errorFrom(res);
    return (await res.json()) as Answer<K>;
  };
}

export type AdminCall = ReturnType<typeof createAdminClient>;
