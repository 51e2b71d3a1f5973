/** Cohere's finish reasons and usage in the gateway's vocabulary (shared by the answer and the stream decoders). */
import type { IrStopReason } from '../core/ir.types';
import { asObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import type { Usage } from '../protocol.types';

export function fromCohereFinish(reason: string | undefined, sawToolCall: boolean): IrStopReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'STOP_SEQUENCE':
      return 'stop_sequence';
    case 'TOOL_CALL':
      return 'tool_calls';
    default:
      return sawToolCall ? 'tool_calls' : 'stop';
  }
}

/**
 * `usage: { billed_units: { input_tokens, output_tokens }, tokens: { input_tokens, output_tokens }, cached_tokens }`.
 * Cohere invoices the billed units (its own prompt scaffolding is in `tokens` but not billed), so those are what the
 * gateway bills; `tokens` only when no billed units came. `cached_tokens` is not mapped: whether the billed input
 * includes it is not documented, and a cache-read count above the prompt would be wrong either way.
 */
export function usageFromCohere(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const billed = asObject(o['billed_units']);
  const tokens = asObject(o['tokens']);
  const src = billed && (billed['input_tokens'] !== undefined || billed['output_tokens'] !== undefined) ? billed : tokens;
  if (!src) return null;
  return {
    promptTokens: tokenCount(src['input_tokens']),
    completionTokens: tokenCount(src['output_tokens']),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}
