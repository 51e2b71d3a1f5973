import { engineGet, requireKey, SearchEngineError, sources, str, type SearchEngine } from './search-engine';

const BING = 'https://api.bing.microsoft.com/v7.0/search';

/** Bing Web Search v7: `GET /v7.0/search?q=…&count=…` with `Ocp-Apim-Subscription-Key`; results in `webPages.value`. */
export const bingEngine: SearchEngine = {
  name: 'bing',
  async search({ query, maxResults, url, apiKey, signal }) {
    const key = requireKey('bing', apiKey);
    const u = new URL(url ?? BING);
    u.searchParams.set('q', query);
    u.searchParams.set('count', String(Math.min(maxResults, 50)));
    u.searchParams.set('responseFilter', 'Webpages');
    const body = (await engineGet('bing', u, { 'ocp-apim-subscription-key': key, accept: 'application/json' }, signal, 'json')) as {
      webPages?: { value?: unknown };
    };
    const value = body.webPages?.value ?? [];
    if (!Array.isArray(value)) throw new SearchEngineError('bing: webPages.value is not a list');
    return sources(
      value.map((r) => ({ url: str(r, 'url'), title: str(r, 'name'), snippet: str(r, 'snippet') })),
      maxResults,
    );
  },
};
