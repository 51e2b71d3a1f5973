import { MAX_USAGE_TOKENS, WIRE_PROTOCOLS } from '@switchboard/protocols';
import { z } from 'zod';
import { PLUGIN_NAMES } from './admin/plugin-admin.schemas';

export { MAX_USAGE_TOKENS };

/** Attempts a record names keys for: a pool of revoked keys can be tried one by one, and the record stays bounded. */
export const MAX_KEY_ATTEMPTS = 64;

/** A non-negative integer an int4 column holds (token counts, ids, latencies in ms). */
const int4 = () => z.number().int().min(0).max(MAX_USAGE_TOKENS);

/** The wire protocol names as libs/protocols declares them (they are stored in request logs). */
export const WireProtocolSchema = z.enum(WIRE_PROTOCOLS);

/** One finished request. Published on JetStream with msgID = requestId; consumers are idempotent by requestId. */
const unitCount = z.number().finite().min(0).max(Number.MAX_SAFE_INTEGER);
export const UnitsSchema = z
  .object({ images: unitCount.optional(), audioSeconds: unitCount.optional(), characters: unitCount.optional(), searchUnits: unitCount.optional() })
  .strict();

/** The longest word a plugin logs for what it did (`hit`, `applied`…). */
export const MAX_PLUGIN_DETAIL = 32;

/** What each relay plugin that ran did for the request (cache: hit, miss, bypass; others: applied, skipped, failed). */
export const PluginsLogSchema = z.partialRecord(z.enum(PLUGIN_NAMES), z.string().min(1).max(MAX_PLUGIN_DETAIL));

/** Each logged body is at most this long (LOG_BODY_MAX_BYTES is clamped to it): a batch of records stays one NATS message. */
export const MAX_LOGGED_BODY_BYTES = 256 * 1024;

/** A request's logged bodies (usage record, request_bodies, `GET /api/logs/:requestId`). */
export const LoggedBodies = z.object({
  /** the client's request body (uploads: "[multipart, N bytes]") */
  request: z.string(),
  /** the answer body the client received (JSON, or an SSE stream's text); null when none went out */
  response: z.string().nullable(),
  /** either body was cut at the size cap */
  truncated: z.boolean(),
});
export type LoggedBodies = z.infer<typeof LoggedBodies>;

export const UsageRecord = z.object({
  requestId: z.string().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  tokenId: int4().nullable(),
  userId: int4().nullable(),
  group: z.string().nullable(),
  model: z.string(),
  upstreamModel: z.string().nullable(),
  channelId: int4().nullable(),
  protocol: WireProtocolSchema,
  upstreamProtocol: WireProtocolSchema.nullable(),
  stream: z.boolean(),
  status: z.number().int().min(0).max(999),
  promptTokens: int4(),
  completionTokens: int4(),
  cacheReadTokens: int4(),
  cacheWriteTokens: int4(),
  reasoningTokens: int4(),
  /** integer micro-USD (a safe integer), computed by the gateway from the price table it used for the reservation */
  costMicros: z.number().int().min(0),
  latencyMs: int4(),
  ttftMs: int4().nullable(),
  attempts: int4(),
  error: z.string().nullable(),
  /** the request's quota reservation, for reconciliation */
  reservedMicros: z.number().int().min(0).default(0),
  /** the endpoint family the client called (`chat.completions`, `images.generations`…); null in records of older gateways */
  endpoint: z.string().max(64).nullable().default(null),
  /** what the request was billed in besides tokens (SPEC §8), null when nothing */
  units: UnitsSchema.nullable().default(null),
  /**
   * The channel keys (ChannelKey ids) the upstream attempts used, in order, and whether each attempt went through; the
   * last one answered, so the record's tokens are its. Feeds the per-key counters; empty in records of older gateways.
   */
  keyAttempts: z
    .array(z.object({ keyId: int4(), ok: z.boolean() }).strict())
    .max(MAX_KEY_ATTEMPTS)
    .default([]),
  /** the relay plugins that ran (SPEC §8), each with what it did; null when none (and in records of older gateways) */
  plugins: PluginsLogSchema.nullable().default(null),
  /**
   * the request's bodies when its token or group opts in (logBodies): redacted and capped at the gateway, stored apart
   * (request_bodies); null otherwise (and in records of older gateways)
   */
  bodies: LoggedBodies.nullable().default(null),
});
export type UsageRecord = z.infer<typeof UsageRecord>;

/** `usage.recorded.batch.v1`: one JetStream message carrying the records a gateway had ready at once. */
export const UsageRecordBatch = z.object({ records: z.array(UsageRecord).min(1) });
export type UsageRecordBatch = z.infer<typeof UsageRecordBatch>;

/**
 * `usage.recorded.rejected.v1`: a record the gateway built but could not validate. It is not billed or logged as-is: every
 * durable consumer keeps it in its dead letters (with this error) for an operator to look at.
 */
export const UsageRejected = z.object({ record: z.unknown(), error: z.string() });
export type UsageRejected = z.infer<typeof UsageRejected>;

/** A usage record a consumer could not commit, kept in `usage_dead_letters` (`GET /api/usage/dead-letters`). */
export interface UsageDeadLetter {
  /** the durable consumer that gave up on it (`billing-usage`, `log-writer-usage`) */
  consumer: string;
  /** the record as received: a UsageRecord, or whatever could not be read as one */
  record: unknown;
  error: string;
}
