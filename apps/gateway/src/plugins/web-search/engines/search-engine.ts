import type { IrWebSource } from '@switchboard/protocols';

/** What an engine is asked: the query, how many results, its settings, and when to give up. */
export interface SearchQuery {
  query: string;
  maxResults: number;
  /** the engine's endpoint; null: its public API */
  url: string | null;
  apiKey: string | null;
  cx: string | null;
  /** aborts the call: the relay's abort (client gone, shutdown) combined with the search timeout */
  signal: AbortSignal;
}

/** A search engine's API: one HTTP call, its results as sources in rank order (at most `maxResults`). */
export interface SearchEngine {
  readonly name: string;
  search(q: SearchQuery): Promise<IrWebSource[]>;
}

/** An engine call that did not give results: the message names the engine and status, never the key or the URL's query. */
export class SearchEngineError extends Error {}

/** GET `url` with `headers`, its JSON or text body; a non-2xx status is an error naming the engine. */
export async function engineGet(engine: string, url: URL, headers: Record<string, string>, signal: AbortSignal, as: 'json'): Promise<unknown>;
export async function engineGet(engine: string, url: URL, headers: Record<string, string>, signal: AbortSignal, as: 'text'): Promise<string>;
export async function engineGet(engine: string, url: URL, headers: Record<string, string>, signal: AbortSignal, as: 'json' | 'text'): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { headers, signal, redirect: 'follow' });
  } catch (e) {
    const reason = signal.aborted ? 'timed out or was cancelled' : `failed (${(e as Error).message})`;
    throw new SearchEngineError(`${engine}: the request ${reason}`);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new SearchEngineError(`${engine}: HTTP ${res.status}`);
  }
  try {
    return as === 'json' ? await res.json() : await res.text();
  } catch {
    throw new SearchEngineError(`${engine}: the answer is not ${as === 'json' ? 'JSON' : 'readable'}`);
  }
}

/** A string field of an engine's result object, trimmed ('' when absent). */
export function str(o: unknown, key: string): string {
  const v = o && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v.trim() : '';
}

/** The results that have a URL, each with a title (the URL when the engine gave none), at most `max`. */
export function sources(items: readonly { url: string; title: string; snippet: string }[], max: number): IrWebSource[] {
  const out: IrWebSource[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (!/^https?:\/\//i.test(it.url) || seen.has(it.url)) continue;
    seen.add(it.url);
    out.push(it.snippet ? { url: it.url, title: it.title || it.url, snippet: it.snippet } : { url: it.url, title: it.title || it.url });
    if (out.length >= max) break;
  }
  return out;
}

export function requireKey(engine: string, apiKey: string | null): string {
  if (!apiKey) throw new SearchEngineError(`${engine}: no API key is configured`);
  return apiKey;
}
