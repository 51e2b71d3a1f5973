import { normalizeBaseUrl, type ChannelBalance, type CredentialContext, type KeyAllowance } from '../provider.types';

/** Reads what a provider's account holds with a channel's key (ProviderAdapter.balance). */
export type BalanceReader = (cred: CredentialContext) => Promise<ChannelBalance | null>;
/** Reads a key's allowance (ProviderAdapter.keyAllowance). */
export type AllowanceReader = (cred: CredentialContext) => Promise<KeyAllowance | null>;

const READ_TIMEOUT_MS = 15_000;
const MAX_BODY_CHARS = 256 * 1024;

/** The channel's origin: its baseUrl without the API's version base (`/v1`, OpenRouter's `/api/v1`), typed or not. */
export function accountOrigin(baseUrl: string, versionBase = '/v1'): string {
  let url = baseUrl.trim().replace(/\/+$/, '');
  if (url.endsWith(versionBase)) url = url.slice(0, -versionBase.length);
  return normalizeBaseUrl(url);
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A finite number from a JSON number or numeric string (DeepSeek sends its balances as strings). */
function num(v: unknown, what: string): number {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`${what} is not a number in the answer`);
  return n;
}

/** The provider's own error message in the common shapes (`{ error: { message } }`, `{ message }`, `{ msg }`). */
function errorMessage(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const e = body.error;
  if (isRecord(e) && typeof e.message === 'string') return e.message;
  if (typeof e === 'string') return e;
  if (typeof body.message === 'string' && body.message) return body.message;
  return undefined;
}

/** GET a JSON account endpoint with the key as Bearer; a non-2xx or unreadable answer throws naming what the upstream said. */
export async function getAccountJson(cred: CredentialContext, url: string): Promise<unknown> {
  const res = await cred.services.fetch(url, {
    method: 'GET',
    headers: { authorization: `Bearer ${cred.apiKey}`, accept: 'application/json' },
    signal: AbortSignal.timeout(READ_TIMEOUT_MS),
  });
  const text = (await res.text()).slice(0, MAX_BODY_CHARS);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) throw new Error(`${res.status}${errorMessage(body) ? `: ${errorMessage(body)}` : ''} (GET ${new URL(url).pathname})`);
  if (body === undefined) throw new Error(`the answer of GET ${new URL(url).pathname} is not JSON`);
  // new-api and one-api answer their own failures with 200 and an OpenAI-style error body
  const problem = isRecord(body) && body.error !== undefined && body.error !== null ? errorMessage(body) : undefined;
  if (problem) throw new Error(`${problem} (GET ${new URL(url).pathname})`);
  return body;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * OpenAI's legacy billing dashboard as new-api/one-api and the relays built on them serve it to API keys:
 * `/v1/dashboard/billing/subscription` (`hard_limit_usd`: the credit) and `/v1/dashboard/billing/usage` (`total_usage`
 * in cents over the dates asked; OpenAI allowed at most 100 days, end date exclusive). Balance = credit − usage.
 */
export const openAiDashboardBalance: BalanceReader = async (cred) => {
  const origin = accountOrigin(cred.baseUrl);
  const sub = await getAccountJson(cred, `${origin}/v1/dashboard/billing/subscription`);
  if (!isRecord(sub)) throw new Error('the subscription answer is not an object');
  const credit = num(sub.hard_limit_usd, 'hard_limit_usd');
  const now = new Date();
  const start = new Date(now.getTime() - 99 * 86_400_000);
  const end = new Date(now.getTime() + 86_400_000);
  const usage = await getAccountJson(cred, `${origin}/v1/dashboard/billing/usage?start_date=${day(start)}&end_date=${day(end)}`);
  if (!isRecord(usage)) throw new Error('the usage answer is not an object');
  return { balance: round(credit - num(usage.total_usage, 'total_usage') / 100), currency: 'USD' };
};

/**
 * DeepSeek `GET /user/balance` → `{ is_available, balance_infos: [{ currency, total_balance, granted_balance,
 * topped_up_balance }] }` (amounts as strings; one entry per currency the account holds). USD is reported when the
 * account has it, else CNY, else the first.
 */
export const deepSeekBalance: BalanceReader = async (cred) => {
  const body = await getAccountJson(cred, `${accountOrigin(cred.baseUrl)}/user/balance`);
  const infos = isRecord(body) && Array.isArray(body.balance_infos) ? body.balance_infos.filter(isRecord) : [];
  if (!infos.length) throw new Error('the answer lists no balance_infos');
  const pick = infos.find((i) => i.currency === 'USD') ?? infos.find((i) => i.currency === 'CNY') ?? infos[0];
  return { balance: num(pick.total_balance, 'total_balance'), currency: typeof pick.currency === 'string' ? pick.currency : 'CNY' };
};

/** OpenRouter `GET /api/v1/credits` → `{ data: { total_credits, total_usage } }` (USD; OpenRouter asks a management key). */
export const openRouterBalance: BalanceReader = async (cred) => {
  const body = await getAccountJson(cred, `${accountOrigin(cred.baseUrl, '/api/v1')}/api/v1/credits`);
  const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
  if (!data) throw new Error('the answer has no data');
  return { balance: round(num(data.total_credits, 'total_credits') - num(data.total_usage, 'total_usage')), currency: 'USD' };
};

/** The next reset of an OpenRouter key limit: `daily`, `weekly` (weeks start on Monday), `monthly`, at 00:00 UTC. */
export function nextLimitReset(kind: unknown, now: Date): string | null {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  if (kind === 'daily') d.setUTCDate(d.getUTCDate() + 1);
  else if (kind === 'weekly') d.setUTCDate(d.getUTCDate() + ((8 - d.getUTCDay()) % 7 || 7));
  else if (kind === 'monthly') d.setUTCMonth(d.getUTCMonth() + 1, 1);
  else return null;
  return d.toISOString();
}

/**
 * OpenRouter `GET /api/v1/key` (any key) → `{ data: { limit, limit_remaining, limit_reset, usage… } }`: a key with a
 * credit limit reports used = limit − remaining within the current period; a key without one has no allowance (null).
 */
export const openRouterKeyAllowance: AllowanceReader = async (cred) => {
  const body = await getAccountJson(cred, `${accountOrigin(cred.baseUrl, '/api/v1')}/api/v1/key`);
  const data = isRecord(body) && isRecord(body.data) ? body.data : undefined;
  if (!data) throw new Error('the answer has no data');
  if (data.limit === null || data.limit === undefined) return null;
  const limit = num(data.limit, 'limit');
  const remaining = data.limit_remaining === null || data.limit_remaining === undefined ? limit : num(data.limit_remaining, 'limit_remaining');
  return { used: round(Math.max(0, limit - remaining)), limit, resetAt: nextLimitReset(data.limit_reset, new Date()) };
};

/**
 * Moonshot `GET /v1/users/me/balance` → `{ code: 0, data: { available_balance, voucher_balance, cash_balance }, scode,
 * status: true }`: CNY on api.moonshot.cn (its docs), USD on the international api.moonshot.ai.
 */
export const moonshotBalance: BalanceReader = async (cred) => {
  const origin = accountOrigin(cred.baseUrl);
  const body = await getAccountJson(cred, `${origin}/v1/users/me/balance`);
  if (!isRecord(body) || !isRecord(body.data)) throw new Error('the answer has no data');
  if (body.status === false || (body.code !== undefined && body.code !== 0)) throw new Error(`code ${String(body.code)}, scode ${String(body.scode)}`);
  const international = /(^|\.)moonshot\.ai$/i.test(new URL(origin).hostname);
  return { balance: num(body.data.available_balance, 'available_balance'), currency: international ? 'USD' : 'CNY' };
};

/** Money to the micro-unit: float subtraction (100.5 − 25.75…) must not show as 74.75000000001. */
function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
