import type { AllowanceReader, BalanceReader } from './accounts/account-readers';
import { AihubmixAdapter } from './aihubmix/aihubmix.adapter';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { AzureAdapter } from './azure/azure.adapter';
import { BedrockAdapter, bedrockRuntimeHost } from './bedrock/bedrock.adapter';
import { CohereAdapter } from './cohere/cohere.adapter';
import { GeminiAdapter } from './gemini/gemini.adapter';
import { JinaAdapter } from './jina/jina.adapter';
import { KIRO_DEFAULT_BASE_URL, KiroAdapter } from './kiro/kiro.adapter';
import { OpenAiAdapter } from './openai/openai.adapter';
import { OPENAI_FAMILIES } from './openai/openai-endpoints';
import { OPENAI_COMPATIBLE_PRESETS } from './openai-compatible/openai-compatible.presets';
import type { ProviderAdapter } from './provider.types';
import { VertexAdapter } from './vertex/vertex.adapter';
import { VERTEX_DEFAULT_BASE_URL } from './vertex/vertex-location';
import { VoyageAdapter } from './voyage/voyage.adapter';

/** The account readers a type has (balance, key allowance) put on its adapter as the optional hooks. */
function withAccount<A extends ProviderAdapter>(adapter: A, readers: { balance?: BalanceReader; keyAllowance?: AllowanceReader }): A {
  if (readers.balance) adapter.balance = readers.balance;
  if (readers.keyAllowance) adapter.keyAllowance = readers.keyAllowance;
  return adapter;
}

/** Adding a provider: one folder beside this file and one line here. */
const adapters = new Map<string, ProviderAdapter>([
  // no balance: OpenAI's own API no longer answers the billing dashboard to API keys (relays that do: openai-compatible)
  ['openai', new OpenAiAdapter('openai', '/v1', true, OPENAI_FAMILIES)],
  ['anthropic', new AnthropicAdapter()],
  ['gemini', new GeminiAdapter()],
  ['aihubmix', new AihubmixAdapter()],
  ['azure', new AzureAdapter()],
  ['cohere', new CohereAdapter()],
  ['jina', new JinaAdapter()],
  ['voyage', new VoyageAdapter()],
  ['bedrock', new BedrockAdapter()],
  ['kiro', new KiroAdapter()],
  ['vertex', new VertexAdapter()],
  ...Object.entries(OPENAI_COMPATIBLE_PRESETS).map(
    ([type, preset]) => [type, withAccount(new OpenAiAdapter(type, preset.versionBase, false), preset)] as const,
  ),
]);

export const CHANNEL_TYPES: readonly string[] = [...adapters.keys()];

/** Whether the keys of channels of the type report an allowance (the key pool's `usage`). */
export function reportsKeyAllowance(type: string): boolean {
  return !!adapters.get(type)?.keyAllowance;
}

/** Whether channels of the type report an account balance (`GET /api/channels/:id/balance`). */
export function reportsBalance(type: string): boolean {
  return !!adapters.get(type)?.balance;
}

export function providerFor(type: string): ProviderAdapter | undefined {
  return adapters.get(type);
}

/** Why `config` is unusable for a channel of `type` (`field` names the setting), or null. */
export function channelConfigProblem(type: string, config: Readonly<Record<string, unknown>>): { field: string; message: string } | null {
  return adapters.get(type)?.configProblem?.(config) ?? null;
}

/** The base URL a channel uses when the admin left it empty (presets, a region's host), else the channel's own. */
export function defaultBaseUrl(type: string, config?: Readonly<Record<string, unknown>>): string | undefined {
  if (type === 'bedrock') return typeof config?.['region'] === 'string' && config['region'] ? bedrockRuntimeHost(config['region'].trim()) : undefined;
  const preset = OPENAI_COMPATIBLE_PRESETS[type];
  if (preset?.baseUrl) return preset.baseUrl;
  return {
    openai: 'https://api.openai.com',
    anthropic: 'https://api.anthropic.com',
    gemini: 'https://generativelanguage.googleapis.com',
    aihubmix: 'https://aihubmix.com',
    cohere: 'https://api.cohere.com',
    jina: 'https://api.jina.ai',
    voyage: 'https://api.voyageai.com',
    kiro: KIRO_DEFAULT_BASE_URL,
    // Google's host for the channel's location (vertex-location.ts): regional, global or multi-region.
    vertex: VERTEX_DEFAULT_BASE_URL,
  }[type];
}
