import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake of the web search APIs the gateway's web-search plugin queries, each at its real path with its real answer
 * shape, on one port:
 * - SearXNG `GET /search?q=…&format=json` → `{ query, number_of_results, results: [{ url, title, content, engine, … }] }`
 *   (403 without `format=json`, as an instance whose settings do not allow it)
 * - Bing Web Search v7 `GET /v7.0/search?q=…&count=…`, key in `Ocp-Apim-Subscription-Key` → `{ _type: "SearchResponse",
 *   webPages: { value: [{ id, name, url, snippet, … }] } }`; 401 with Bing's error body without a key
 * - Google Custom Search `GET /customsearch/v1?key=…&cx=…&q=…&num=…` → `{ kind: "customsearch#search", items: [{ title,
 *   link, snippet, … }] }`; 400 with Google's error body without key or cx, 400 for num > 10
 * - Brave `GET /res/v1/web/search?q=…&count=…`, key in `X-Subscription-Token` → `{ type: "search", web: { type: "search",
 *   results: [{ title, url, description, … }] } }` (descriptions mark the query with <strong>); 422 without a key
 * - arXiv `GET /api/query?search_query=…&max_results=…` → an Atom feed of `entry` elements
 * Each engine finds `results` pages (default 3) for any query: `https://example.com/{engine}/{n}` titled
 * `{query} result {n}`. `fail` makes every call answer that status instead; `delayMs` holds every answer.
 */
export interface FakeSearch {
  url: string;
  requests: FakeSearchRequest[];
  /** every call answers this status (null: normal answers) */
  fail: number | null;
  delayMs: number;
  results: number;
  reset(): void;
  close(): Promise<void>;
}

export interface FakeSearchRequest {
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
}

export async function startFakeSearch(port = 0): Promise<FakeSearch> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const fake: FakeSearch = {
    url: '',
    requests: [],
    fail: null,
    delayMs: 0,
    results: 3,
    reset() {
      fake.requests.length = 0;
      fake.fail = null;
      fake.delayMs = 0;
      fake.results = 3;
    },
    close: () =>
      new Promise((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(u.searchParams);
    fake.requests.push({ path: u.pathname, query, headers: req.headers });
    const answer = (): void => handle(fake, u.pathname, query, req, res);
    if (fake.delayMs > 0) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, fake.delayMs);
      timers.add(t);
    } else answer();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function pages(fake: FakeSearch, engine: string, q: string, max: number): { url: string; title: string; snippet: string }[] {
  return Array.from({ length: Math.min(fake.results, max) }, (_, i) => ({
    url: `https://example.com/${engine}/${i + 1}`,
    title: `${q} result ${i + 1}`,
    snippet: `What ${engine} page ${i + 1} says about ${q}.`,
  }));
}

function handle(fake: FakeSearch, path: string, q: Record<string, string>, req: IncomingMessage, res: ServerResponse): void {
  if (fake.fail !== null) return json(res, fake.fail, { error: 'fake search failure' });
  switch (path) {
    case '/search': {
      if (q.format !== 'json') return void res.writeHead(403, { 'content-type': 'text/html' }).end('<h1>403 Forbidden</h1>');
      const results = pages(fake, 'searxng', q.q ?? '', 100).map((p, i) => ({
        url: p.url,
        title: p.title,
        content: p.snippet,
        engine: 'duckduckgo',
        engines: ['duckduckgo'],
        positions: [i + 1],
        score: 1 / (i + 1),
        category: 'general',
        parsed_url: ['https', 'example.com', new URL(p.url).pathname, '', '', ''],
      }));
      return json(res, 200, {
        query: q.q,
        number_of_results: results.length,
        results,
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [],
      });
    }
    case '/v7.0/search': {
      if (!req.headers['ocp-apim-subscription-key'])
        return json(res, 401, { error: { code: '401', message: 'Access denied due to missing subscription key.' } });
      const value = pages(fake, 'bing', q.q ?? '', Number(q.count ?? 10)).map((p, i) => ({
        id: `https://api.bing.microsoft.com/api/v7/#WebPages.${i}`,
        name: p.title,
        url: p.url,
        displayUrl: p.url.replace('https://', ''),
        snippet: p.snippet,
        dateLastCrawled: '2026-01-01T00:00:00.0000000Z',
        language: 'en',
        isNavigational: false,
      }));
      return json(res, 200, {
        _type: 'SearchResponse',
        queryContext: { originalQuery: q.q },
        webPages: { webSearchUrl: `https://www.bing.com/search?q=${encodeURIComponent(q.q ?? '')}`, totalEstimatedMatches: 1000, value },
        rankingResponse: { mainline: { items: value.map((_, i) => ({ answerType: 'WebPages', resultIndex: i })) } },
      });
    }
    case '/customsearch/v1': {
      if (!q.key || !q.cx) return json(res, 400, { error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } });
      if (Number(q.num ?? 10) > 10) return json(res, 400, { error: { code: 400, message: 'Invalid value', status: 'INVALID_ARGUMENT' } });
      const items = pages(fake, 'google', q.q ?? '', Number(q.num ?? 10)).map((p) => ({
        kind: 'customsearch#result',
        title: p.title,
        htmlTitle: p.title,
        link: p.url,
        displayLink: 'example.com',
        snippet: p.snippet,
        htmlSnippet: p.snippet,
        formattedUrl: p.url,
      }));
      const body: Record<string, unknown> = {
        kind: 'customsearch#search',
        queries: { request: [{ title: 'Google Custom Search', searchTerms: q.q, count: items.length, startIndex: 1, cx: q.cx }] },
        searchInformation: { totalResults: String(items.length) },
      };
      // Google leaves `items` out when nothing matched.
      if (items.length) body.items = items;
      return json(res, 200, body);
    }
    case '/res/v1/web/search': {
      if (!req.headers['x-subscription-token'])
        return json(res, 422, {
          type: 'ErrorResponse',
          error: { status: 422, code: 'SUBSCRIPTION_TOKEN_INVALID', detail: 'The provided subscription token is invalid.' },
        });
      const results = pages(fake, 'brave', q.q ?? '', Number(q.count ?? 20)).map((p) => ({
        type: 'search_result',
        title: p.title,
        url: p.url,
        description: p.snippet.replace(q.q ?? '', `<strong>${q.q}</strong>`),
        is_source_local: false,
        language: 'en',
        profile: { name: 'Example', url: p.url },
      }));
      return json(res, 200, { type: 'search', query: { original: q.q }, mixed: { type: 'mixed', main: [] }, web: { type: 'search', results } });
    }
    case '/api/query': {
      const terms = (q.search_query ?? '').replace(/^all:/, '');
      const entries = pages(fake, 'arxiv', terms, Number(q.max_results ?? 10)).map(
        (p, i) => `  <entry>
    <id>http://arxiv.org/abs/2601.0000${i + 1}v1</id>
    <updated>2026-01-01T00:00:00Z</updated>
    <published>2026-01-01T00:00:00Z</published>
    <title>${escapeXml(p.title)}</title>
    <summary>  ${escapeXml(p.snippet)}
</summary>
    <author><name>A. Author</name></author>
    <link href="http://arxiv.org/abs/2601.0000${i + 1}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2601.0000${i + 1}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
  </entry>`,
      );
      res.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' }).end(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=${escapeXml(q.search_query ?? '')}</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2026-01-01T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${entries.length}</opensearch:totalResults>
${entries.join('\n')}
</feed>
`);
      return;
    }
    default:
      return json(res, 404, { error: 'not found' });
  }
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
