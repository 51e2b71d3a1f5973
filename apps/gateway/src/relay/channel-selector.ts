import type { RuntimeChannel, RuntimeKey } from '../state/routing-table.service';

export interface Pick {
  channel: RuntimeChannel;
  key: RuntimeKey;
}

/**
 * SPEC §6 selection: the highest priority tier that still has an untried channel, weighted random inside it
 * (weight × health factor), never a channel already tried in this request. Pure: the caller owns the state.
 */
export function pickChannel(
  candidates: readonly RuntimeChannel[],
  excluded: ReadonlySet<number>,
  health: (channelId: number) => number = () => 1,
  rand: () => number = Math.random,
): RuntimeChannel | undefined {
  const open = candidates.filter((c) => !excluded.has(c.id));
  if (!open.length) return undefined;
  const top = Math.max(...open.map((c) => c.priority));
  const tier = open.filter((c) => c.priority === top);
  const weights = tier.map((c) => Math.max(0, c.weight) * Math.max(0, Math.min(1, health(c.id))));
  const total = weights.reduce((a, b) => a + b, 0);
  // All weights zero (e.g. weight 0 channels as cold standby): fall back to uniform.
  if (total <= 0) return tier[Math.floor(rand() * tier.length)];
  let r = rand() * total;
  for (let i = 0; i < tier.length; i++) {
    r -= weights[i];
    if (r < 0) return tier[i];
  }
  return tier[tier.length - 1];
}

const roundRobin = new Map<number, number>();

/** A key past this share of its provider-reported allowance is used only when no key further from its limit is left. */
export const NEAR_LIMIT_RATIO = 0.9;

/** Used up (allowance ratio ≥ 1) and not reset yet: the upstream would refuse it, so it is not tried. */
export function keyExhausted(k: RuntimeKey, now: number): boolean {
  return !!k.allowance && k.allowance.ratio >= 1 && (k.allowance.resetAt === null || now < k.allowance.resetAt);
}

/**
 * The key for the next attempt: never one excluded in this request or used up until its reset; keys far from their
 * allowance first (in the channel's key mode), then the near-limit ones, least used first.
 */
export function pickKey(
  channel: RuntimeChannel,
  excludedKeys: ReadonlySet<string>,
  rand: () => number = Math.random,
  now: number = Date.now(),
): RuntimeKey | undefined {
  const open = channel.keys.filter((k) => !excludedKeys.has(`${channel.id}:${k.index}`) && !keyExhausted(k, now));
  if (!open.length) return undefined;
  // most pools report no allowance: no second pass over them
  const keys = open.some((k) => k.allowance) ? open.filter((k) => (k.allowance?.ratio ?? 0) < NEAR_LIMIT_RATIO) : open;
  if (!keys.length) return open.reduce((best, k) => (k.allowance!.ratio < best.allowance!.ratio ? k : best));
  if (channel.keyMode === 'round_robin') {
    const next = roundRobin.get(channel.id) ?? 0;
    roundRobin.set(channel.id, next + 1);
    return keys[next % keys.length];
  }
  return keys[Math.floor(rand() * keys.length)];
}

/** Weighted pick of an alias target. */
export function pickAliasTarget(targets: readonly { model: string; weight: number }[], rand: () => number = Math.random): string | undefined {
  const total = targets.reduce((a, t) => a + Math.max(0, t.weight), 0);
  if (!targets.length) return undefined;
  if (total <= 0) return targets[0].model;
  let r = rand() * total;
  for (const t of targets) {
    r -= Math.max(0, t.weight);
    if (r < 0) return t.model;
  }
  return targets[targets.length - 1].model;
}
