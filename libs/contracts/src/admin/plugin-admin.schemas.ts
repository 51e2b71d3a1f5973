import { z } from 'zod';

/**
 * The relay's plugins (SPEC §8), in the fixed order the relay runs them: a cached answer is served before anything else
 * runs, search results are injected before the request is shaped for a stream, and think tags are split on the way out.
 */
export const PLUGIN_NAMES = ['cache', 'web-search', 'stream-fake', 'think-split'] as const;
export type PluginName = (typeof PLUGIN_NAMES)[number];

const MAX_INT = 2_147_483_647;
const pattern = z.string().trim().min(1, 'must not be empty').max(256);

/** Where a plugin applies: every list that is set must match (null or absent: any). */
const scope = {
  enabled: z.boolean(),
  /** model names as the client sends them; `*` wildcards as in channel models */
  models: z.array(pattern).max(1000).nullable(),
  groups: z.array(pattern).max(1000).nullable(),
  /** token ids */
  tokens: z.array(z.number().int().positive().max(MAX_INT)).max(10_000).nullable(),
};

const cacheSettings = {
  /** how long an answer is served from the cache */
  ttlSeconds: z
    .number()
    .int()
    .min(1)
    .max(7 * 86_400),
  /** entries kept at most (the oldest go first) */
  maxEntries: z.number().int().min(1).max(1_000_000),
  /** answers larger than this are not stored */
  maxEntryBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024),
  /** what a hit costs, as a share of what the request would have cost: 0 free, 1 full price */
  hitCostRatio: z.number().min(0).max(1),
};

const webSearchSettings = {
  engine: z.enum(['searxng', 'bing', 'google', 'brave', 'arxiv']),
  /** the engine's endpoint (SearXNG's instance; the others default to their public API) */
  url: z.string().url('must be a URL').nullable(),
  /** the engine's API key: write-only, answered masked */
  apiKey: z.string().max(4096).nullable(),
  /** Google Programmable Search's engine id */
  cx: z.string().max(256).nullable(),
  maxResults: z.number().int().min(1).max(20),
  /** a model that rewrites the user's question into a search query first; null: the question as is */
  rewriteModel: z.string().max(256).nullable(),
  /** whether models listed in `models` search on every request, not only when the client asks for search */
  always: z.boolean(),
  /** USD charged per search run (times the group's price ratio); null: the model's `perSearchUnit` price */
  pricePerSearch: z.number().min(0).max(100).nullable(),
};

const streamFakeSettings = {};

const thinkSplitSettings = {
  /** the tag the model wraps its reasoning in (`think` → `<think>…</think>`) */
  tag: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'must be a tag name')
    .trim(),
};

/** Each plugin's settings besides the scope, with the defaults a plugin starts from. */
export const PLUGIN_SETTINGS = {
  cache: { shape: cacheSettings, defaults: { ttlSeconds: 300, maxEntries: 10_000, maxEntryBytes: 1024 * 1024, hitCostRatio: 0 } },
  'web-search': {
    shape: webSearchSettings,
    defaults: { engine: 'searxng', url: null, apiKey: null, cx: null, maxResults: 5, rewriteModel: null, always: false, pricePerSearch: null },
  },
  'stream-fake': { shape: streamFakeSettings, defaults: {} },
  'think-split': { shape: thinkSplitSettings, defaults: { tag: 'think' } },
} as const satisfies Record<PluginName, { shape: z.ZodRawShape; defaults: Record<string, unknown> }>;

/** Settings whose values are secrets: stored sealed, answered masked, a masked value sent back keeps the stored one. */
export const PLUGIN_SECRET_FIELDS: Readonly<Record<PluginName, readonly string[]>> = {
  cache: [],
  'web-search': ['apiKey'],
  'stream-fake': [],
  'think-split': [],
};

export const PLUGIN_DEFAULT_SCOPE = { enabled: false, models: null, groups: null, tokens: null } as const;

/** `PUT /api/plugins/:name`: the fields to change (the rest keep their stored or default values). */
export function pluginUpdateSchema(name: PluginName) {
  return z
    .object({ ...scope, ...PLUGIN_SETTINGS[name].shape })
    .partial()
    .strict();
}

/** A plugin's whole configuration: scope and settings, every field present. */
export function pluginConfigSchema(name: PluginName) {
  return z.object({ ...scope, ...PLUGIN_SETTINGS[name].shape }).strict();
}

/** Any plugin's update, for the route table (the service checks it against the named plugin's own schema). */
export const PutPlugin = z.record(z.string(), z.unknown());

export type PluginConfig = { enabled: boolean; models: string[] | null; groups: string[] | null; tokens: number[] | null } & Record<string, unknown>;
