import type { PluginName } from '@switchboard/contracts';
import type { AnswerTransform, WireProtocol } from '@switchboard/protocols';
import type { AttemptContext } from '../relay/attempt-context';

/** What a plugin did for one request: acted on it, or was in scope but left it alone (a streaming client…). */
export type PluginOutcome = 'applied' | 'skipped';

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
 * - `prepareRequest` (web-search): once per request, after admission and before the failover loop; may replace
 *   `ctx.call` (its body rewritten) for every attempt.
 * - `shapeAttempt` (stream-fake): per attempt, before the upstream call is built.
 * - `answerTransform` (think-split, web-search's citations): per attempt whose answer is chat on both ends, a change
 *   to the answer over the IR; a same-protocol answer is then decoded and encoded again instead of passed through.
 */
export interface RelayPlugin {
  readonly name: PluginName;
  prepareRequest?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): Promise<PluginOutcome>;
  shapeAttempt?(ctx: AttemptContext, shape: AttemptShape, settings: Readonly<Record<string, unknown>>): PluginOutcome;
  /** null: nothing to change for this attempt (the plugin then records its own outcome as it sees fit). */
  answerTransform?(ctx: AttemptContext, settings: Readonly<Record<string, unknown>>): AnswerTransform | null;
}

/** A plugin acting on one request: its code, its settings, and what it last did (null: no attempt reached it). */
export interface ActivePlugin {
  readonly plugin: RelayPlugin;
  readonly settings: Readonly<Record<string, unknown>>;
  outcome: PluginOutcome | null;
}

/** The active plugins of a request that has none: shared, so such a request allocates nothing for plugins. */
export const NO_PLUGINS: readonly ActivePlugin[] = Object.freeze([]);
