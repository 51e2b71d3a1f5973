import type { UsageRecord } from '@switchboard/contracts';

/** A valid usage record for the queue specs (what the gateway publishes for a 1+1-token request). */
export const usageRecord = (id: string): UsageRecord => ({
  requestId: id,
  createdAt: new Date().toISOString(),
  tokenId: 1,
  userId: 1,
  group: 'default',
  model: 'm',
  upstreamModel: 'm',
  channelId: 1,
  protocol: 'openai-chat',
  upstreamProtocol: 'openai-chat',
  stream: false,
  status: 200,
  promptTokens: 1,
  completionTokens: 1,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costMicros: 5,
  latencyMs: 1,
  ttftMs: null,
  attempts: 1,
  error: null,
  reservedMicros: 0,
});
