import { startFakeSearch, type FakeSearch } from '@switchboard/testing';
import { SEARCH_ENGINES } from './engine.registry';
import { SearchEngineError, type SearchQuery } from './search-engine';

/** Each engine against a local fake of its API's real request and answer shapes (libs/testing fake-search). */
describe('web-search engines', () => {
  let fake: FakeSearch;
  const q = (over: Partial<SearchQuery> = {}): SearchQuery => ({
    query: 'quantum dots',
    maxResults: 2,
    url: null,
    apiKey: null,
    cx: null,
    signal: AbortSignal.timeout(5_000),
    ...over,
  });

  beforeAll(async () => {
    fake = await startFakeSearch();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('searxng: GET /search?q&format=json, results[].url/title/content', async () => {
    const out = await SEARCH_ENGINES.searxng.search(q({ url: `${fake.url}/` }));
    expect(out).toEqual([
      { url: 'https://example.com/searxng/1', title: 'quantum dots result 1', snippet: 'What searxng page 1 says about quantum dots.' },
      { url: 'https://example.com/searxng/2', title: 'quantum dots result 2', snippet: 'What searxng page 2 says about quantum dots.' },
    ]);
    expect(fake.requests[0]).toMatchObject({ path: '/search', query: { q: 'quantum dots', format: 'json' } });
    await expect(SEARCH_ENGINES.searxng.search(q())).rejects.toThrow('no instance URL');
  });

  it('bing: GET /v7.0/search with Ocp-Apim-Subscription-Key, webPages.value[].name/url/snippet', async () => {
    const out = await SEARCH_ENGINES.bing.search(q({ url: `${fake.url}/v7.0/search`, apiKey: 'bing-key' }));
    expect(out.map((s) => [s.url, s.title])).toEqual([
      ['https://example.com/bing/1', 'quantum dots result 1'],
      ['https://example.com/bing/2', 'quantum dots result 2'],
    ]);
    expect(fake.requests[0].headers['ocp-apim-subscription-key']).toBe('bing-key');
    expect(fake.requests[0].query).toMatchObject({ q: 'quantum dots', count: '2' });
    await expect(SEARCH_ENGINES.bing.search(q({ url: `${fake.url}/v7.0/search` }))).rejects.toThrow('bing: no API key');
  });

  it('google: GET /customsearch/v1?key&cx&q&num (num capped at 10), items[].title/link/snippet; no items = no results', async () => {
    const out = await SEARCH_ENGINES.google.search(q({ url: `${fake.url}/customsearch/v1`, apiKey: 'g-key', cx: 'cx-1', maxResults: 20 }));
    expect(out).toHaveLength(3);
    expect(out[0]).toEqual({ url: 'https://example.com/google/1', title: 'quantum dots result 1', snippet: 'What google page 1 says about quantum dots.' });
    expect(fake.requests[0].query).toMatchObject({ key: 'g-key', cx: 'cx-1', q: 'quantum dots', num: '10' });
    fake.results = 0;
    expect(await SEARCH_ENGINES.google.search(q({ url: `${fake.url}/customsearch/v1`, apiKey: 'g-key', cx: 'cx-1' }))).toEqual([]);
    await expect(SEARCH_ENGINES.google.search(q({ url: `${fake.url}/customsearch/v1`, apiKey: 'g-key' }))).rejects.toThrow('cx');
  });

  it('google: an error status names the engine and status, never the key in the URL', async () => {
    fake.fail = 403;
    const err = await SEARCH_ENGINES.google.search(q({ url: `${fake.url}/customsearch/v1`, apiKey: 'secret-google-key', cx: 'cx-1' })).catch((e: Error) => e);
    expect(err).toBeInstanceOf(SearchEngineError);
    expect((err as Error).message).toBe('google: HTTP 403');
  });

  it('brave: GET /res/v1/web/search with X-Subscription-Token, web.results[].title/url/description (tags stripped)', async () => {
    const out = await SEARCH_ENGINES.brave.search(q({ url: `${fake.url}/res/v1/web/search`, apiKey: 'brave-key', maxResults: 1 }));
    expect(out).toEqual([{ url: 'https://example.com/brave/1', title: 'quantum dots result 1', snippet: 'What brave page 1 says about quantum dots.' }]);
    expect(fake.requests[0].headers['x-subscription-token']).toBe('brave-key');
    expect(fake.requests[0].query).toMatchObject({ q: 'quantum dots', count: '1' });
  });

  it('arxiv: GET /api/query?search_query=all:…, the Atom feed entries as abs pages with title and summary', async () => {
    const out = await SEARCH_ENGINES.arxiv.search(q({ url: `${fake.url}/api/query` }));
    expect(out).toEqual([
      { url: 'http://arxiv.org/abs/2601.00001v1', title: 'quantum dots result 1', snippet: 'What arxiv page 1 says about quantum dots.' },
      { url: 'http://arxiv.org/abs/2601.00002v1', title: 'quantum dots result 2', snippet: 'What arxiv page 2 says about quantum dots.' },
    ]);
    expect(fake.requests[0].query).toMatchObject({ search_query: 'all:quantum dots', max_results: '2' });
  });

  it('a slow engine is cut by its signal', async () => {
    fake.delayMs = 2_000;
    const t0 = Date.now();
    await expect(SEARCH_ENGINES.searxng.search(q({ url: fake.url, signal: AbortSignal.timeout(100) }))).rejects.toThrow(
      'searxng: the request timed out or was cancelled',
    );
    expect(Date.now() - t0).toBeLessThan(1_500);
  });
});
