/** Usage conversions (§9.9). Internally everything is OpenAI semantics (`Usage`). */
import { MAX_USAGE_TOKENS } from '../protocol.types';
import type { Usage } from '../protocol.types';
import { asObject } from './json.util';

export function emptyUsage(): Usage {
  return { promptTokens: 0, completionTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/**
 * An upstream's token count as a non-negative integer of at most MAX_USAGE_TOKENS (what the log columns hold): upstreams
 * have sent fractions, negatives, numeric strings and absurd values, and one such number reaching the cost formula or
 * the database would fail the whole usage batch. Fractions round, numeric strings are read, anything non-numeric or
 * negative is 0, anything too large (Infinity: JSON's `1e400`) is the maximum.
 */
export function tokenCount(v: unknown): number {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!(x > 0)) return 0; // NaN, negatives, -Infinity
  return x >= MAX_USAGE_TOKENS ? MAX_USAGE_TOKENS : Math.round(x);
}

const n = tokenCount;
/** a sum of counts, held to the same maximum */
const sum = (...xs: number[]): number =>
  Math.min(
    MAX_USAGE_TOKENS,
    xs.reduce((a, b) => a + b, 0),
  );

export function usageFromOpenAiChat(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const pd = asObject(o['prompt_tokens_details']);
  const cd = asObject(o['completion_tokens_details']);
  return {
    promptTokens: n(o['prompt_tokens']),
    completionTokens: n(o['completion_tokens']),
    cacheReadTokens: n(pd?.['cached_tokens']),
    cacheWriteTokens: n(pd?.['cache_write_tokens']),
    reasoningTokens: n(cd?.['reasoning_tokens']),
  };
}

export function usageFromResponses(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const id = asObject(o['input_tokens_details']);
  const od = asObject(o['output_tokens_details']);
  return {
    promptTokens: n(o['input_tokens']),
    completionTokens: n(o['output_tokens']),
    cacheReadTokens: n(id?.['cached_tokens']),
    cacheWriteTokens: n(id?.['cache_write_tokens']),
    reasoningTokens: n(od?.['reasoning_tokens']),
  };
}

/** Anthropic `input_tokens` excludes cache reads and writes; OpenAI prompt tokens include them. */
export function usageFromAnthropic(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const cacheRead = n(o['cache_read_input_tokens']);
  const cacheWrite = n(o['cache_creation_input_tokens']);
  const od = asObject(o['output_tokens_details']);
  return {
    promptTokens: sum(n(o['input_tokens']), cacheRead, cacheWrite),
    completionTokens: n(o['output_tokens']),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: n(od?.['thinking_tokens']),
  };
}

/** Gemini `candidatesTokenCount` excludes thoughts; completion = candidates + thoughts. */
export function usageFromGemini(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const prompt = sum(n(o['promptTokenCount']), n(o['toolUsePromptTokenCount']));
  const thoughts = n(o['thoughtsTokenCount']);
  let completion = sum(n(o['candidatesTokenCount']), thoughts);
  const total = n(o['totalTokenCount']);
  if (completion <= 0 && total > prompt) completion = total - prompt;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    cacheReadTokens: n(o['cachedContentTokenCount']),
    cacheWriteTokens: 0,
    reasoningTokens: thoughts,
  };
}

export interface OpenAiChatUsageWire {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export function usageToOpenAiChat(u: Usage): OpenAiChatUsageWire {
  const pd: OpenAiChatUsageWire['prompt_tokens_details'] = { cached_tokens: u.cacheReadTokens };
  if (u.cacheWriteTokens > 0) pd.cache_write_tokens = u.cacheWriteTokens;
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: pd,
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens },
  };
}

export interface ResponsesUsageWire {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export function usageToResponses(u: Usage): ResponsesUsageWire {
  const id: ResponsesUsageWire['input_tokens_details'] = { cached_tokens: u.cacheReadTokens };
  if (u.cacheWriteTokens > 0) id.cache_write_tokens = u.cacheWriteTokens;
  return {
    input_tokens: u.promptTokens,
    input_tokens_details: id,
    output_tokens: u.completionTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens },
    total_tokens: u.promptTokens + u.completionTokens,
  };
}

export interface AnthropicUsageWire {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  output_tokens_details?: { thinking_tokens: number };
  /** searches run for the answer (the gateway's web search, counted as Anthropic counts its own) */
  server_tool_use?: { web_search_requests: number };
}

export function usageToAnthropic(u: Usage): AnthropicUsageWire {
  const out: AnthropicUsageWire = {
    input_tokens: Math.max(0, u.promptTokens - u.cacheReadTokens - u.cacheWriteTokens),
    cache_creation_input_tokens: u.cacheWriteTokens,
    cache_read_input_tokens: u.cacheReadTokens,
    output_tokens: u.completionTokens,
  };
  if (u.reasoningTokens > 0) out.output_tokens_details = { thinking_tokens: u.reasoningTokens };
  return out;
}

export interface GeminiUsageWire {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export function usageToGemini(u: Usage): GeminiUsageWire {
  const out: GeminiUsageWire = {
    promptTokenCount: u.promptTokens,
    candidatesTokenCount: Math.max(0, u.completionTokens - u.reasoningTokens),
    totalTokenCount: u.promptTokens + u.completionTokens,
  };
  if (u.cacheReadTokens > 0) out.cachedContentTokenCount = u.cacheReadTokens;
  if (u.reasoningTokens > 0) out.thoughtsTokenCount = u.reasoningTokens;
  return out;
}
