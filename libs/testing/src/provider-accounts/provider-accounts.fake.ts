import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The account endpoints of the providers whose balances and key allowances Switchboard reads, answering in their
 * documented shapes, per API key (Bearer):
 * - DeepSeek `GET /user/balance` → `{ is_available, balance_infos: [{ currency, total_balance, granted_balance,
 *   topped_up_balance }] }` (amounts as strings; api-docs.deepseek.com "Get User Balance");
 * - Moonshot `GET /v1/users/me/balance` → `{ code: 0, data: { available_balance, voucher_balance, cash_balance }, scode:
 *   "0x0", status: true }` (platform.moonshot.cn/docs/api/balance);
 * - OpenRouter `GET /api/v1/credits` → `{ data: { total_credits, total_usage } }` (management keys only: others get
 *   403) and `GET /api/v1/key` → `{ data: { label, limit, limit_remaining, limit_reset, usage, is_free_tier… } }`
 *   (openrouter.ai/docs "Get remaining credits", "Get current API key");
 * - new-api/one-api relays `GET /v1/dashboard/billing/subscription` → `{ object: "billing_subscription",
 *   has_payment_method, soft_limit_usd, hard_limit_usd, system_hard_limit_usd, access_until }` and
 *   `GET /v1/dashboard/billing/usage` → `{ object: "list", total_usage }` (cents), failures as 200 with `{ error }`
 *   (new-api controller/billing.go).
 * Also an OpenAI Chat Completions endpoint at `/v1/chat/completions` and `/api/v1/chat/completions` (OpenRouter's
 * path) answering every accepted key, so channels of these types can serve requests in the same tests.
 */
export interface ProviderAccountsState {
  /** DeepSeek: key → balance_infos */
  deepseek: Record<string, { currency: string; total_balance: string; granted_balance: string; topped_up_balance: string }[]>;
  /** Moonshot: key → available balance (voucher + cash) */
  moonshot: Record<string, { available_balance: number; voucher_balance: number; cash_balance: number }>;
  /** OpenRouter: management key → credits */
  openrouterCredits: Record<string, { total_credits: number; total_usage: number }>;
  /** OpenRouter: key → its limit (null: none), what is left of it and when it resets */
  openrouterKeys: Record<string, { limit: number | null; limit_remaining: number | null; limit_reset: 'daily' | 'weekly' | 'monthly' | null; usage: number }>;
  /** new-api style relay: key → credit (USD) and used (USD) */
  dashboard: Record<string, { hardLimitUsd: number; usedUsd: number }>;
  /** keys the chat endpoint accepts (others: OpenAI's 401); empty: every key */
  chatKeys: string[];
  /** the usage every chat answer reports */
  chatUsage: { prompt_tokens: number; completion_tokens: number };
}

export interface ProviderAccountsFake {
  url: string;
  state: ProviderAccountsState;
  /** every request: method, path with query, Bearer key */
  requests: { method: string; path: string; key: string | undefined }[];
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const openAiAuthError = (key: string | undefined) => ({
  error: {
    message: `Incorrect API key provided: ${key ? `${key.slice(0, 3)}*${key.slice(-4)}` : ''}.`,
    type: 'invalid_request_error',
    param: null,
    code: 'invalid_api_key',
  },
});

async function drain(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startProviderAccountsFake(initial: Partial<ProviderAccountsState> = {}): Promise<ProviderAccountsFake> {
  const state: ProviderAccountsState = {
    deepseek: {},
    moonshot: {},
    openrouterCredits: {},
    openrouterKeys: {},
    dashboard: {},
    chatKeys: [],
    chatUsage: { prompt_tokens: 5, completion_tokens: 7 },
    ...initial,
  };
  const requests: ProviderAccountsFake['requests'] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await drain(req);
      const url = new URL(req.url ?? '/', 'http://fake');
      const auth = req.headers.authorization;
      const key = auth && /^bearer\s+/i.test(auth) ? auth.replace(/^bearer\s+/i, '').trim() : undefined;
      requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, key });
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /user/balance': {
          const infos = key !== undefined ? state.deepseek[key] : undefined;
          if (!infos)
            return send(res, 401, {
              error: {
                message: 'Authentication Fails, Your api key: ****invalid is invalid',
                type: 'authentication_error',
                param: null,
                code: 'invalid_request_error',
              },
            });
          return send(res, 200, { is_available: infos.some((i) => Number(i.total_balance) > 0), balance_infos: infos });
        }
        case 'GET /v1/users/me/balance': {
          const data = key !== undefined ? state.moonshot[key] : undefined;
          if (!data) return send(res, 401, { error: { message: 'Invalid Authentication', type: 'invalid_authentication_error' } });
          return send(res, 200, { code: 0, data, scode: '0x0', status: true });
        }
        case 'GET /api/v1/credits': {
          const data = key !== undefined ? state.openrouterCredits[key] : undefined;
          if (!data)
            return send(res, key !== undefined && state.openrouterKeys[key] ? 403 : 401, {
              error: { message: 'Only management keys can perform this operation', code: 403 },
            });
          return send(res, 200, { data });
        }
        case 'GET /api/v1/key': {
          const k = key !== undefined ? state.openrouterKeys[key] : undefined;
          if (!k) return send(res, 401, { error: { message: 'No auth credentials found', code: 401 } });
          return send(res, 200, {
            data: {
              label: `${key!.slice(0, 11)}...${key!.slice(-3)}`,
              limit: k.limit,
              limit_remaining: k.limit_remaining,
              limit_reset: k.limit_reset,
              usage: k.usage,
              usage_daily: k.usage,
              usage_weekly: k.usage,
              usage_monthly: k.usage,
              byok_usage: 0,
              is_free_tier: false,
              is_provisioning_key: false,
              include_byok_in_limit: false,
              rate_limit: { requests: -1, interval: '10s', note: 'This field is deprecated and safe to ignore.' },
            },
          });
        }
        case 'GET /v1/dashboard/billing/subscription':
        case 'GET /dashboard/billing/subscription': {
          const d = key !== undefined ? state.dashboard[key] : undefined;
          // new-api answers its own failures with 200 and an OpenAI-style error
          if (!d) return send(res, 200, { error: { message: '无效的令牌', type: 'new_api_error' } });
          return send(res, 200, {
            object: 'billing_subscription',
            has_payment_method: true,
            soft_limit_usd: d.hardLimitUsd,
            hard_limit_usd: d.hardLimitUsd,
            system_hard_limit_usd: d.hardLimitUsd,
            access_until: 0,
          });
        }
        case 'GET /v1/dashboard/billing/usage':
        case 'GET /dashboard/billing/usage': {
          const d = key !== undefined ? state.dashboard[key] : undefined;
          if (!d) return send(res, 200, { error: { message: '无效的令牌', type: 'new_api_error' } });
          return send(res, 200, { object: 'list', total_usage: d.usedUsd * 100 });
        }
        case 'POST /v1/chat/completions':
        case 'POST /api/v1/chat/completions': {
          if (!key || (state.chatKeys.length && !state.chatKeys.includes(key))) return send(res, 401, openAiAuthError(key));
          const model = (JSON.parse(body || '{}') as { model?: string }).model ?? 'unknown';
          const u = state.chatUsage;
          return send(res, 200, {
            id: `chatcmpl-${requests.length}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, logprobs: null, finish_reason: 'stop' }],
            usage: { ...u, total_tokens: u.prompt_tokens + u.completion_tokens },
          });
        }
        default:
          return send(res, 404, { error: { message: `no route ${route}`, type: 'invalid_request_error' } });
      }
    })().catch((e: Error) => send(res, 500, { error: { message: e.message } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
