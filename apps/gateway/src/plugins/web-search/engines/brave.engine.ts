import { engineGet, requireKey, SearchEngineError, sources, str, type SearchEngine } from './search-engine';

const BRAVE = 'https://api.search.brave.com/res/v1/web/search';

/** Brave Search API: `GET /res/v1/web/search?q=…&count=…` (count ≤ 20) with `X-Subscription-Token`; `web.results`. */
export const braveEngine: SearchEngine = {
  name: 'brave',
  async search({ query, maxResults, url, apiKey, signal }) {
    const key = requireKey('brave', apiKey);
    const u = new URL(url ?? BRAVE);
    u.searchParams.set('q', query);
    u.searchParams.set('count', String(Math.min(maxResults, 20)));
    const body = (await engineGet('brave', u, { 'x-subscription-token': key, accept: 'application/json' }, signal, 'json')) as {
      web?: { results?: unknown };
    };
    const results = body.web?.results ?? [];
    if (!Array.isArray(results)) throw new SearchEngineError('brave: web.results is not a list');
    return sources(
      results.map((r) => ({ url: str(r, 'url'), title: str(r, 'title'), snippet: stripTags(str(r, 'description')) })),
      maxResults,
    );
  },
};

/** Brave marks the query's words in descriptions with <strong>. */
function stripTags(s: string): string {
  return s.replace(/<\/?[a-z][^>]*>/gi, '');
}
