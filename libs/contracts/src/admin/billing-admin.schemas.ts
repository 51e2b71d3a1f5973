import { z } from 'zod';

/** Prices, top-ups, redemption codes and the ledger (billing.admin.v1): request bodies and list queries. */

// At most $1e9 at a time, the bound of a balance set by the admin API: a bigger credit is a typo, and one near
// 9.2e12 would overflow the micro-dollar column (a 500 instead of a 400).
export const TopUp = z.object({ amount: z.number().finite().positive('must be positive').max(1_000_000_000, 'must be at most 1000000000') }).strict();

const usd = z.number().finite().min(0, 'must not be negative');

// Unit prices (SPEC §8) are bounded like a top-up: a bigger one is a typo, and near 9.2e12 it would overflow the
// micro-dollar column (a 500 instead of a 400). Absent or null: the unit is free.
const unitUsd = usd.max(1_000_000_000, 'must be at most 1000000000');
/** A `perImageBySize` key: the request's `size` (`1024x1024`), or `quality:size` (`hd:1024x1024`), which wins over it. */
export const IMAGE_SIZE_KEY = /^(?:[a-z][a-z0-9_-]{0,31}:)?[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$/;
// Keys are checked here rather than by the record's key schema: zod reports a bad key only as "Invalid key in record".
const perImageBySize = z.record(z.string(), unitUsd).superRefine((m, ctx) => {
  const keys = Object.keys(m);
  if (keys.length > 64) ctx.addIssue({ code: 'custom', message: 'at most 64 sizes' });
  for (const key of keys.filter((k) => !IMAGE_SIZE_KEY.test(k))) {
    ctx.addIssue({ code: 'custom', path: [key], message: 'keys are sizes like "1024x1024" or "quality:size" like "hd:1024x1024"' });
  }
});

export const PutPrice = z
  .object({
    input: usd,
    output: usd,
    cacheRead: usd.default(0),
    cacheWrite: usd.default(0),
    perRequest: usd.default(0),
    perImage: unitUsd.nullable().default(null),
    perImageBySize: perImageBySize.nullable().default(null),
    audioInputPerMinute: unitUsd.nullable().default(null),
    speechPerMillionChars: unitUsd.nullable().default(null),
    perSearchUnit: unitUsd.nullable().default(null),
  })
  .strict();

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
  kind: z.enum(['usage', 'topup', 'redemption', 'adjustment', 'stripe_topup', 'stripe_refund', 'stripe_dispute']).optional(),
  requestId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const PAYMENT_STATUSES = ['credited', 'pending', 'failed', 'unapplied'] as const;
export const PaymentListQuery = z.object({
  status: z.enum(PAYMENT_STATUSES).optional(),
  userId: optInt,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
