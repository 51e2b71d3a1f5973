import { PLUGIN_SETTINGS } from '@switchboard/contracts';
import { computeCostMicros } from '@switchboard/pricing';
import type { AttemptContext } from '../../relay/attempt-context';
import { answersBytes } from '../../relay/family-accounting';
import { costHeaderValue } from '../../relay/usage-recorder';
import { noteDetail, type AnswerTap, type RelayPlugin } from '../relay-plugin';
import type { AnswerCache, CacheLimits } from './answer-cache';
import { cacheKeyOf } from './cache-key';
import { MemoryAnswerCache } from './memory-answer.cache';

/** The answer header a request in the cache's scope carries, and the request header value that bypasses it. */
export const CACHE_HEADER = 'x-switchboard-cache';
export const NO_STORE = 'no-store';

type Settings = Readonly<Record<string, unknown>>;
const DEFAULTS = PLUGIN_SETTINGS.cache.defaults;
const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

const noStore = (v: string | string[] | undefined) => typeof v === 'string' && v.trim().toLowerCase() === NO_STORE;

export function cacheLimitsOf(s: Settings): CacheLimits & { hitCostRatio: number } {
  return {
    ttlSeconds: num(s.ttlSeconds, DEFAULTS.ttlSeconds),
    maxEntries: num(s.maxEntries, DEFAULTS.maxEntries),
    maxEntryBytes: num(s.maxEntryBytes, DEFAULTS.maxEntryBytes),
    hitCostRatio: Math.min(1, Math.max(0, num(s.hitCostRatio, DEFAULTS.hitCostRatio))),
  };
}

/**
 * cache (SPEC §8): an exact-match answer cache. Before the relay, the request's key (cache-key.ts) is looked up: a hit
 * is answered from the store as the client got it the first time (the same JSON, or the same stream replayed), no
 * upstream called, billed at hitCostRatio of the stored usage's cost and logged with no channel; a miss goes upstream
 * and its answer is stored once it reached the client whole (answerTap). `x-switchboard-cache: no-store` on the
 * request bypasses it (no read, no write). Uploads and byte answers (speech audio) are not cached.
 */
export class CachePlugin implements RelayPlugin {
  readonly name = 'cache' as const;
  /** the key of a request that missed, for its answer's tap */
  private readonly missed = new WeakMap<AttemptContext, string>();
  private store: AnswerCache = new MemoryAnswerCache();

  /** The gateway's store: memory in standalone, Redis in cluster mode (answer-cache.provider.ts). */
  use(store: AnswerCache): void {
    this.store = store;
  }

  async beforeRelay(ctx: AttemptContext, settings: Settings): Promise<'answered' | 'applied' | 'skipped'> {
    const { call, reply, req } = ctx;
    if (call.files?.length || answersBytes(call) || noStore(req.headers[CACHE_HEADER])) {
      reply.header(CACHE_HEADER, 'bypass');
      noteDetail(ctx, this, 'bypass');
      return 'skipped';
    }
    const key = cacheKeyOf(call, ctx.token!.group.name, req.headers);
    const hit = await this.store.get(key);
    if (!hit) {
      this.missed.set(ctx, key);
      reply.header(CACHE_HEADER, 'miss');
      noteDetail(ctx, this, 'miss');
      return 'applied';
    }
    const { draft } = ctx;
    draft.status = hit.status;
    draft.usage = { ...hit.usage };
    draft.units = hit.units;
    const full = ctx.price ? computeCostMicros(hit.usage, ctx.price, ctx.token!.group.priceRatio, hit.units) : 0;
    draft.costMicros = Math.round(full * cacheLimitsOf(settings).hitCostRatio);
    noteDetail(ctx, this, 'hit');
    reply.header(CACHE_HEADER, 'hit').status(hit.status).header('content-type', hit.contentType);
    if (call.stream) {
      draft.ttftMs = Math.round(performance.now() - draft.startedAt);
      reply.header('cache-control', 'no-cache');
    } else reply.header('x-switchboard-cost', costHeaderValue(draft.costMicros));
    reply.send(hit.body);
    return 'answered';
  }

  answerTap(ctx: AttemptContext, settings: Settings): AnswerTap | undefined {
    const key = this.missed.get(ctx);
    if (key === undefined) return undefined;
    const limits = cacheLimitsOf(settings);
    const chunks: string[] = [];
    let bytes = 0;
    return {
      write(chunk) {
        if (bytes > limits.maxEntryBytes) return;
        bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
        // too large to keep: what was gathered goes at once
        if (bytes > limits.maxEntryBytes) chunks.length = 0;
        else chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      },
      end: (status, contentType) => {
        if (bytes > limits.maxEntryBytes || status !== 200) return;
        const { usage, units } = ctx.draft;
        void this.store.set(key, { status, contentType, body: chunks.join(''), usage: { ...usage }, units }, limits);
      },
    };
  }
}

export const cachePlugin = new CachePlugin();
