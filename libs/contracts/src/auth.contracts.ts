import { z } from 'zod';

/** A key by its hash (every client request), or a token by its id (the console's playground, admin only). */
export const VerifyKeyRequest = z.union([
  z.object({ keyHash: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
  z.object({ tokenId: z.number().int().positive() }).strict(),
]);
export type VerifyKeyRequest = z.infer<typeof VerifyKeyRequest>;

export const LimitsSchema = z.object({
  rpm: z.number().int().nullable(),
  tpm: z.number().int().nullable(),
  maxConcurrency: z.number().int().nullable(),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** A budget on the token, its user or its group, with what the ledger held for its current period at verification. */
export const VerifiedBudget = z.object({
  amountMicros: z.number(),
  period: z.enum(['day', 'week', 'month']),
  softLimitMicros: z.number().nullable(),
  /** start of the period `spentMicros` covers (ms since the epoch, UTC) */
  periodStartMs: z.number(),
  spentMicros: z.number(),
});
export type VerifiedBudget = z.infer<typeof VerifiedBudget>;

/** What the gateway caches per key. Money in micro-USD as numbers (safe up to ±9e15 µ$ = $9e9). */
export const VerifiedToken = z.object({
  tokenId: z.number().int(),
  tokenName: z.string(),
  status: z.enum(['active', 'disabled', 'exhausted', 'expired']),
  expiresAt: z.string().nullable(),
  quotaMicros: z.number().nullable(),
  usedQuotaMicros: z.number(),
  models: z.array(z.string()).nullable(),
  allowIps: z.array(z.string()),
  crossGroupRetry: z.boolean(),
  /** its requests log their bodies (request_bodies): the token or its group opted in */
  logBodies: z.boolean().default(false),
  limits: LimitsSchema,
  /** null = no budget (also on user and group); absent from an older auth = none */
  budget: VerifiedBudget.nullable().default(null),
  user: z.object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(['active', 'disabled']),
    balanceMicros: z.number().nullable(),
    limits: LimitsSchema,
    budget: VerifiedBudget.nullable().default(null),
    /** its organisation (an org's MCP servers admit only its users); absent from an older auth = none */
    orgId: z.number().int().nullable().default(null),
  }),
  group: z.object({ name: z.string(), priceRatio: z.number(), limits: LimitsSchema, budget: VerifiedBudget.nullable().default(null) }),
});
export type VerifiedToken = z.infer<typeof VerifiedToken>;

export const VerifyKeyReply = z.object({ token: VerifiedToken.nullable() });
export type VerifyKeyReply = z.infer<typeof VerifyKeyReply>;

export const AuthChangedEvent = z.object({
  /** key hashes whose cached verification must be dropped; empty with `all` = drop everything. */
  keyHashes: z.array(z.string()),
  all: z.boolean().default(false),
  /** token quotas / user balances an admin changed: gateways drop their counters so they re-read the new value */
  quotaReset: z.object({ tokenIds: z.array(z.number().int()), userIds: z.array(z.number().int()) }).optional(),
});
export type AuthChangedEvent = z.infer<typeof AuthChangedEvent>;
