import type { PluginName } from '@switchboard/contracts';
import { cachePlugin } from './cache/cache.plugin';
import type { RelayPlugin } from './relay-plugin';
import { streamFakePlugin } from './stream-fake/stream-fake.plugin';
import { thinkSplitPlugin } from './think-split/think-split.plugin';
import { webSearchPlugin } from './web-search/web-search.plugin';

/**
 * The plugins the relay runs, by name: one line each. A configured plugin without an entry here is not run (its
 * configuration is kept for when it lands).
 */
export const RELAY_PLUGINS: Readonly<Partial<Record<PluginName, RelayPlugin>>> = {
  cache: cachePlugin,
  'web-search': webSearchPlugin,
  'stream-fake': streamFakePlugin,
  'think-split': thinkSplitPlugin,
};
