import { Logger } from '@nestjs/common';
import type { PriceEntry } from '@switchboard/contracts';
import type { IrWebSearch, IrWebSource } from '@switchboard/protocols';
import type { AttemptContext } from '../../relay/attempt-context';
import type { RelayPlugin } from '../relay-plugin';
import { citationTransform } from './citations';
import { SEARCH_ENGINES } from './engines/engine.registry';
import { SearchEngineError } from './engines/search-engine';
import { isRewriteCall, rewriteQuery } from './query-rewrite';
import { lastQuestion, SEARCH_DIALECTS } from './search-request';

/** An engine call's time limit: the search happens before the first upstream byte, so it is kept short. */
export const SEARCH_TIMEOUT_MS = 10_000;

interface WebSearchSettings {
  engine: keyof typeof SEARCH_ENGINES;
  url: string | null;
  apiKey: string | null;
  cx: string | null;
  maxResults: number;
  rewriteModel: string | null;
  always: boolean;
  pricePerSearch: number | null;
}

/** The search each searched request ran, for its answer's citations (per request; gone with it). */
const searches = new WeakMap<AttemptContext, IrWebSearch>();
const logger = new Logger('WebSearch');

/**
 * web-search (SPEC §8): when a chat request asks for web search (its protocol's own way) or its model searches
 * always, the gateway searches the user's last question with the configured engine, gives the upstream the results as
 * numbered system text instead of the search tool, and returns the sources as the client protocol's citations.
 * An engine that fails leaves the request to go on without results (header `x-switchboard-web-search: failed`, not
 * billed): the answer is still useful, and the client can tell. Each search run is billed as one search unit.
 */
export const webSearchPlugin: RelayPlugin = {
  name: 'web-search',
  async prepareRequest(ctx, raw) {
    const { call } = ctx;
    const dialect = SEARCH_DIALECTS[call.protocol];
    if (!dialect || call.operation !== 'generate' || isRewriteCall(ctx)) return 'skipped';
    const settings = raw as unknown as WebSearchSettings;
    const stripped = dialect.strip(call.body);
    if (!stripped && !settings.always) return 'skipped';
    let body = stripped ?? call.body;
    const question = lastQuestion(call.protocol, body);
    const query = question && settings.rewriteModel ? ((await rewriteQuery(ctx, settings.rewriteModel, question)) ?? question) : question;
    let sources: IrWebSource[] | null = null;
    if (query) sources = await runSearch(ctx, settings, query);
    if (sources) {
      bill(ctx, settings);
      if (sources.length) {
        const search: IrWebSearch = { id: ctx.requestId.replace(/[^A-Za-z0-9]/g, '').slice(-24), query: query!, sources };
        searches.set(ctx, search);
        body = dialect.inject(body, resultsText(search));
      }
    }
    ctx.reply.header('x-switchboard-web-search', !query ? 'no-question' : !sources ? 'failed' : `${sources.length} results`);
    if (body !== call.body) ctx.call = { ...call, body, raw: Buffer.from(JSON.stringify(body)) };
    return sources?.length ? 'applied' : 'skipped';
  },
  answerTransform(ctx) {
    const search = searches.get(ctx);
    return search ? citationTransform(search) : null;
  },
};

/** The engine's results, or null when it failed (logged by engine and status, never with the key). */
async function runSearch(ctx: AttemptContext, s: WebSearchSettings, query: string): Promise<IrWebSource[] | null> {
  const engine = SEARCH_ENGINES[s.engine];
  if (!engine || ctx.abort.aborted) return null;
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  ctx.abort.once('abort', onAbort);
  try {
    return await engine.search({
      query,
      maxResults: s.maxResults,
      url: s.url,
      apiKey: s.apiKey,
      cx: s.cx,
      signal: AbortSignal.any([cancel.signal, AbortSignal.timeout(SEARCH_TIMEOUT_MS)]),
    });
  } catch (e) {
    const message = e instanceof SearchEngineError ? e.message : `${engine.name}: ${(e as Error).name}`;
    logger.warn(`request ${ctx.requestId}: web search failed, answering without results (${message})`);
    return null;
  } finally {
    ctx.abort.off('abort', onAbort);
  }
}

/**
 * One search unit on the request's usage record, priced at the plugin's `pricePerSearch` when set (the model's
 * `perSearchUnit` price otherwise); charged with the answer, like its tokens.
 */
function bill(ctx: AttemptContext, s: WebSearchSettings): void {
  const units = ctx.draft.units ?? {};
  ctx.draft.units = { ...units, searchUnits: (units.searchUnits ?? 0) + 1 };
  if (s.pricePerSearch === null || s.pricePerSearch === undefined) return;
  const perSearchUnitMicros = Math.round(s.pricePerSearch * 1e6);
  const base: PriceEntry = ctx.price ?? {
    model: ctx.call.model,
    inputMicros: 0,
    outputMicros: 0,
    cacheReadMicros: 0,
    cacheWriteMicros: 0,
    perRequestMicros: 0,
  };
  ctx.price = { ...base, perSearchUnitMicros };
}

/** The results as the upstream reads them: numbered sources, and how to cite them. */
export function resultsText(search: IrWebSearch): string {
  const lines = [`Web search results for "${search.query}" (searched ${new Date().toISOString().slice(0, 10)}):`, ''];
  search.sources.forEach((s, i) => {
    lines.push(`[${i + 1}] ${s.title}`, `URL: ${s.url}`);
    if (s.snippet) lines.push(s.snippet);
    lines.push('');
  });
  lines.push("Use these results where they help answer the user's last message. Cite a source by its number in brackets, e.g. [1].");
  return lines.join('\n');
}
