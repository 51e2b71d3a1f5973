/** Usage and output text of non-stream upstream responses (billing and the tokenizer fallback). Counts are sanitised (tokenCount). */
import { usageFromCohereEmbed } from '../cohere-embed/cohere-embed.converter';
import { asObject } from '../core/json.util';
import { tokenCount, usageFromAnthropic, usageFromGemini, usageFromOpenAiChat, usageFromResponses } from '../core/usage.map';
import { decodeResponse } from '../conversion/response-codecs';
import { usageFromConverse } from '../bedrock-converse/bedrock-converse-response.decoder';
import type { Usage, WireProtocol } from '../protocol.types';
import { protocolDescriptor } from '../registry/protocol.registry';
import { vertexEmbeddingsUsage } from '../vertex-embeddings/vertex-embeddings.converter';

export function extractUsage(protocol: WireProtocol, body: Record<string, unknown>): Usage | null {
  switch (protocol) {
    case 'openai-chat':
    case 'openai-completions':
      return usageFromOpenAiChat(body['usage']);
    case 'openai-responses':
      return usageFromResponses(body['usage']);
    case 'anthropic':
      return usageFromAnthropic(body['usage']);
    case 'gemini':
      return usageFromGemini(body['usageMetadata']);
    case 'bedrock-converse':
      return usageFromConverse(body['usage']);
    case 'cohere-embed':
      return usageFromCohereEmbed(body);
    case 'openai-embeddings': {
      const u = asObject(body['usage']);
      if (!u) return null;
      const prompt = tokenCount(u['prompt_tokens'] ?? u['total_tokens']);
      return { promptTokens: prompt, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
    }
    case 'vertex-embeddings':
      return vertexEmbeddingsUsage(body);
    default: {
      // Upstream-only chat protocols (Cohere) read their usage with their own answer decoder; media families measure
      // their answers themselves (their descriptor's accounting).
      if (!protocolDescriptor(protocol).codecs) return null;
      try {
        return decodeResponse(protocol, body).usage;
      } catch {
        return null;
      }
    }
  }
}

/** Text, reasoning and tool-call arguments the model produced. */
export function extractOutputText(protocol: WireProtocol, body: Record<string, unknown>): string {
  if (!protocolDescriptor(protocol).codecs) return '';
  try {
    const ir = decodeResponse(protocol, body);
    let out = '';
    for (const p of ir.parts) {
      if (p.type === 'text' || p.type === 'refusal' || p.type === 'thinking') out += p.text;
      else if (p.type === 'tool_call') out += p.name + p.arguments;
    }
    return out;
  } catch {
    return '';
  }
}
