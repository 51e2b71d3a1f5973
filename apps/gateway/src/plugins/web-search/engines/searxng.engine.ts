import { engineGet, SearchEngineError, sources, str, type SearchEngine } from './search-engine';

/** SearXNG's JSON API: `GET {instance}/search?q=…&format=json` (the instance must allow the json format). */
export const searxngEngine: SearchEngine = {
  name: 'searxng',
  async search({ query, maxResults, url, signal }) {
    if (!url) throw new SearchEngineError('searxng: no instance URL is configured');
    const u = new URL('search', url.endsWith('/') ? url : `${url}/`);
    u.searchParams.set('q', query);
    u.searchParams.set('format', 'json');
    const body = await engineGet('searxng', u, { accept: 'application/json' }, signal, 'json');
    const results = (body as { results?: unknown }).results;
    if (!Array.isArray(results)) throw new SearchEngineError('searxng: the answer has no results list');
    return sources(
      results.map((r) => ({ url: str(r, 'url'), title: str(r, 'title'), snippet: str(r, 'content') })),
      maxResults,
    );
  },
};
