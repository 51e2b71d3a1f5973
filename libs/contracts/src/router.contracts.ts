import { RoutedMcpServer } from './admin/mcp-admin.schemas';
import { PLUGIN_NAMES } from './admin/plugin-admin.schemas';
import { z } from 'zod';

export const ChannelTimeouts = z.object({
  connectMs: z.number().int().positive().optional(),
  firstByteMs: z.number().int().positive().optional(),
  idleMs: z.number().int().positive().optional(),
});
export type ChannelTimeouts = z.infer<typeof ChannelTimeouts>;

export const RoutedKey = z.object({
  index: z.number().int(),
  /** AES-256-GCM ciphertext under SECRET_KEY; the gateway decrypts it when it loads the table. */
  ciphertext: z.string(),
  status: z.enum(['enabled', 'disabled', 'auto_disabled']),
  /** the key's row id (usage records name keys by it: positions are reused after a delete) */
  id: z.number().int().optional(),
  /**
   * The provider-reported allowance: `ratio` = used / limit (selection prefers keys far from their limit), and while
   * it is ≥ 1 the key is exhausted until `resetAt` (epoch ms; null: until the router reads it again).
   */
  allowance: z.object({ ratio: z.number().min(0), resetAt: z.number().nullable() }).optional(),
});

export const RoutedChannel = z.object({
  id: z.number().int(),
  name: z.string(),
  type: z.string(),
  baseUrl: z.string(),
  keyMode: z.enum(['random', 'round_robin']),
  keys: z.array(RoutedKey),
  models: z.array(z.string()),
  modelMapping: z.record(z.string(), z.string()),
  groups: z.array(z.string()),
  priority: z.number().int(),
  weight: z.number().int(),
  headers: z.record(z.string(), z.string()),
  paramOverride: z.record(z.string(), z.unknown()),
  statusCodeMapping: z.record(z.string(), z.number().int()),
  timeouts: ChannelTimeouts.nullable(),
  /** false: failures only exclude the channel within the failing request; nothing bans it or its keys */
  autoBan: z.boolean().default(true),
  /** the endpoint families beyond chat it serves (replacing its type's defaults); null: its type's */
  endpoints: z.array(z.string()).nullish(),
  /** the type's settings (`region`, `project`, `apiVersion`…) */
  config: z.record(z.string(), z.unknown()).optional(),
});
export type RoutedChannel = z.infer<typeof RoutedChannel>;

export const AliasTarget = z.object({ model: z.string().min(1), weight: z.number().int().min(0).default(1) });
export const RoutedAlias = z.object({
  name: z.string(),
  targets: z.array(AliasTarget),
  fallbacks: z.array(z.string()),
});
export type RoutedAlias = z.infer<typeof RoutedAlias>;

/** An enabled relay plugin (SPEC §8) as the gateways apply it: where (null: any) and its settings, secrets open. */
export const RoutedPlugin = z.object({
  name: z.enum(PLUGIN_NAMES),
  models: z.array(z.string()).nullable(),
  groups: z.array(z.string()).nullable(),
  tokens: z.array(z.number().int()).nullable(),
  settings: z.record(z.string(), z.unknown()),
});
export type RoutedPlugin = z.infer<typeof RoutedPlugin>;

export const RoutingTable = z.object({
  version: z.number().int(),
  channels: z.array(RoutedChannel),
  aliases: z.array(RoutedAlias),
  /** enabled plugins only; absent from routers that predate plugins */
  plugins: z.array(RoutedPlugin).default([]),
  /** the MCP servers served at /mcp/{name}; absent from routers that predate them */
  mcpServers: z.array(RoutedMcpServer).default([]),
});
export type RoutingTable = z.infer<typeof RoutingTable>;

export const RouterTableChangedEvent = z.object({ version: z.number().int() });
export type RouterTableChangedEvent = z.infer<typeof RouterTableChangedEvent>;

export const BanSchema = z.object({
  channelId: z.number().int(),
  model: z.string().optional(),
  keyIndex: z.number().int().optional(),
  reason: z.enum(['error_rate', 'auth', 'backoff']),
  until: z.number(),
  nextProbeAt: z.number(),
  detail: z.string().optional(),
  status: z.number().int().optional(),
});

export const BansChangedEvent = z.object({
  set: z.array(BanSchema).default([]),
  lifted: z.array(z.object({ channelId: z.number().int(), model: z.string().optional(), keyIndex: z.number().int().optional() })).default([]),
});
export type BansChangedEvent = z.infer<typeof BansChangedEvent>;
