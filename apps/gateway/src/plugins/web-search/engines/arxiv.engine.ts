import { XMLParser } from 'fast-xml-parser';
import { engineGet, SearchEngineError, sources, type SearchEngine } from './search-engine';

const ARXIV = 'https://export.arxiv.org/api/query';
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => name === 'entry' || name === 'link' });

/** arXiv's API: `GET /api/query?search_query=all:…&max_results=…`, an Atom feed; each `entry` a paper (abs page, title, summary). */
export const arxivEngine: SearchEngine = {
  name: 'arxiv',
  async search({ query, maxResults, url, signal }) {
    const u = new URL(url ?? ARXIV);
    u.searchParams.set('search_query', `all:${query}`);
    u.searchParams.set('start', '0');
    u.searchParams.set('max_results', String(maxResults));
    const xml = await engineGet('arxiv', u, { accept: 'application/atom+xml' }, signal, 'text');
    let feed: { feed?: { entry?: Record<string, unknown>[] } };
    try {
      feed = parser.parse(xml) as typeof feed;
    } catch {
      throw new SearchEngineError('arxiv: the answer is not an Atom feed');
    }
    if (!feed.feed) throw new SearchEngineError('arxiv: the answer is not an Atom feed');
    return sources(
      (feed.feed.entry ?? []).map((e) => ({ url: absPage(e), title: text(e.title), snippet: text(e.summary) })),
      maxResults,
    );
  },
};

function text(v: unknown): string {
  const s = typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>)['#text'] : '';
  return typeof s === 'string' ? s.replace(/\s+/g, ' ').trim() : '';
}

/** The paper's abstract page: its `alternate` link, else its id (itself the abs URL). */
function absPage(e: Record<string, unknown>): string {
  const links = Array.isArray(e.link) ? (e.link as Record<string, unknown>[]) : [];
  const alt = links.find((l) => l['@rel'] === 'alternate' && typeof l['@href'] === 'string');
  return alt ? String(alt['@href']) : text(e.id);
}
