import { AnthropicAdapter } from '../anthropic/anthropic.adapter';
import { GeminiAdapter } from '../gemini/gemini.adapter';
import { OpenAiAdapter } from '../openai/openai.adapter';
import { OPENAI_FAMILIES } from '../openai/openai-endpoints';
import type { Operation, ProviderAdapter, TargetArgs, UpstreamRequestTarget, WireProtocol } from '../provider.types';

/**
 * The seed's integration rules (seeds/000, SPEC §6): the protocol is chosen by model name, the same rule for every
 * request kind. claude* → Anthropic Messages at baseUrl; gemini* and imagen* (not -nothink/-search, not embedding) →
 * Gemini at baseUrl/gemini; OpenAI models (gpt-*, o1*, o3*, o4*…, not gpt-oss*) → Responses; everything else → the
 * OpenAI-compatible path. An embedding goes to Gemini's embedContent only when the rule picks Gemini, so
 * `gemini-embedding-001` (it contains `embedding`) is an OpenAI-compatible `/v1/embeddings` call like any other.
 */
export function aihubmixProtocolFor(model: string, operation: Operation): WireProtocol {
  const family = aihubmixFamily(model.toLowerCase());
  if (operation === 'embed') return family === 'gemini' ? 'gemini' : 'openai-embeddings';
  return family;
}

function aihubmixFamily(m: string): WireProtocol {
  if (m.startsWith('claude')) return 'anthropic';
  if ((m.startsWith('gemini') || m.startsWith('imagen')) && !m.endsWith('-nothink') && !m.endsWith('-search') && !m.includes('embedding')) {
    return 'gemini';
  }
  if (isOpenAiModel(m)) return 'openai-responses';
  return 'openai-chat';
}

export function isOpenAiModel(model: string): boolean {
  const m = model.toLowerCase();
  if (m.startsWith('gpt-oss')) return false;
  return /^(gpt-|chatgpt-|o1|o3|o4|codex-|computer-use-)/.test(m);
}

/** AiHubMix relays OpenAI's images, audio and moderations under its OpenAI-compatible API. */
const AIHUBMIX_FAMILIES: ReadonlySet<Operation> = new Set([...OPENAI_FAMILIES].filter((op) => op !== 'realtime'));

export class AihubmixAdapter implements ProviderAdapter {
  readonly type = 'aihubmix';
  private readonly openai = new OpenAiAdapter('aihubmix', '/v1', true, AIHUBMIX_FAMILIES);
  private readonly anthropic = new AnthropicAdapter();
  private readonly gemini = new GeminiAdapter('/gemini');

  /** Chat and embeddings by the seed's rule; the families beyond chat through its OpenAI-compatible API. */
  protocolFor(model: string, operation: Operation, inbound: WireProtocol, declared = false): WireProtocol | null {
    if (operation === 'generate' && inbound === 'openai-completions') return this.openai.protocolFor(model, operation, inbound, declared);
    if (operation === 'generate' || operation === 'embed') return aihubmixProtocolFor(model, operation);
    // imagen* and Gemini image models go to Gemini under /gemini, by the same rule as chat.
    if (operation === 'image.generate' && aihubmixProtocolFor(model, 'generate') === 'gemini') return 'gemini';
    return this.openai.protocolFor(model, operation, inbound, declared);
  }

  target(args: TargetArgs): UpstreamRequestTarget {
    if (args.protocol === 'anthropic') return this.anthropic.target(args);
    if (args.protocol === 'gemini') return this.gemini.target(args);
    return this.openai.target(args);
  }
}
