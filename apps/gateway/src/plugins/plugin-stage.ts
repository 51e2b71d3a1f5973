import { processMetrics } from '@switchboard/observability';
import { NO_TRANSFORMS, protocolDescriptor, type AnswerTransform } from '@switchboard/protocols';
import { upstreamProtocolOf } from '@switchboard/providers';
import type { AttemptContext } from '../relay/attempt-context';
import type { RuntimeChannel } from '../state/routing-table.service';
import type { ScopedPlugin } from './plugin-scope';
import { RELAY_PLUGINS } from './plugin.registry';
import { NO_PLUGINS, type ActivePlugin, type AnswerTap, type AttemptShape, type RelayPlugin } from './relay-plugin';

/**
 * The plugins that act on one request (resolved once, after auth, from the routing table's matching plugins): the
 * shared empty array when none does, so a request without plugins allocates nothing and every later step is one
 * length check.
 */
export function activePlugins(
  scoped: readonly ScopedPlugin[],
  registry: Readonly<Partial<Record<string, RelayPlugin>>> = RELAY_PLUGINS,
): readonly ActivePlugin[] {
  if (!scoped.length) return NO_PLUGINS;
  const out: ActivePlugin[] = [];
  for (const s of scoped) {
    const plugin = registry[s.name];
    if (plugin) out.push({ plugin, settings: s.settings, outcome: null, detail: null });
  }
  return out.length ? out : NO_PLUGINS;
}

/** Once per request, after admission and before the failover loop: each plugin may rewrite the request, in order. */
export async function prepareRequest(ctx: AttemptContext): Promise<void> {
  if (!ctx.plugins.length) return;
  for (const p of ctx.plugins) if (p.plugin.prepareRequest) p.outcome = await p.plugin.prepareRequest(ctx, p.settings);
}

/**
 * Once, after admission and before the failover loop: each plugin in order may act on the request, and one may answer
 * it itself (a cache hit); then the later plugins do not run and no upstream is called. Returns whether it was answered.
 * Otherwise the plugins' answer taps are collected (ctx.taps), for the sinks to feed.
 */
export async function beforeRelay(ctx: AttemptContext): Promise<boolean> {
  if (!ctx.plugins.length) return false;
  for (const p of ctx.plugins) {
    if (!p.plugin.beforeRelay) continue;
    const outcome = await p.plugin.beforeRelay(ctx, p.settings);
    p.outcome = outcome === 'answered' ? 'applied' : outcome;
    if (outcome === 'answered') return true;
  }
  let taps: AnswerTap[] | null = null;
  for (const p of ctx.plugins) {
    const tap = p.plugin.answerTap?.(ctx, p.settings);
    if (tap) (taps ??= []).push(tap);
  }
  ctx.taps = taps;
  return false;
}

/** A sink sent this piece of a successful answer's body to the client (called only when ctx.taps is set). */
export function tapWrite(taps: readonly AnswerTap[], chunk: string | Buffer): void {
  for (const t of taps) t.write(chunk);
}

/** The answer went out whole and successful; its usage is in the draft (called only when ctx.taps is set). */
export function tapEnd(taps: readonly AnswerTap[], status: number, contentType: string): void {
  for (const t of taps) t.end(status, contentType);
}

/**
 * Per attempt, before its upstream call is built: each plugin may shape it. Returns whether the upstream is asked for
 * a stream (the client's own choice unless a plugin changes it).
 */
export function shapeAttempt(ctx: AttemptContext, channel: RuntimeChannel): boolean {
  if (!ctx.plugins.length) return ctx.call.stream;
  const upstreamProtocol = upstreamProtocolOf(channel, ctx.call, channel.modelMapping[ctx.model] ?? ctx.model);
  // A channel that cannot serve the call fails in the builder; nothing to shape.
  if (!upstreamProtocol) return ctx.call.stream;
  const shape: AttemptShape = { upstreamProtocol, stream: ctx.call.stream };
  for (const p of ctx.plugins) if (p.plugin.shapeAttempt) p.outcome = p.plugin.shapeAttempt(ctx, shape, p.settings);
  return shape.stream;
}

/**
 * Per attempt, when its answer is about to be relayed: the plugins' changes to it, in plugin order. Only a chat answer
 * (IR codecs on both ends) can be changed; anything else relays as it is.
 */
export function answerTransforms(ctx: AttemptContext): readonly AnswerTransform[] {
  if (!ctx.plugins.length) return NO_TRANSFORMS;
  if (!protocolDescriptor(ctx.call.protocol).codecs || !protocolDescriptor(ctx.upstreamProtocol).codecs) return NO_TRANSFORMS;
  let out: AnswerTransform[] | null = null;
  for (const p of ctx.plugins) {
    const t = p.plugin.answerTransform?.(ctx, p.settings);
    if (!t) continue;
    p.outcome = 'applied';
    (out ??= []).push(t);
  }
  return out ?? NO_TRANSFORMS;
}

/**
 * When the request ends: one count per active plugin, by what it did for the attempt that ended the request (its own
 * word when it gave one), and the usage record's `plugins` map (plugin → that word) for the plugins that ran.
 */
export function settlePlugins(ctx: AttemptContext): void {
  if (!ctx.plugins.length) return;
  const counter = processMetrics().pluginRequests;
  const ok = ctx.draft.status > 0 && ctx.draft.status < 400;
  const logged: Record<string, string> = {};
  for (const p of ctx.plugins) {
    const outcome = p.detail ?? (p.outcome === 'applied' ? (ok ? 'applied' : 'failed') : 'skipped');
    counter.inc({ plugin: p.plugin.name, outcome });
    if (p.outcome !== null || p.detail !== null) logged[p.plugin.name] = outcome;
  }
  if (Object.keys(logged).length) ctx.draft.plugins = logged;
}
