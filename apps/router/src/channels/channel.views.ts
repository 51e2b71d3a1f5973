import type { SecretBox } from '@switchboard/common';
import type { Channel, ChannelBalance, ChannelKey } from '@switchboard/db';
import type { Ban, WindowStats } from '@switchboard/health';
import { maskChannelKey } from './channel-key.mask';
import { maskChannelSecrets, readChannelSecrets } from './channel-secrets';

export type ChannelWithKeys = Channel & { keys: ChannelKey[]; balance?: ChannelBalance | null };

/**
 * The balance stored for the channel as admin reads show it (null: never read); kept out of channelView, so audit
 * snapshots of channel changes do not carry a value the router updates on its own.
 */
export function storedBalance(c: ChannelWithKeys) {
  const b = c.balance;
  if (!b || b.balance === null || !b.currency || !b.updatedAt) return b?.error ? { balance: null, currency: null, updatedAt: null, error: b.error } : null;
  return { balance: b.balance, currency: b.currency, updatedAt: b.updatedAt.toISOString(), error: b.error };
}

/** The endpoint families a channel declared, or null for its type's defaults (rows from before the column: NULL). */
export function declaredEndpoints(c: Pick<Channel, 'endpoints'>): string[] | null {
  return c.endpoints?.length ? c.endpoints : null;
}

/** A channel's type settings as an object (`{}` for none or a malformed row). */
export function channelConfig(c: Pick<Channel, 'config'>): Record<string, unknown> {
  return c.config && typeof c.config === 'object' && !Array.isArray(c.config) ? c.config : {};
}

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

function maskedKey(k: ChannelKey, box: SecretBox): string {
  try {
    return maskChannelKey(box.decrypt(k.keyCiphertext));
  } catch {
    return `****${k.keyHint}`;
  }
}

export type ChannelKeyStatus = 'ok' | 'banned' | 'exhausted' | 'auth_failed';

/** The allowance is used up and its reset (if the provider named one) has not come yet. */
export function allowanceExhausted(k: ChannelKey, now = Date.now()): boolean {
  if (k.allowanceUsed === null || k.allowanceLimit === null || !(k.allowanceLimit > 0)) return false;
  return k.allowanceUsed >= k.allowanceLimit && (!k.allowanceResetAt || k.allowanceResetAt.getTime() > now);
}

/**
 * A key's state for admins, from what routing already knows: a key ban in force (the relay's `auth` ban after a 401/403,
 * or 402 when the account ran dry; an error-rate ban otherwise), a key the router disabled itself, or an allowance the
 * provider reports used up (routing skips it until its reset).
 */
export function keyState(k: ChannelKey, bans: Ban[], now = Date.now()): { status: ChannelKeyStatus; lastError: string | null } {
  const ban = bans.find((b) => b.channelId === k.channelId && b.keyIndex === k.position);
  if (ban) {
    const detail = ban.detail ?? ban.reason;
    if (ban.reason !== 'auth') return { status: 'banned', lastError: detail };
    return { status: /\b402\b/.test(ban.detail ?? '') ? 'exhausted' : 'auth_failed', lastError: detail };
  }
  if (k.status === 'auto_disabled') return { status: 'auth_failed', lastError: k.disabledReason };
  if (allowanceExhausted(k, now)) {
    const until = k.allowanceResetAt ? ` until ${k.allowanceResetAt.toISOString()}` : '';
    return { status: 'exhausted', lastError: `allowance used up (${k.allowanceUsed} of ${k.allowanceLimit})${until}` };
  }
  return { status: 'ok', lastError: k.disabledReason ?? (k.allowanceError ? `allowance: ${k.allowanceError}` : null) };
}

/** What the gateway counted for the key: upstream attempts, failed ones, the tokens of the answers it served, last use. */
function keyCounters(k: ChannelKey) {
  return {
    requests: Number(k.requests),
    errors: Number(k.errors),
    inputTokens: Number(k.inputTokens),
    outputTokens: Number(k.outputTokens),
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

/** One key of the pool as `GET /api/channels/:id/keys` answers it: never the key, only its mask. */
export function channelKeyView(k: ChannelKey, box: SecretBox, bans: Ban[] = []) {
  return {
    id: k.id,
    label: k.label,
    masked: maskedKey(k, box),
    enabled: k.status === 'enabled',
    ...keyState(k, bans),
    counters: keyCounters(k),
    ...(k.allowanceUsed !== null ? { usage: { used: k.allowanceUsed, limit: k.allowanceLimit, resetAt: k.allowanceResetAt?.toISOString() ?? null } } : {}),
  };
}

export function channelView(c: ChannelWithKeys, box: SecretBox, health: ChannelHealth = { bans: [], window: { requests: 0, errors: 0 } }) {
  const keys = [...c.keys].sort((a, b) => a.position - b.position);
  const { headers, paramOverride } = maskedSecrets(c, box);
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    baseUrl: c.baseUrl,
    keys: keys.map((k) => maskedKey(k, box)),
    keyStatus: keys.map((k) => ({ index: k.position, id: k.id, label: k.label, status: k.status, reason: k.disabledReason })),
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
    endpoints: declaredEndpoints(c),
    config: channelConfig(c),
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
