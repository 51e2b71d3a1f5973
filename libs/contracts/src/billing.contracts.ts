import { z } from 'zod';

/** Micro-USD per million tokens, and micro-USD per request. */
export const PriceEntry = z.object({
  model: z.string(),
  inputMicros: z.number(),
  outputMicros: z.number(),
  cacheReadMicros: z.number(),
  cacheWriteMicros: z.number(),
  perRequestMicros: z.number(),
});
export type PriceEntry = z.infer<typeof PriceEntry>;

export const PriceTable = z.object({ version: z.number().int(), prices: z.array(PriceEntry) });
export type PriceTable = z.infer<typeof PriceTable>;
