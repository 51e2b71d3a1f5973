import { processMetrics } from '@switchboard/observability';
import { NO_TRANSFORMS, protocolDescriptor, type AnswerTransform } from '@switchboard/protocols';
import { upstreamProtocolOf } from '@switchboard/providers';
import type { AttemptContext } from '../relay/attempt-context';
import type { RuntimeChannel } from '../state/routing-table.service';
import type { ScopedPlugin } from './plugin-scope';
import { RELAY_PLUGINS } from './plugin.registry';
import { NO_PLUGINS, type ActivePlugin, type AttemptShape, type RelayPlugin } from './relay-plugin';

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
    if (plugin) out.push({ plugin, settings: s.settings, outcome: null });
  }
  return out.length ? out : NO_PLUGINS;
}

/** Once per request, after admission and before the failover loop: each plugin may rewrite the request, in order. */
export async function prepareRequest(ctx: AttemptContext): Promise<void> {
  if (!ctx.plugins.length) return;
  for (const p of ctx.plugins) if (p.plugin.prepareRequest) p.outcome = await p.plugin.prepareRequest(ctx, p.settings);
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

/** When the request ends: one count per active plugin, by what it did for the attempt that ended the request. */
export function settlePlugins(ctx: AttemptContext): void {
  if (!ctx.plugins.length) return;
  const counter = processMetrics().pluginRequests;
  const ok = ctx.draft.status > 0 && ctx.draft.status < 400;
  for (const p of ctx.plugins) {
    const outcome = p.outcome === 'applied' ? (ok ? 'applied' : 'failed') : 'skipped';
    counter.inc({ plugin: p.plugin.name, outcome });
  }
}
