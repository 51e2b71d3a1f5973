import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';
import { adminKeyProblem, secretKeyProblem } from './secret-strength';

export const SERVICE_NAMES = ['gateway', 'auth', 'router', 'billing', 'log-writer'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  gateway: 3000,
  auth: 3001,
  router: 3002,
  billing: 3003,
  'log-writer': 3004,
};

/** More processes than this on one port is a typo, not a machine. */
export const MAX_GATEWAY_WORKERS = 256;

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    });

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
/** A path to a file this process can read (creds, CA, certificate, key): a typo is a start-up error, not a runtime one. */
const optionalFile = optionalString.refine((v) => v === undefined || readable(v), { message: 'file not found or not readable' });

function readable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Every env var of SPEC §3 and §8. Unknown vars are ignored; invalid ones stop start-up together. */
const envFields = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_KEY: z
    .string()
    .min(16, 'must be at least 16 characters')
    .superRefine((v, ctx) => {
      const problem = adminKeyProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 32 bytes as 64 hex digits')
    .superRefine((v, ctx) => {
      const problem = secretKeyProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  NATS_URL: optionalUrl(['nats://', 'tls://', 'ws://', 'wss://']),
  /** NATS credentials (one way: user + password, token, creds file or nkey seed) and TLS (SPEC §8). */
  NATS_USER: optionalString,
  NATS_PASSWORD: optionalString,
  NATS_TOKEN: optionalString,
  NATS_CREDS: optionalFile,
  NATS_NKEY_SEED: optionalString.refine((v) => v === undefined || /^SU[A-Z2-7]{56}$/.test(v.trim()), {
    message: 'must be a user nkey seed (58 characters starting with SU)',
  }),
  NATS_TLS_CA: optionalFile,
  NATS_TLS_CERT: optionalFile,
  NATS_TLS_KEY: optionalFile,
  /** CA of a Redis served over TLS (`rediss://`) whose certificate the system CAs do not cover */
  REDIS_TLS_CA: optionalFile,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  MAX_BODY_BYTES: int(10 * 1024 * 1024, 1),
  /** multipart uploads (images edits, audio transcriptions): the whole form, files included; 413 past it */
  MAX_UPLOAD_BYTES: int(25 * 1024 * 1024, 1),
  /** request bodies nested deeper than this (objects and arrays) are refused with 400 */
  MAX_JSON_DEPTH: int(128, 1),
  /** the client's request line and headers must arrive within this (slow-header clients are cut) */
  HTTP_HEADERS_TIMEOUT_MS: int(30_000, 1),
  /** the whole request, body included, must arrive within this; the response (a long stream) is not limited */
  HTTP_REQUEST_TIMEOUT_MS: int(120_000, 1),
  /** an idle keep-alive connection is closed after this */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(72_000, 1),
  UPSTREAM_CONNECT_TIMEOUT_MS: int(10_000, 1),
  UPSTREAM_FIRST_BYTE_TIMEOUT_MS: int(120_000, 1),
  UPSTREAM_IDLE_TIMEOUT_MS: int(60_000, 1),
  /** a larger upstream body ends the attempt as an upstream error; an SSE event is held up to min(this, 16 MiB) */
  UPSTREAM_MAX_RESPONSE_BYTES: int(64 * 1024 * 1024, 1024),
  UNPRICED_MODEL_POLICY: z.enum(['reject', 'free']).default('reject'),
  LOG_RETENTION_DAYS: int(30, 1),
  /** logged request/response bodies (token or group `logBodies`): their own retention and per-body size cap */
  LOG_BODY_RETENTION_DAYS: int(7, 1),
  LOG_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(256)
    .max(256 * 1024)
    .default(64 * 1024),
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  AIHUBMIX_API_KEY: z.string().optional(),
  AIHUBMIX_BASE_URL: z.string().url().default('https://aihubmix.com'),
  AIHUBMIX_APP_CODE: z.string().optional(),
  SHUTDOWN_TIMEOUT_MS: int(30_000, 0),
  /** upstream attempts after the first one, per request */
  RETRY_BUDGET: int(3, 0),
  /** bans (SPEC §6 defaults): error rate >= BAN_ERROR_RATE over >= BAN_MIN_REQUESTS in BAN_WINDOW_MS */
  BAN_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.5),
  BAN_MIN_REQUESTS: int(10, 1),
  BAN_WINDOW_MS: int(60_000, 1000),
  BAN_DURATION_MS: int(60_000, 1),
  BAN_PROBE_INTERVAL_MS: int(15_000, 100),
  /** periodic health check of every enabled channel (0 = off) */
  CHANNEL_CHECK_INTERVAL_MS: int(300_000, 0),
  /** how often the router reads the account balance of channels whose provider reports one (0 = only on demand) */
  CHANNEL_BALANCE_REFRESH_INTERVAL_MS: int(600_000, 0),
  /** how often the router reads each key's allowance where the provider reports one (0 = only on demand) */
  KEY_ALLOWANCE_REFRESH_INTERVAL_MS: int(600_000, 0),
  /** a debit that takes a balance below this emits billing.balance.low.v1 */
  BALANCE_LOW_THRESHOLD_USD: z.coerce.number().finite().min(0).default(1),
  /** how often balances and used quotas are checked against the ledger (also once at start) */
  LEDGER_RECONCILE_INTERVAL_MS: int(600_000, 1000),
  /**
   * where embedded PGlite (no DATABASE_URL) runs: in a worker thread of this process (default), in a child process,
   * or on the relay's own event loop. The first two reach it over a private Unix socket, and its WASM queries never
   * stall the event loop that relays HTTP (bench/ab.mjs at concurrency 64: p99 about half, 11 % more req/s than
   * in-process); a child process costs about 150 MB more memory, a worker thread about 10 MB.
   */
  EMBEDDED_DB_HOST: z.enum(['in-process', 'worker-thread', 'child-process']).default('worker-thread'),
  /**
   * relay workers per gateway process (SPEC §8): processes sharing the gateway's port (node:cluster), an integer
   * from 1, or `auto` for the cores this process may use. 1 runs no workers at all (one process, as before).
   */
  GATEWAY_WORKERS: z
    .string()
    .trim()
    .default('1')
    .transform((v) => v || '1')
    .refine((v) => v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_GATEWAY_WORKERS), {
      message: `must be an integer from 1 to ${MAX_GATEWAY_WORKERS}, or auto (the available cores)`,
    })
    .transform((v) => (v === 'auto' ? Math.min(MAX_GATEWAY_WORKERS, os.availableParallelism()) : Number(v))),
  /** alerts by email (SPEC §8): smtp://user:pass@host:port (smtps:// for TLS from the start); unset, email channels fail */
  SMTP_URL: z.string().url().optional(),
  /** the From of alert mail: an address, or `Name <address>` */
  ALERT_EMAIL_FROM: z.string().trim().min(3).default('Switchboard <switchboard@localhost>'),
  /** the same event about the same subject (a user, a channel) is delivered once within this window (0 = every time) */
  ALERT_DEDUP_WINDOW_MS: int(600_000, 0),
  /** alerts one channel receives at most per hour; the rest are dropped and counted (outcome `rate_limited`) */
  ALERT_RATE_LIMIT_PER_HOUR: int(30, 1),
  /** one delivery attempt's time limit; a failed attempt is retried ALERT_RETRIES times with exponential backoff */
  ALERT_DELIVERY_TIMEOUT_MS: int(10_000, 100),
  ALERT_RETRIES: int(3, 0),
  /** error_rate alerts: a channel (or all of them together) at or above this error rate over BAN_WINDOW_MS */
  ALERT_ERROR_RATE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.5),
  ALERT_ERROR_RATE_MIN_REQUESTS: int(20, 1),
  /** how often the router checks error rates for error_rate alerts (0 = never) */
  ALERT_ERROR_RATE_CHECK_INTERVAL_MS: int(60_000, 0),
  /** how often the gateways' quota counters (Redis / in memory) are reconciled with the ledger (also once at start) */
  QUOTA_RECONCILE_INTERVAL_MS: int(60_000, 1000),
  /**
   * also reconcile once this many billed requests were left pending per request since the last run (billing could
   * not fold them into its debit's entry; at most every 5 s; 0 = only on the interval): this bounds what they hold
   */
  QUOTA_RECONCILE_AFTER_CHARGES: int(20_000, 0),
  /**
   * shifts the clock budgets take their period from (ms, may be negative): a test hook that lets a test reach the
   * next day, week or month without waiting; leave 0
   */
  BUDGET_CLOCK_OFFSET_MS: z.coerce.number().int().default(0),
  /**
   * accounts: at start auth makes sure this user exists with role root and, when it has no password yet, this
   * password (so the first root can sign in; once the user has a password the variable no longer changes it)
   */
  ROOT_USERNAME: optionalString,
  ROOT_PASSWORD: optionalString.refine((v) => v === undefined || v.length >= 8, { message: 'must be at least 8 characters' }),
  /** `POST /api/auth/register` creates `user` accounts only when this is true (off by default) */
  REGISTRATION_ENABLED: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** how many tokens a user may hold when it creates its own (an admin sets a user's own `maxTokens` to override) */
  USER_MAX_TOKENS: int(10, 0),
  /** Stripe top-ups (README "Payments (Stripe)"): off while STRIPE_SECRET_KEY is unset */
  STRIPE_SECRET_KEY: optionalString,
  /** the endpoint's signing secret (whsec_…): webhook deliveries are refused (400) unless signed with it */
  STRIPE_WEBHOOK_SECRET: optionalString,
  /** Stripe's API (a test points it at a fake) */
  STRIPE_API_URL: z.string().url().default('https://api.stripe.com'),
  /** what customers pay in (ISO code, lower case) and the bounds of one top-up, in that currency's major unit */
  STRIPE_CURRENCY: z
    .string()
    .regex(/^[a-zA-Z]{3}$/, 'a three-letter ISO currency code')
    .default('usd')
    .transform((v) => v.toLowerCase()),
  STRIPE_MIN_AMOUNT: z.coerce.number().finite().positive().default(5),
  STRIPE_MAX_AMOUNT: z.coerce.number().finite().positive().default(1000),
  /** USD of balance credited per unit of STRIPE_CURRENCY paid (1 for usd; e.g. 0.14 for cny) */
  STRIPE_USD_PER_UNIT: z.coerce.number().finite().positive().default(1),
  /** where Checkout sends the customer back (the console's address); default: the address the request came to */
  STRIPE_RETURN_URL: z.string().url().optional(),
  /** OpenID Connect sign-in ("Sign in with …"): on when OIDC_ISSUER is set (with OIDC_CLIENT_ID and OIDC_REDIRECT_URL) */
  OIDC_ISSUER: optionalUrl(['https://', 'http://']),
  OIDC_CLIENT_ID: optionalString,
  /** unset for a public client (PKCE alone) */
  OIDC_CLIENT_SECRET: optionalString,
  /** this gateway's callback as registered at the provider: https://<host>/api/auth/oidc/callback */
  OIDC_REDIRECT_URL: optionalUrl(['https://', 'http://']),
  OIDC_SCOPES: z.string().trim().min(1).default('openid email profile'),
  /** the provider's name on the console's sign-in button */
  OIDC_DISPLAY_NAME: z.string().trim().min(1).max(64).default('OpenID Connect'),
  /** link a first OIDC sign-in to the existing user whose username is the provider's verified email (off by default) */
  OIDC_LINK_BY_EMAIL: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  /** passkeys: the WebAuthn relying party id (a domain) and origin; unset = the host and origin the browser used */
  WEBAUTHN_RP_ID: optionalString,
  WEBAUTHN_ORIGIN: optionalUrl(['https://', 'http://']),
  WEBAUTHN_RP_NAME: z.string().trim().min(1).max(64).default('Switchboard'),
});

/** Every variable the gateway reads, in the schema's order (the settings page lists them all). */
export const ENV_NAMES = Object.keys(envFields.shape) as (keyof typeof envFields.shape)[];

/** Rules across variables: each names the variable to change. */
export const envSchema = envFields.superRefine(
  (env, ctx) => {
    const bad = (name: string, message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
    if (env.NATS_USER && !env.NATS_PASSWORD) bad('NATS_PASSWORD', 'required with NATS_USER');
    if (env.NATS_PASSWORD && !env.NATS_USER) bad('NATS_USER', 'required with NATS_PASSWORD');
    const ways = (['NATS_USER', 'NATS_TOKEN', 'NATS_CREDS', 'NATS_NKEY_SEED'] as const).filter((k) => env[k]);
    if (ways.length > 1) for (const k of ways) bad(k, `set one NATS authentication only (${ways.join(', ')} are all set)`);
    if (env.NATS_TLS_CERT && !env.NATS_TLS_KEY) bad('NATS_TLS_KEY', 'required with NATS_TLS_CERT (client certificate)');
    if (env.NATS_TLS_KEY && !env.NATS_TLS_CERT) bad('NATS_TLS_CERT', 'required with NATS_TLS_KEY (client certificate)');
    if (env.REDIS_TLS_CA && !env.REDIS_URL?.startsWith('rediss://')) bad('REDIS_TLS_CA', 'needs a rediss:// REDIS_URL (TLS)');
    if (env.ROOT_USERNAME && !env.ROOT_PASSWORD) bad('ROOT_PASSWORD', 'required with ROOT_USERNAME');
    if (env.ROOT_PASSWORD && !env.ROOT_USERNAME) bad('ROOT_USERNAME', 'required with ROOT_PASSWORD');
    if (env.STRIPE_MIN_AMOUNT > env.STRIPE_MAX_AMOUNT) bad('STRIPE_MIN_AMOUNT', 'must not exceed STRIPE_MAX_AMOUNT');
    if (env.OIDC_ISSUER && !env.OIDC_CLIENT_ID) bad('OIDC_CLIENT_ID', 'required with OIDC_ISSUER');
    if (env.OIDC_ISSUER && !env.OIDC_REDIRECT_URL) bad('OIDC_REDIRECT_URL', 'required with OIDC_ISSUER');
    // Run even when a single variable is already bad, so one message still names every problem.
  },
  { when: () => true },
);

export type Env = z.infer<typeof envSchema>;
