import type { UsageRecord } from '@switchboard/contracts';
import type { BillingSettings } from '../../../apps/billing/src/config/billing.settings';

/** Billing settings for tests: the periodic reconciliations effectively off (tests call them). */
export const TEST_BILLING_SETTINGS: BillingSettings = {
  lowBalanceThresholdMicros: 1_000_000n,
  reconcileIntervalMs: 600_000,
  quotaReconcileIntervalMs: 600_000,
  quotaReconcileAfterCharges: 0,
};

/** A served request's usage record as the gateway publishes it. */
export function usageRecord(requestId: string, userId: number, tokenId: number, costMicros: number): UsageRecord {
  return {
    requestId,
    createdAt: new Date().toISOString(),
    tokenId,
    userId,
    group: 'default',
    model: 'm',
    upstreamModel: 'm',
    channelId: 1,
    protocol: 'openai-chat',
    upstreamProtocol: 'openai-chat',
    stream: false,
    status: 200,
    promptTokens: 10,
    completionTokens: 5,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costMicros,
    latencyMs: 12,
    ttftMs: null,
    attempts: 1,
    error: null,
    reservedMicros: 0,
    endpoint: 'chat.completions',
    units: null,
    keyAttempts: [],
    plugins: null,
    bodies: null,
  };
}
