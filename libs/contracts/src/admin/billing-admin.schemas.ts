import { z } from 'zod';

/** Prices, top-ups, redemption codes and the ledger (billing.admin.v1): request bodies and list queries. */

// At most $1e9 at a time, the bound of a balance set by the admin API: a bigger credit is a typo, and one near
// 9.2e12 would overflow the micro-dollar column (a 500 instead of a 400).
export const TopUp = z.object({ amount: z.number().finite().positive('must be positive').max(1_000_000_000, 'must be at most 1000000000') }).strict();

const usd = z.number().finite().min(0, 'must not be negative');
export const PutPrice = z.object({ input: usd, output: usd, cacheRead: usd.default(0), cacheWrite: usd.default(0), perRequest: usd.default(0) }).strict();

export const CreateRedemptions = z
  .object({
    value: z.number().finite().positive('must be positive'),
    count: z.number().int().min(1).max(1000).default(1),
    expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export const RedemptionListQuery = z.object({
  status: z.enum(['unused', 'used', 'expired']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const optInt = z.coerce.number().int().optional();
export const LedgerListQuery = z.object({
  userId: optInt,
  tokenId: optInt,
  kind: z.enum(['usage', 'topup', 'redemption', 'adjustment']).optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
