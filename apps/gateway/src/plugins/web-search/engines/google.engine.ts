import { engineGet, requireKey, SearchEngineError, sources, str, type SearchEngine } from './search-engine';

const GOOGLE = 'https://www.googleapis.com/customsearch/v1';

/** Google Programmable Search (Custom Search JSON API): `GET /customsearch/v1?key=…&cx=…&q=…&num=…` (num ≤ 10); `items`. */
export const googleEngine: SearchEngine = {
  name: 'google',
  async search({ query, maxResults, url, apiKey, cx, signal }) {
    const key = requireKey('google', apiKey);
    if (!cx) throw new SearchEngineError('google: no search engine id (cx) is configured');
    const u = new URL(url ?? GOOGLE);
    u.searchParams.set('key', key);
    u.searchParams.set('cx', cx);
    u.searchParams.set('q', query);
    u.searchParams.set('num', String(Math.min(maxResults, 10)));
    // The key travels in the query string: errors name the engine and status only, never the URL.
    const body = (await engineGet('google', u, { accept: 'application/json' }, signal, 'json')) as { items?: unknown };
    const items = body.items ?? []; // no `items` at all: no results
    if (!Array.isArray(items)) throw new SearchEngineError('google: items is not a list');
    return sources(
      items.map((r) => ({ url: str(r, 'link'), title: str(r, 'title'), snippet: str(r, 'snippet') })),
      maxResults,
    );
  },
};
