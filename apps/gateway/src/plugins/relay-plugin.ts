import type { PluginName } from '@switchboard/contracts';
import type { AnswerTransform, WireProtocol } from '@switchboard/protocols';
import type { AttemptContext } from '../relay/attempt-context';

/** What a plugin did for one request: acted on it, or was in scope but left it alone (a streaming client…). */
export type PluginOutcome = 'applied' | 'skipped';

/** What `beforeRelay` did: as the other hooks, or `answered`: the plugin sent the client its answer (no upstream call). */
export type BeforeRelayOutcome = PluginOutcome | 'answered';

/**
 * An observer of the answer a client receives, fed by the sinks: `write` each piece of the body as it goes out (a JSON
 * body once, an SSE stream's text piece by piece), `end` once the answer went out whole and successful (the request's
 * usage is in the draft by then). An answer that failed, was cut short or lost its client never sees `end`.
 */
export interface AnswerTap {
  write(chunk: string | Buffer): void;
  end(status: number, contentType: string): void;
}

/** What a plugin may change about one upstream attempt before its request is built. */
export interface AttemptShape {
  /** the protocol this attempt's channel speaks upstream (the provider's choice) */
  readonly upstreamProtocol: WireProtocol;
  /** ask the upstream for a stream; for a non-stream client the JSON sink aggregates it into one answer */
  stream: boolean;
}

/**
 * A relay plugin (SPEC §8): hooks at fixed points of the relay, each optional, run in PLUGIN_NAMES order. The set
 * grows with the plugins that need it, one hook per point:
 * - `beforeRelay` (cache): once, after admission and before the failover loop; may answer the client itself (a hit),
 *   and then nothing below runs.
 * - `prepareRequest` (web-search): once per request, before the failover loop; may replace `ctx.call` (its body
 *   rewritten) for every attempt.
 * - `shapeAttempt` (stream-fake): per attempt, before the upstream call is built.
 * - `answerTransform` (think-split, web-search's citations): per attempt whose answer is chat on both ends, a change
 *   to the answer over the IR; a same-protocol answer is then decoded and encoded again instead of passed through.
 * - `answerTap` (cache): once, before the failover loop; an observer of the bytes the client receives.
 */
export interface RelayPlugin {
  readonly name: PluginName;
  beforeRelay?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): Promise<BeforeRelayOutcome> | BeforeRelayOutcome;
  prepareRequest?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): Promise<PluginOutcome>;
  shapeAttempt?(ctx: AttemptContext, shape: AttemptShape, settings: Readonly<Record<string, unknown>>): PluginOutcome;
  /** null: nothing to change for this attempt (the plugin then records its own outcome as it sees fit). */
  answerTransform?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): AnswerTransform | null;
  answerTap?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): AnswerTap | undefined;
}

/** A plugin acting on one request: its code, its settings, and what it last did (null: no attempt reached it). */
export interface ActivePlugin {
  readonly plugin: RelayPlugin;
  readonly settings: Readonly<Record<string, unknown>>;
  outcome: PluginOutcome | null;
  /**
   * What the plugin did in its own words (cache: hit, miss, bypass), null: its outcome says it. One word of a small
   * fixed set: it is the request log's `plugins` entry and the metric's outcome label.
   */
  detail: string | null;
}

/** The active plugins of a request that has none: shared, so such a request allocates nothing for plugins. */
export const NO_PLUGINS: readonly ActivePlugin[] = Object.freeze([]);

/** A plugin notes what it did for this request in its own word (relay-plugin's ActivePlugin.detail). */
export function noteDetail(ctx: Pick<AttemptContext, 'plugins'>, plugin: RelayPlugin, detail: string): void {
  for (const p of ctx.plugins) if (p.plugin === plugin) p.detail = detail;
}
