/** Channels and aliases (router.admin.v1): request bodies and list queries. */
import { declarableEndpoints } from '@switchboard/protocols';
import { CHANNEL_TYPES, channelConfigProblem, defaultBaseUrl } from '@switchboard/providers';
import { z } from 'zod';

const name = z.string().trim().min(1).max(128);
const stringMap = z.record(z.string(), z.string());

export const ChannelTimeoutsInput = z
  .object({
    connectMs: z.number().int().positive(),
    firstByteMs: z.number().int().positive(),
    idleMs: z.number().int().positive(),
  })
  .partial()
  .strict();

/** What a channel may declare in `endpoints`: the registry's families beyond chat (`rerank`, `images.generations`…). */
export const ENDPOINT_FAMILIES: readonly string[] = declarableEndpoints();

const fields = {
  name,
  type: z.string().refine((t) => CHANNEL_TYPES.includes(t), { message: `must be one of ${CHANNEL_TYPES.join(', ')}` }),
  baseUrl: z
    .string()
    .url('must be a URL')
    .refine((u) => /^https?:\/\//.test(u), { message: 'must be http(s)' }),
  keys: z.array(z.string().trim().min(1)).min(1, 'at least one key'),
  keyMode: z.enum(['random', 'round_robin']),
  models: z.array(z.string().trim().min(1)).min(1, 'at least one model'),
  modelMapping: stringMap,
  groups: z.array(name).min(1),
  priority: z.number().int(),
  weight: z.number().int().min(0),
  enabled: z.boolean(),
  autoBan: z.boolean(),
  headers: stringMap,
  paramOverride: z.record(z.string(), z.unknown()),
  statusCodeMapping: z.record(z.string().regex(/^\d{3}$/, 'keys are HTTP statuses'), z.number().int().min(100).max(599)),
  testModel: z.string().min(1).nullable(),
  tag: z.string().nullable(),
  timeouts: ChannelTimeoutsInput.nullable(),
  /** The endpoint families beyond chat it serves, replacing its type's defaults; null or empty: the type's defaults. */
  endpoints: z
    .array(z.string().refine((e) => ENDPOINT_FAMILIES.includes(e), { message: `must be one of ${ENDPOINT_FAMILIES.join(', ')}` }))
    .max(ENDPOINT_FAMILIES.length)
    .refine((a) => new Set(a).size === a.length, { message: 'must not repeat a family' })
    .nullable(),
  /** The type's own settings (bedrock `region`, vertex `project`/`location`, azure `apiVersion`…): never secrets. */
  config: z.record(z.string(), z.unknown()),
};

export const CreateChannel = z
  .object({
    ...fields,
    baseUrl: fields.baseUrl.optional(),
    keyMode: fields.keyMode.default('random'),
    modelMapping: fields.modelMapping.default({}),
    groups: fields.groups.default(['default']),
    priority: fields.priority.default(0),
    weight: fields.weight.default(1),
    enabled: fields.enabled.default(true),
    autoBan: fields.autoBan.default(true),
    headers: fields.headers.default({}),
    paramOverride: fields.paramOverride.default({}),
    statusCodeMapping: fields.statusCodeMapping.default({}),
    testModel: fields.testModel.default(null),
    tag: fields.tag.default(null),
    timeouts: fields.timeouts.default(null),
    endpoints: fields.endpoints.default(null),
    config: fields.config.default({}),
  })
  .strict()
  .transform((c, ctx) => {
    // The settings first: a type's default base URL may come from them (bedrock: its region's host).
    const problem = channelConfigProblem(c.type, c.config);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: ['config', problem.field], message: problem.message });
      return z.NEVER;
    }
    const baseUrl = c.baseUrl ?? defaultBaseUrl(c.type, c.config);
    if (!baseUrl) {
      ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: `required for type ${c.type}` });
      return z.NEVER;
    }
    return { ...c, baseUrl };
  });
export const UpdateChannel = z.object(fields).partial().strict();

export type CreateChannelInput = z.infer<typeof CreateChannel>;
export type UpdateChannelInput = z.infer<typeof UpdateChannel>;

/** `POST /api/channels/:id/keys`: keys added to the pool (a key already in it, or twice in the batch, is skipped). */
export const AddChannelKeys = z.object({ keys: z.array(z.string().trim().min(1, 'must not be empty')).min(1, 'at least one key').max(10_000) }).strict();
/** `PATCH /api/channels/:id/keys/:keyId`: the key itself is write-only and never changes; delete and add instead. */
export const UpdateChannelKey = z
  .object({ label: z.string().trim().max(128), enabled: z.boolean() })
  .partial()
  .strict()
  .refine((b) => b.label !== undefined || b.enabled !== undefined, { message: 'give label or enabled', path: ['label'] });

export type AddChannelKeysInput = z.infer<typeof AddChannelKeys>;
export type UpdateChannelKeyInput = z.infer<typeof UpdateChannelKey>;

export const CreateAlias = z
  .object({
    name,
    targets: z.array(z.object({ model: name, weight: z.number().int().min(0).default(1) }).strict()).min(1),
    fallbacks: z.array(name).default([]),
  })
  .strict();
export const UpdateAlias = CreateAlias.omit({ name: true }).partial().strict();

/** `?refresh=1`: read from the provider now instead of answering what the last periodic read stored. */
const refreshFlag = z
  .enum(['0', '1', 'true', 'false'])
  .optional()
  .transform((v) => v === '1' || v === 'true');
/** `GET /api/channels/:id/keys?refresh=1`: the keys' allowances are read from the provider first (types that report them). */
export const ChannelKeyListQuery = z.object({ refresh: refreshFlag });
/** `GET /api/channels/:id/balance?refresh=1`: the balance is read from the provider first. */
export const ChannelBalanceQuery = z.object({ refresh: refreshFlag });

export const ChannelListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

/**
 * `POST /api/channels/:id/test` takes `{ model? }` but has always tolerated any body (a missing, non-object or
 * non-string `model` means "the channel's own test model"), so it is read leniently rather than validated.
 */
export const TestChannel = z.preprocess(
  (b) => ({ model: b && typeof b === 'object' && typeof (b as { model?: unknown }).model === 'string' ? (b as { model: string }).model : undefined }),
  z.object({ model: z.string().optional() }),
);
