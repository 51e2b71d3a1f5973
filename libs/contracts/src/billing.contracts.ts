import { z } from 'zod';

/** Micro-USD per million tokens, and micro-USD per request. */
export const PriceEntry = z.object({
  model: z.string(),
  inputMicros: z.number(),
  outputMicros: z.number(),
  cacheReadMicros: z.number(),
  cacheWriteMicros: z.number(),
  perRequestMicros: z.number(),
  /** Endpoint families (SPEC §8), micro-USD: per image, per image by `size` or `quality:size`, per minute of audio
   * input, per million characters of speech, per rerank search unit. Absent: that unit is free. */
  perImageMicros: z.number().optional(),
  perImageBySizeMicros: z.record(z.string(), z.number()).optional(),
  audioInputPerMinuteMicros: z.number().optional(),
  speechPerMillionCharsMicros: z.number().optional(),
  perSearchUnitMicros: z.number().optional(),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceTable = z.object({ version: z.number().int(), prices: z.array(PriceEntry) });
export type PriceTable = z.infer<typeof PriceTable>;

/** `billing.redeem.v1`: the gateway verified the key; billing credits that key's user once. */
export const RedeemRequest = z.object({
  code: z.string(),
  userId: z.number().int(),
  tokenId: z.number().int().nullable(),
});
export type RedeemRequest = z.infer<typeof RedeemRequest>;

/** Its answer: the user's balance after the credit (USD). A refused code is a DomainError (400, `code: …`). */
export const RedeemReply = z.object({ balance: z.number() });
export type RedeemReply = z.infer<typeof RedeemReply>;

/** `billing.balance.low.v1`: emitted once per crossing (from at-or-above the threshold to below it). */
export const BalanceLowEvent = z.object({
  userId: z.number().int(),
  balanceMicros: z.number().int(),
  thresholdMicros: z.number().int(),
  /** the request whose debit crossed the threshold (the last of the batch), when a debit did */
  requestId: z.string().nullable(),
  occurredAt: z.string(),
});
export type BalanceLowEvent = z.infer<typeof BalanceLowEvent>;
