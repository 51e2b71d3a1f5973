import { z } from 'zod';

export const WireProtocolSchema = z.enum(['openai-chat', 'openai-responses', 'openai-embeddings', 'anthropic', 'gemini']);

/** One finished request. Published on JetStream with msgID = requestId; consumers are idempotent by requestId. */
export const UsageRecord = z.object({
  requestId: z.string().min(1),
  createdAt: z.string(),
  tokenId: z.number().int().nullable(),
  userId: z.number().int().nullable(),
  group: z.string().nullable(),
  model: z.string(),
  upstreamModel: z.string().nullable(),
  channelId: z.number().int().nullable(),
  protocol: WireProtocolSchema,
  upstreamProtocol: WireProtocolSchema.nullable(),
  stream: z.boolean(),
  status: z.number().int(),
  promptTokens: z.number().int().min(0),
  completionTokens: z.number().int().min(0),
  cacheReadTokens: z.number().int().min(0),
  cacheWriteTokens: z.number().int().min(0),
  reasoningTokens: z.number().int().min(0),
  /** integer micro-USD, computed by the gateway from the price table it used for the reservation */
  costMicros: z.number().int().min(0),
  latencyMs: z.number().int().min(0),
  ttftMs: z.number().int().min(0).nullable(),
  attempts: z.number().int().min(0),
  error: z.string().nullable(),
  /** the request's quota reservation, for reconciliation */
  reservedMicros: z.number().int().min(0).default(0),
});
export type UsageRecord = z.infer<typeof UsageRecord>;

/** `usage.recorded.batch.v1`: one JetStream message carrying the records a gateway had ready at once. */
export const UsageRecordBatch = z.object({ records: z.array(UsageRecord).min(1) });
export type UsageRecordBatch = z.infer<typeof UsageRecordBatch>;
