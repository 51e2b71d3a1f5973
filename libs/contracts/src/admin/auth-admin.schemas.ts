/** Users, tokens and groups (auth.admin.v1): request bodies and list queries. */
import { cidrError } from '@switchboard/common';
import { z } from 'zod';
import { Password, Role } from '../accounts.contracts';

// Bounds keep every accepted value storable: Int columns (2^31 - 1), micro-USD numbers that stay exact in JSON
// and in the gateway's cache (≤ $1e9), Decimal(12, 6) price ratios. Anything beyond is a 400, never a 500.
const MAX_INT = 2_147_483_647;
const MAX_USD = 1_000_000_000;

const nullableLimit = z.number().int('must be a whole number').min(0, 'must not be negative').max(MAX_INT).nullable();
const money = z.number().finite().min(0, 'must not be negative').max(MAX_USD, `must be at most ${MAX_USD}`);
const name = z.string().trim().min(1, 'must not be empty').max(128);
/** Group names travel in URLs (`PATCH /api/groups/:name`), metric labels and counter keys: keep them plain. */
const groupName = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"');
const status = z.enum(['active', 'disabled']);
const orgId = z.number().int('must be a whole number').min(1).max(MAX_INT).nullable();

/** `POST /api/orgs`, `PATCH /api/orgs/:id`: an organisation's name. */
export const CreateOrg = z.object({ name }).strict();
export const UpdateOrg = CreateOrg;

/**
 * A spend cap per period (SPEC §8): `amount` USD per UTC day, ISO week (from Monday) or calendar month; `softLimit`
 * (USD, below the amount) raises a `budget_reached` alert once per period. null = no budget.
 */
export const Budget = z
  .object({
    amount: money.positive('must be more than 0'),
    period: z.enum(['day', 'week', 'month']),
    softLimit: money.nullable().default(null),
  })
  .strict()
  .refine((b) => b.softLimit === null || b.softLimit <= b.amount, { message: 'must not exceed the amount', path: ['softLimit'] });
const budget = Budget.nullable();

export const CreateUser = z
  .object({
    name,
    group: groupName.default('default'),
    balance: money.nullable().default(0),
    status: status.default('active'),
    rpm: nullableLimit.default(null),
    tpm: nullableLimit.default(null),
    maxConcurrency: nullableLimit.default(null),
    budget: budget.default(null),
    role: Role.default('user'),
    /** sets the password the user signs in with (only its argon2id hash is kept) */
    password: Password.optional(),
    /** tokens the user may hold when it creates its own; null = USER_MAX_TOKENS */
    maxTokens: nullableLimit.default(null),
    /** the user's organisation (null = the platform); an org admin's users always land in its own org */
    orgId: orgId.optional(),
  })
  .strict();
export const UpdateUser = z
  .object({
    name,
    group: groupName,
    balance: money.nullable(),
    status,
    rpm: nullableLimit,
    tpm: nullableLimit,
    maxConcurrency: nullableLimit,
    budget,
    role: Role,
    /** a new password; null removes it (the user can no longer sign in with one) */
    password: Password.nullable(),
    maxTokens: nullableLimit,
    /** moves the user to another organisation (null = the platform); not for org admins */
    orgId,
    /** turns the user's 2FA off (a lost authenticator and lost backup codes) */
    resetTwoFactor: z.literal(true),
  })
  .partial()
  .strict();

const allowIps = z
  .array(z.string().trim())
  .max(1000)
  .superRefine((list, ctx) => {
    list.forEach((entry, i) => {
      const err = cidrError(entry);
      if (err) ctx.addIssue({ code: 'custom', message: err, path: [i] });
    });
  });
const models = z.array(z.string().trim().min(1, 'must not be empty').max(256)).min(1, 'use null for every model').nullable();
const expiresAt = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time' }).nullable();

export const CreateToken = z
  .object({
    name: name.default('default'),
    userId: z.number().int().positive().max(MAX_INT).optional(),
    group: groupName.nullable().optional(),
    expiresAt: expiresAt.default(null),
    quota: money.nullable().default(null),
    models: models.default(null),
    allowIps: allowIps.default([]),
    rpm: nullableLimit.default(null),
    tpm: nullableLimit.default(null),
    maxConcurrency: nullableLimit.default(null),
    crossGroupRetry: z.boolean().default(false),
    logBodies: z.boolean().default(false),
    status: status.default('active'),
    budget: budget.default(null),
  })
  .strict();
export const UpdateToken = z
  .object({
    name,
    group: groupName.nullable(),
    expiresAt,
    quota: money.nullable(),
    models,
    allowIps,
    rpm: nullableLimit,
    tpm: nullableLimit,
    maxConcurrency: nullableLimit,
    crossGroupRetry: z.boolean(),
    logBodies: z.boolean(),
    status,
    budget,
  })
  .partial()
  .strict();

export const CreateGroup = z
  .object({
    name: groupName,
    priceRatio: z.number().finite().min(0, 'must not be negative').max(1000).default(1),
    rpm: nullableLimit.default(null),
    tpm: nullableLimit.default(null),
    maxConcurrency: nullableLimit.default(null),
    budget: budget.default(null),
    logBodies: z.boolean().default(false),
    /** the organisation that owns it (a root's choice); null = the platform's */
    orgId: orgId.default(null),
  })
  .strict();
/** An org admin may change its org's groups but not `priceRatio` or `orgId` (a 403 naming the field). */
export const UpdateGroup = z
  .object({
    priceRatio: z.number().finite().min(0, 'must not be negative').max(1000),
    rpm: nullableLimit,
    tpm: nullableLimit,
    maxConcurrency: nullableLimit,
    budget,
    logBodies: z.boolean(),
    orgId,
  })
  .partial()
  .strict();

/** `?limit=&offset=` of the auth lists; `userId` filters tokens. */
export const AuthListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
  userId: z.coerce.number().int().positive().optional(),
});

/**
 * `GET /api/users`: the page, a case-insensitive `search` in the name (or the id, when it is a number), and the
 * exact `group` and `status` to keep.
 */
export const UserListQuery = AuthListQuery.omit({ userId: true }).extend({
  search: z.string().trim().max(128).optional(),
  group: z.string().trim().max(64).optional(),
  status: status.optional(),
});

/** `GET /api/tokens`: the auth list query plus the console's filters (a status, a part of the name or key). */
export const TokenListQuery = AuthListQuery.extend({
  status: z.enum(['active', 'disabled', 'exhausted', 'expired']).optional(),
  /** case-insensitive part of the name, or the key's visible start (`sk-abc`) */
  search: z.string().trim().max(128).optional(),
});
