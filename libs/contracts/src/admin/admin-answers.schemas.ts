import { z } from 'zod';
import { LoggedBodies } from '../usage.contracts';

/**
 * What each admin route answers on success. Small answers are spelled out; the big views (a channel, a log record,
 * statistics) are loose objects naming their main fields, which is enough for the docs and for typing the handlers.
 */

const iso = z.string();
const nullableInt = z.number().int().nullable();

/** A budget and its current period: what the ledger holds spent in it, and when it resets. */
const BudgetView = z
  .object({
    amount: z.number(),
    period: z.enum(['day', 'week', 'month']),
    softLimit: z.number().nullable(),
    spent: z.number(),
    periodStart: iso,
    resetsAt: iso,
  })
  .nullable();

export const Deleted = z.object({ deleted: z.literal(true) });

export const UserView = z.object({
  id: z.number().int(),
  name: z.string(),
  group: z.string(),
  balance: z.number().nullable(),
  status: z.string(),
  rpm: nullableInt,
  tpm: nullableInt,
  maxConcurrency: nullableInt,
  budget: BudgetView,
  builtin: z.boolean(),
  role: z.enum(['root', 'admin', 'user']),
  hasPassword: z.boolean(),
  twoFactor: z.boolean(),
  maxTokens: nullableInt,
  orgId: nullableInt,
  createdAt: iso,
  updatedAt: iso,
});

/** An organisation (`/api/orgs`) and how many users it has. */
export const OrgView = z.object({ id: z.number().int(), name: z.string(), userCount: z.number().int(), createdAt: iso, updatedAt: iso });

/** A row of `GET /api/users`: the user and how many tokens (API keys) it owns. */
export const UserListItem = UserView.extend({ tokenCount: z.number().int() });

/** `DELETE /api/users/:id`: its tokens are deleted with it; how many. */
export const UserDeleted = Deleted.extend({ tokensDeleted: z.number().int() });

export const TokenView = z.object({
  id: z.number().int(),
  name: z.string(),
  userId: z.number().int(),
  group: z.string().nullable(),
  /** the key's prefix; the full key only in the answer to its creation */
  key: z.string(),
  expiresAt: iso.nullable(),
  quota: z.number().nullable(),
  usedQuota: z.number(),
  models: z.array(z.string()).nullable(),
  allowIps: z.array(z.string()),
  rpm: nullableInt,
  tpm: nullableInt,
  maxConcurrency: nullableInt,
  crossGroupRetry: z.boolean(),
  budget: BudgetView,
  logBodies: z.boolean(),
  status: z.string(),
  createdAt: iso,
  updatedAt: iso,
});

export const GroupView = z.object({
  name: z.string(),
  priceRatio: z.number(),
  rpm: nullableInt,
  tpm: nullableInt,
  maxConcurrency: nullableInt,
  budget: BudgetView,
  logBodies: z.boolean(),
  /** the owning organisation; null = the platform's */
  orgId: nullableInt,
  createdAt: iso,
  updatedAt: iso,
});

/** A row of `GET /api/groups`: the group, its users, and the tokens it governs (their own group, else their user's). */
export const GroupListItem = GroupView.extend({ userCount: z.number().int(), tokenCount: z.number().int() });

export const ChannelView = z.looseObject({
  id: z.number().int(),
  name: z.string(),
  type: z.string(),
  baseUrl: z.string(),
  keys: z.array(z.string()),
  models: z.array(z.string()),
  status: z.string(),
});

/** One key of a channel's pool (SPEC §8): never the key itself, only its mask. */
export const ChannelKeyView = z.object({
  id: z.number().int(),
  label: z.string(),
  masked: z.string(),
  enabled: z.boolean(),
  /** derived from the bans in force: `auth_failed` (the upstream refused it), `exhausted` (402: out of credit), `banned` (error rate) */
  status: z.enum(['ok', 'banned', 'exhausted', 'auth_failed']),
  lastError: z.string().nullable(),
  /** what the provider reports of the key's allowance (refreshed by the router; `?refresh=1` reads it now) */
  usage: z.object({ used: z.number(), limit: z.number().nullable(), resetAt: iso.nullable() }).optional(),
  /** counted by the gateway: upstream attempts with the key, failed ones, tokens of the answers it served, last use */
  counters: z.object({
    requests: z.number().int(),
    errors: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    lastUsedAt: iso.nullable(),
  }),
});

/** `GET /api/channels/:id/balance`: what the provider's account holds, as last read. */
export const ChannelBalanceView = z.object({
  balance: z.number(),
  currency: z.string(),
  /** when it was read */
  updatedAt: iso,
  /** the last refresh's failure when it failed after this balance was read (null: the balance is the latest) */
  error: z.string().nullable(),
});

export const ChannelKeysAdded = z.object({
  added: z.array(ChannelKeyView),
  /** `index` is the position in the request's `keys` */
  skipped: z.array(z.object({ index: z.number().int(), masked: z.string(), reason: z.literal('duplicate') })),
});

export const ChannelTestResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  responseTimeMs: z.number(),
  error: z.string().nullable(),
  model: z.string(),
});

/** A plugin's configuration (secrets masked) and where it stands. */
export const PluginView = z.looseObject({ name: z.string(), enabled: z.boolean(), updatedAt: z.string().nullable() });
export const AliasView = z.looseObject({ name: z.string(), targets: z.unknown(), fallbacks: z.array(z.string()) });

export const PriceView = z.object({
  model: z.string(),
  input: z.number(),
  output: z.number(),
  cacheRead: z.number(),
  cacheWrite: z.number(),
  perRequest: z.number(),
  /** unit prices (SPEC §8), USD; null: that unit is free */
  perImage: z.number().nullable(),
  perImageBySize: z.record(z.string(), z.number()).nullable(),
  audioInputPerMinute: z.number().nullable(),
  speechPerMillionChars: z.number().nullable(),
  perSearchUnit: z.number().nullable(),
  builtin: z.boolean(),
});

/** `DELETE /api/prices/:model`: whether an admin-set price was removed, and the built-in price now in force (null: unpriced). */
export const PriceRemoved = z.object({ deleted: z.boolean(), builtin: PriceView.nullable() });

export const Balance = z.object({ balance: z.number() });

export const CreatedRedemptions = z.object({
  data: z.array(z.object({ id: z.number().int(), code: z.string(), value: z.number(), expiresAt: iso.nullable() })),
});

export const RedemptionView = z.looseObject({ id: z.number().int(), value: z.number(), status: z.string() });

export const LedgerPage = z.object({
  data: z.array(z.looseObject({ id: z.number().int(), userId: z.number().int(), kind: z.string(), amount: z.number() })),
  total: z.number().int(),
  sum: z.number(),
});

/** A Stripe payment (one Checkout session): what it paid, what it credited, and what refunds and a dispute took back (USD). */
export const PaymentView = z.object({
  sessionId: z.string(),
  paymentIntent: z.string().nullable(),
  userId: z.number().int(),
  /** in the currency's major unit */
  amount: z.number(),
  currency: z.string(),
  /** the credit fixed at checkout, USD */
  credit: z.number(),
  credited: z.number(),
  reversed: z.number(),
  /** credited | pending (a delayed method) | failed | unapplied (paid, the user could not be credited: settle by hand) */
  status: z.string(),
  note: z.string().nullable(),
  dispute: z.object({ id: z.string(), status: z.string(), withdrawn: z.number() }).nullable(),
  createdAt: iso,
  updatedAt: iso,
});

export const Reconciliation = z.looseObject({ checkedAt: iso, consistent: z.boolean(), quotaCounters: z.looseObject({}) });

export const LogView = z.looseObject({ requestId: z.string(), createdAt: iso, model: z.string(), status: z.number().int() });

/** One request by id: the list row plus its logged bodies (null unless its token or group opted in, or pruned). */
export const LogDetail = LogView.extend({ bodies: LoggedBodies.nullable() });

export const LogPage = z.object({ data: z.array(LogView), total: z.number().int(), nextCursor: z.string().nullable() });

export const Stats = z.looseObject({ days: z.number().int(), totals: z.looseObject({}), byDay: z.array(z.looseObject({})) });

export const AuditEntry = z.looseObject({ id: z.number().int(), actor: z.string(), action: z.string(), entity: z.string(), createdAt: iso });

export const DeadLetterView = z.looseObject({ id: z.number().int(), consumer: z.string(), error: z.string() });

/** `{ data, total }`: every admin list. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), total: z.number().int() });

/** An alert channel as the admin API shows it: a Slack URL masked; a webhook's signing secret only in the creation's answer. */
export const AlertChannelView = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.enum(['webhook', 'email', 'slack']),
  target: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  /** `whsec_…`, shown once: in the answer to the creation of a webhook channel, or to a rotation of its secret */
  secret: z.string().optional(),
  /** after a rotation: until when deliveries are also signed with the replaced secret (null when they are not) */
  previousSecretUntil: z.string().nullable(),
  lastDeliveryAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
});
export const AlertTestResult = z.object({ delivered: z.boolean(), attempts: z.number().int(), error: z.string().nullable() });
