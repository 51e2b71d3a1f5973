import { maskSecret, type SecretBox } from '@switchboard/common';
import type { Channel, ChannelKey } from '@switchboard/db';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** Admin JSON for a channel: keys masked (write-only secrets), plus the read-only health fields. */
export function channelView(c: ChannelWithKeys, box: SecretBox) {
  const keys = [...c.keys].sort((a, b) => a.position - b.position);
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    baseUrl: c.baseUrl,
    keys: keys.map((k) => {
      try {
        return maskSecret(box.decrypt(k.keyCiphertext));
      } catch {
        return `****${k.keyHint}`;
      }
    }),
    keyStatus: keys.map((k) => ({ index: k.position, status: k.status, reason: k.disabledReason })),
    keyMode: c.keyMode,
    models: c.models,
    modelMapping: c.modelMapping,
    groups: c.groups,
    priority: c.priority,
    weight: c.weight,
    enabled: c.enabled,
    autoBan: c.autoBan,
    headers: c.headers,
    paramOverride: c.paramOverride,
    statusCodeMapping: c.statusCodeMapping,
    testModel: c.testModel,
    tag: c.tag,
    timeouts: c.timeouts,
    status: c.enabled ? 'enabled' : 'disabled',
    bans: [] as { model: string; key?: number; until: string }[],
    responseTimeMs: c.responseTimeMs,
    lastCheckedAt: c.lastCheckedAt?.toISOString() ?? null,
    errorRate: 0,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
