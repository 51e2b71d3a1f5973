import { PLUGIN_NAMES, type PluginName, type RoutedPlugin } from '@switchboard/contracts';
import { globToRegExp } from '../state/model-pattern';

/** An enabled plugin as the gateway matches it: its scope compiled once per routing table. */
export interface ScopedPlugin {
  name: PluginName;
  settings: Readonly<Record<string, unknown>>;
  models: RegExp[] | null;
  groups: ReadonlySet<string> | null;
  tokens: ReadonlySet<number> | null;
}

/** The request fields a plugin's scope is matched against. */
export interface PluginSubject {
  model: string;
  group: string;
  tokenId: number | null;
}

const NONE: readonly ScopedPlugin[] = Object.freeze([]);
const ORDER = new Map<string, number>(PLUGIN_NAMES.map((n, i) => [n, i]));

/** The routing table's enabled plugins in the relay's fixed order (PLUGIN_NAMES), scopes compiled. */
export function scopePlugins(plugins: readonly RoutedPlugin[]): readonly ScopedPlugin[] {
  if (!plugins.length) return NONE;
  return [...plugins]
    .sort((a, b) => (ORDER.get(a.name) ?? 0) - (ORDER.get(b.name) ?? 0))
    .map((p) => ({
      name: p.name,
      settings: p.settings,
      models: p.models && p.models.map(globToRegExp),
      groups: p.groups && new Set(p.groups),
      tokens: p.tokens && new Set(p.tokens),
    }));
}

/**
 * The plugins that apply to a request, in order: every list a plugin sets must match (an unset one matches all). With
 * no plugin enabled this is one length check: the relay's hot path pays nothing for plugins it does not use.
 */
export function pluginsFor(plugins: readonly ScopedPlugin[], s: PluginSubject): readonly ScopedPlugin[] {
  if (!plugins.length) return NONE;
  const out = plugins.filter(
    (p) =>
      (!p.models || p.models.some((m) => m.test(s.model))) &&
      (!p.groups || p.groups.has(s.group)) &&
      (!p.tokens || (s.tokenId !== null && p.tokens.has(s.tokenId))),
  );
  return out.length ? out : NONE;
}
