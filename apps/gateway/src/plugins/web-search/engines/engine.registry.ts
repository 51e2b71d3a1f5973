import type { PLUGIN_SETTINGS } from '@switchboard/contracts';
import { arxivEngine } from './arxiv.engine';
import { bingEngine } from './bing.engine';
import { braveEngine } from './brave.engine';
import { googleEngine } from './google.engine';
import type { SearchEngine } from './search-engine';
import { searxngEngine } from './searxng.engine';

type EngineName = (typeof PLUGIN_SETTINGS)['web-search']['shape']['engine']['options'][number];

/** The engines web-search can query, by the `engine` setting: one line each. */
export const SEARCH_ENGINES: Readonly<Record<EngineName, SearchEngine>> = {
  searxng: searxngEngine,
  bing: bingEngine,
  google: googleEngine,
  brave: braveEngine,
  arxiv: arxivEngine,
};
