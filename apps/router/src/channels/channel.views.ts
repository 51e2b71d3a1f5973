import { maskSecret, type SecretBox } from '@switchboard/common';
import type { Channel, ChannelKey } from '@switchboard/db';
import type { Ban, WindowStats } from '@switchboard/health';
import { maskChannelSecrets, readChannelSecrets } from './channel-secrets';

export type ChannelWithKeys = Channel & { keys: ChannelKey[] };

/** Admin JSON for a channel: keys, header and override values masked (write-only secrets), plus the read-only health fields. */
export interface ChannelHealth {
  bans: Ban[];
  window: WindowStats;
}

function maskedSecrets(c: ChannelWithKeys, box: SecretBox) {
  try {
    return maskChannelSecrets(readChannelSecrets(c, box));
  } catch {
    // another SECRET_KEY: nothing to show, like a key that cannot be decrypted
    return { headers: {}, paramOverride: {} };
  }
}

/** Banned as a whole: every key banned, or every literal model banned. */
function wholeChannelBanned(c: ChannelWithKeys, bans: Ban[]): boolean {
  if (!bans.length) return false;
  const enabledKeys = c.keys.filter((k) => k.status === 'enabled');
  if (enabledKeys.length && enabledKeys.every((k) => bans.some((b) => b.keyIndex === k.position))) return true;
  const literal = c.models.filter((m) => !m.includes('*'));
  return literal.length > 0 && literal.every((m) => bans.some((b) => b.model === m));
}

export function channelView(c: ChannelWithKeys, box: SecretBox, health: ChannelHealth = { bans: [], window: { requests: 0, errors: 0 } }) {
  const keys = [...c.keys].sort((a, b) => a.position - b.position);
  const { headers, paramOverride } = maskedSecrets(c, box);
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
    headers,
    paramOverride,
    statusCodeMapping: c.statusCodeMapping,
    testModel: c.testModel,
    tag: c.tag,
    timeouts: c.timeouts,
    status: !c.enabled ? 'disabled' : wholeChannelBanned(c, health.bans) ? 'banned' : 'enabled',
    bans: health.bans.map((b) => ({
      ...(b.model !== undefined ? { model: b.model } : {}),
      ...(b.keyIndex !== undefined ? { key: b.keyIndex } : {}),
      reason: b.reason,
      until: new Date(b.until).toISOString(),
    })),
    responseTimeMs: c.responseTimeMs,
    lastCheckedAt: c.lastCheckedAt?.toISOString() ?? null,
    errorRate: health.window.requests ? health.window.errors / health.window.requests : 0,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
  };
}
