import type { SettingsView } from '@switchboard/config';
import type { AdminRoutes, CheckoutReply, CreateOwnToken, LogPage, MeView, PasskeyView, SignInMethods, TokenView, TopupsReply } from '@switchboard/contracts';
import type { z } from 'zod';

/**
 * The console's typed admin API client. Types come from the shared route table (`libs/contracts`) by a type-only
 * import, so the bundle carries no zod and no schemas; CONSOLE_ROUTES repeats each route's method and path (the
 * runtime needs them); the compiler checks every entry against the table and fails when a route of it is missing here.
 */
type RouteKey = keyof AdminRoutes;
type RouteShape<K extends RouteKey> = Pick<AdminRoutes[K], 'method' | 'path'>;

export const CONSOLE_ROUTES = {
  'orgs.list': { method: 'GET', path: '/api/orgs' },
  'orgs.create': { method: 'POST', path: '/api/orgs' },
  'orgs.update': { method: 'PATCH', path: '/api/orgs/:id' },
  'orgs.delete': { method: 'DELETE', path: '/api/orgs/:id' },
  'users.list': { method: 'GET', path: '/api/users' },
  'users.create': { method: 'POST', path: '/api/users' },
  'users.get': { method: 'GET', path: '/api/users/:id' },
  'users.update': { method: 'PATCH', path: '/api/users/:id' },
  'users.delete': { method: 'DELETE', path: '/api/users/:id' },
  'users.topup': { method: 'POST', path: '/api/users/:id/topup' },
  'tokens.list': { method: 'GET', path: '/api/tokens' },
  'tokens.create': { method: 'POST', path: '/api/tokens' },
  'tokens.get': { method: 'GET', path: '/api/tokens/:id' },
  'tokens.update': { method: 'PATCH', path: '/api/tokens/:id' },
  'tokens.delete': { method: 'DELETE', path: '/api/tokens/:id' },
  'groups.list': { method: 'GET', path: '/api/groups' },
  'groups.create': { method: 'POST', path: '/api/groups' },
  'groups.get': { method: 'GET', path: '/api/groups/:name' },
  'groups.update': { method: 'PATCH', path: '/api/groups/:name' },
  'channels.list': { method: 'GET', path: '/api/channels' },
  'channels.create': { method: 'POST', path: '/api/channels' },
  'channels.get': { method: 'GET', path: '/api/channels/:id' },
  'channels.update': { method: 'PATCH', path: '/api/channels/:id' },
  'channels.test': { method: 'POST', path: '/api/channels/:id/test' },
  'channels.delete': { method: 'DELETE', path: '/api/channels/:id' },
  'channels.balance': { method: 'GET', path: '/api/channels/:id/balance' },
  'channel-keys.list': { method: 'GET', path: '/api/channels/:id/keys' },
  'channel-keys.create': { method: 'POST', path: '/api/channels/:id/keys' },
  'channel-keys.update': { method: 'PATCH', path: '/api/channels/:id/keys/:keyId' },
  'channel-keys.delete': { method: 'DELETE', path: '/api/channels/:id/keys/:keyId' },
  'aliases.list': { method: 'GET', path: '/api/aliases' },
  'aliases.create': { method: 'POST', path: '/api/aliases' },
  'aliases.update': { method: 'PATCH', path: '/api/aliases/:name' },
  'aliases.delete': { method: 'DELETE', path: '/api/aliases/:name' },
  'plugins.list': { method: 'GET', path: '/api/plugins' },
  'plugins.get': { method: 'GET', path: '/api/plugins/:name' },
  'plugins.put': { method: 'PUT', path: '/api/plugins/:name' },
  'alert-channels.list': { method: 'GET', path: '/api/alert-channels' },
  'alert-channels.create': { method: 'POST', path: '/api/alert-channels' },
  'alert-channels.update': { method: 'PATCH', path: '/api/alert-channels/:id' },
  'alert-channels.delete': { method: 'DELETE', path: '/api/alert-channels/:id' },
  'alert-channels.rotate': { method: 'POST', path: '/api/alert-channels/:id/rotate-secret' },
  'alert-channels.test': { method: 'POST', path: '/api/alert-channels/:id/test' },
  'mcp-servers.list': { method: 'GET', path: '/api/mcp-servers' },
  'mcp-servers.create': { method: 'POST', path: '/api/mcp-servers' },
  'mcp-servers.update': { method: 'PATCH', path: '/api/mcp-servers/:name' },
  'mcp-servers.delete': { method: 'DELETE', path: '/api/mcp-servers/:name' },
  'prices.list': { method: 'GET', path: '/api/prices' },
  'prices.put': { method: 'PUT', path: '/api/prices/:model' },
  'prices.delete': { method: 'DELETE', path: '/api/prices/:model' },
  'redemptions.create': { method: 'POST', path: '/api/redemptions' },
  'redemptions.list': { method: 'GET', path: '/api/redemptions' },
  'ledger.list': { method: 'GET', path: '/api/ledger' },
  'payments.list': { method: 'GET', path: '/api/payments' },
  'ledger.reconcile': { method: 'GET', path: '/api/ledger/reconciliation' },
  'logs.list': { method: 'GET', path: '/api/logs' },
  'logs.get': { method: 'GET', path: '/api/logs/:requestId' },
  'stats.get': { method: 'GET', path: '/api/stats' },
  'audit.list': { method: 'GET', path: '/api/audit' },
  'usage-dead-letters.list': { method: 'GET', path: '/api/usage/dead-letters' },
} as const satisfies { [K in RouteKey]: RouteShape<K> };

/** Routes the gateway answers itself or on the signed-in user's behalf (not in the admin route table), typed here. */
interface GatewayRoutes {
  'settings.get': { method: 'GET'; path: '/api/settings'; answer: SettingsView };
  'me.get': { method: 'GET'; path: '/api/me'; answer: MeView };
  'me.tokens.list': { method: 'GET'; path: '/api/me/tokens'; answer: { data: z.output<typeof TokenView>[]; total: number } };
  'me.tokens.create': { method: 'POST'; path: '/api/me/tokens'; answer: z.output<typeof TokenView>; body: z.input<typeof CreateOwnToken> };
  'me.tokens.delete': { method: 'DELETE'; path: '/api/me/tokens/:id'; answer: { deleted: true }; params: { id: string | number } };
  'me.logs': { method: 'GET'; path: '/api/me/logs'; answer: z.output<typeof LogPage>; query: { limit?: number; cursor?: string } };
  'me.usage': { method: 'GET'; path: '/api/me/usage'; answer: MeUsage; query: { days?: number } };
  'me.2fa.setup': { method: 'POST'; path: '/api/me/2fa/setup'; answer: { secret: string; uri: string } };
  'me.2fa.enable': { method: 'POST'; path: '/api/me/2fa/enable'; answer: { backupCodes: string[] }; body: { code: string } };
  'me.2fa.disable': { method: 'POST'; path: '/api/me/2fa/disable'; answer: { disabled: true }; body: { code: string } };
  'me.2fa.backup-codes': { method: 'POST'; path: '/api/me/2fa/backup-codes'; answer: { backupCodes: string[] }; body: { code: string } };
  'me.topups': { method: 'GET'; path: '/api/me/topups'; answer: TopupsReply };
  'me.topup.checkout': { method: 'POST'; path: '/api/me/topup/checkout'; answer: CheckoutReply; body: { amount: number } };
  'me.passkeys.list': { method: 'GET'; path: '/api/me/passkeys'; answer: { data: PasskeyView[] } };
  'me.passkeys.rename': { method: 'PATCH'; path: '/api/me/passkeys/:id'; answer: PasskeyView; params: { id: number }; body: { name: string } };
  'me.passkeys.delete': { method: 'DELETE'; path: '/api/me/passkeys/:id'; answer: { deleted: true }; params: { id: number } };
  'passkey.register.options': { method: 'POST'; path: '/api/auth/passkey/register/options'; answer: Record<string, unknown> };
  'passkey.register.verify': { method: 'POST'; path: '/api/auth/passkey/register/verify'; answer: PasskeyView; body: { name: string; response: unknown } };
  'auth.methods': { method: 'GET'; path: '/api/auth/methods'; answer: SignInMethods };
}

/** `GET /api/me/usage`: the stats of /api/stats for the signed-in user only, and its balance. */
export interface MeUsage {
  balance: number | null;
  days: number;
  totals: { requests: number; promptTokens: number; completionTokens: number; cost: number };
  byDay: { date: string; requests: number; cost: number }[];
  byModel: { model: string; requests: number; cost: number }[];
}

const GATEWAY_ROUTES = {
  'settings.get': { method: 'GET', path: '/api/settings' },
  'me.get': { method: 'GET', path: '/api/me' },
  'me.tokens.list': { method: 'GET', path: '/api/me/tokens' },
  'me.tokens.create': { method: 'POST', path: '/api/me/tokens' },
  'me.tokens.delete': { method: 'DELETE', path: '/api/me/tokens/:id' },
  'me.logs': { method: 'GET', path: '/api/me/logs' },
  'me.usage': { method: 'GET', path: '/api/me/usage' },
  'me.2fa.setup': { method: 'POST', path: '/api/me/2fa/setup' },
  'me.2fa.enable': { method: 'POST', path: '/api/me/2fa/enable' },
  'me.2fa.disable': { method: 'POST', path: '/api/me/2fa/disable' },
  'me.2fa.backup-codes': { method: 'POST', path: '/api/me/2fa/backup-codes' },
  'me.topups': { method: 'GET', path: '/api/me/topups' },
  'me.topup.checkout': { method: 'POST', path: '/api/me/topup/checkout' },
  'me.passkeys.list': { method: 'GET', path: '/api/me/passkeys' },
  'me.passkeys.rename': { method: 'PATCH', path: '/api/me/passkeys/:id' },
  'me.passkeys.delete': { method: 'DELETE', path: '/api/me/passkeys/:id' },
  'passkey.register.options': { method: 'POST', path: '/api/auth/passkey/register/options' },
  'passkey.register.verify': { method: 'POST', path: '/api/auth/passkey/register/verify' },
  'auth.methods': { method: 'GET', path: '/api/auth/methods' },
} as const satisfies { [K in keyof GatewayRoutes]: Pick<GatewayRoutes[K], 'method' | 'path'> };

export type ConsoleRoute = keyof typeof CONSOLE_ROUTES | keyof GatewayRoutes;
type Field<K, F extends string> = K extends RouteKey ? (AdminRoutes[K] extends Record<F, infer V> ? V : never) : never;
type Own<K, F extends string> = K extends keyof GatewayRoutes ? (GatewayRoutes[K] extends Record<F, infer V> ? V : undefined) : never;
type Params<K extends ConsoleRoute> = K extends keyof GatewayRoutes
  ? Own<K, 'params'>
  : Field<K, 'params'> extends z.ZodType
    ? z.input<Field<K, 'params'>>
    : undefined;
type Query<K extends ConsoleRoute> = K extends keyof GatewayRoutes
  ? Own<K, 'query'>
  : Field<K, 'query'> extends z.ZodType
    ? Partial<z.input<Field<K, 'query'>>>
    : undefined;
type Body<K extends ConsoleRoute> = K extends keyof GatewayRoutes
  ? Own<K, 'body'>
  : Field<K, 'body'> extends { schema: z.ZodType }
    ? z.input<Field<K, 'body'>['schema']>
    : undefined;
export type Answer<K extends ConsoleRoute> = K extends RouteKey
  ? z.output<AdminRoutes[K]['answer']>
  : K extends keyof GatewayRoutes
    ? GatewayRoutes[K]['answer']
    : never;

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
    const route: { method: string; path: string } = key in GATEWAY_ROUTES ? GATEWAY_ROUTES[key as keyof GatewayRoutes] : CONSOLE_ROUTES[key as RouteKey];
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
