/** Internal representation → Anthropic Messages response (for the client). */
import type { IrResponse } from '../core/ir.types';
import { encodeToolCallId, idBase } from '../core/ids.util';
import { sourceToUrl } from '../core/media.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toAnthropicStop } from '../core/stop-reason.map';
import { emptyUsage, usageToAnthropic } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { parseToolArgumentsLenient } from '../core/tool-args.util';
import type { IrCitation, IrWebSearch } from '../core/ir.types';
import type { AnthropicMessage, AnthropicResponseBlock, AnthropicWebSearchCitation } from './anthropic.types';

/**
 * A web search the gateway ran, as Anthropic's own server tool shows one: its call, then its results. The ids are
 * `srvtoolu_` ones; `encrypted_content` is empty (the gateway injected the results itself: nothing to replay).
 */
export function anthropicWebSearchBlocks(search: IrWebSearch): AnthropicResponseBlock[] {
  const id = `srvtoolu_${search.id}`;
  return [
    { type: 'server_tool_use', id, name: 'web_search', input: { query: search.query } },
    {
      type: 'web_search_tool_result',
      tool_use_id: id,
      content: search.sources.map((s) => ({ type: 'web_search_result', url: s.url, title: s.title, encrypted_content: '', page_age: null })),
    },
  ];
}

export function anthropicCitation(c: IrCitation): AnthropicWebSearchCitation {
  return { type: 'web_search_result_location', url: c.url, title: c.title, encrypted_index: '', cited_text: c.citedText };
}

export function encodeAnthropicResponse(ir: IrResponse, ctx: ConvertContext): AnthropicMessage {
  const content: AnthropicResponseBlock[] = ir.webSearch ? anthropicWebSearchBlocks(ir.webSearch) : [];
  for (const p of ir.parts) {
    switch (p.type) {
      case 'text':
        if (p.text.length > 0)
          content.push(p.citations?.length ? { type: 'text', text: p.text, citations: p.citations.map(anthropicCitation) } : { type: 'text', text: p.text });
        break;
      case 'refusal':
        if (p.text.length > 0) content.push({ type: 'text', text: p.text });
        break;
      case 'image': {
        const url = sourceToUrl(p.source);
        if (url) content.push({ type: 'text', text: `![image](${url})` });
        break;
      }
      case 'thinking':
        if (p.redactedData && !p.text && !p.signature) content.push({ type: 'redacted_thinking', data: p.redactedData });
        else content.push({ type: 'thinking', thinking: p.text, signature: reasoningSlotValue(p, 'anthropic-signature') ?? '' });
        break;
      case 'tool_call':
        content.push({ type: 'tool_use', id: encodeToolCallId(p.id, p.thoughtSignature), name: p.name, input: parseToolArgumentsLenient(p.arguments) });
        break;
      default:
        break;
    }
  }
  return {
    id: `msg_${idBase(ctx)}`,
    type: 'message',
    role: 'assistant',
    model: ctx.requestedModel,
    content,
    stop_reason: toAnthropicStop(ir.stopReason),
    stop_sequence: ir.stopSequence ?? null,
    usage: ir.webSearch
      ? { ...usageToAnthropic(ir.usage ?? emptyUsage()), server_tool_use: { web_search_requests: 1 } }
      : usageToAnthropic(ir.usage ?? emptyUsage()),
  };
}
