/** Bedrock Converse response (upstream) → internal representation. */
import type { IrPart, IrResponse, IrStopReason } from '../core/ir.types';
import { asObject, asString, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import type { Usage } from '../protocol.types';
import { MAX_USAGE_TOKENS } from '../protocol.types';

/** Converse's stopReason vocabulary → the IR's. */
export function fromConverseStop(reason: string | undefined): IrStopReason {
  switch (reason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default: // end_turn, malformed_model_output, malformed_tool_use
      return 'stop';
  }
}

/** `inputTokens` excludes cache reads and writes (totalTokens includes them): prompt = all three. */
export function usageFromConverse(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o) return null;
  const cacheRead = tokenCount(o['cacheReadInputTokens']);
  const cacheWrite = tokenCount(o['cacheWriteInputTokens']);
  return {
    promptTokens: Math.min(MAX_USAGE_TOKENS, tokenCount(o['inputTokens']) + cacheRead + cacheWrite),
    completionTokens: tokenCount(o['outputTokens']),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: 0,
  };
}

export function decodeConverseResponse(body: JsonObject): IrResponse {
  const message = asObject(asObject(body['output'])?.['message']);
  const parts: IrPart[] = [];
  for (const b of objectsOf(message?.['content'])) {
    const text = asString(b['text']);
    if (text !== undefined) {
      if (text) parts.push({ type: 'text', text });
      continue;
    }
    const reasoning = asObject(b['reasoningContent']);
    if (reasoning) {
      const rt = asObject(reasoning['reasoningText']);
      const redacted = asString(reasoning['redactedContent']);
      if (rt) {
        const part: IrPart = { type: 'thinking', text: asString(rt['text']) ?? '' };
        const signature = asString(rt['signature']);
        if (signature) part.signature = signature;
        parts.push(part);
      } else if (redacted) parts.push({ type: 'thinking', text: '', redactedData: redacted });
      continue;
    }
    const toolUse = asObject(b['toolUse']);
    if (toolUse) {
      const input = toolUse['input'];
      parts.push({
        type: 'tool_call',
        id: asString(toolUse['toolUseId']) ?? '',
        name: asString(toolUse['name']) ?? '',
        arguments: JSON.stringify(isObject(input) ? input : {}),
      });
    }
    // citationsContent, guardContent, images out: nothing a chat client reads
  }
  const additional = asObject(body['additionalModelResponseFields']);
  return {
    parts,
    stopReason: fromConverseStop(asString(body['stopReason'])),
    stopSequence: asString(additional?.['stop_sequence']) ?? null,
    usage: usageFromConverse(body['usage']),
  };
}
