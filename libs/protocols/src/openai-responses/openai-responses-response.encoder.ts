/** Internal representation → OpenAI Responses response object (for the client). */
import type { IrResponse, IrStopReason } from '../core/ir.types';
import { createdAt, encodeToolCallId, idBase } from '../core/ids.util';
import { sourceToUrl } from '../core/media.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toResponsesStatus } from '../core/stop-reason.map';
import { usageToResponses } from '../core/usage.map';
import type { ConvertContext, Usage } from '../protocol.types';
import type { IrCitation, IrWebSearch } from '../core/ir.types';
import type { ResponsesOutputItem, ResponsesResponse, ResponsesUrlCitation, ResponsesWebSearchItem } from './openai-responses.types';

export function responsesUrlCitations(citations: readonly IrCitation[], offset = 0): ResponsesUrlCitation[] {
  return citations.map((c) => ({ type: 'url_citation', url: c.url, title: c.title, start_index: c.startIndex + offset, end_index: c.endIndex + offset }));
}

export function responsesWebSearchItem(search: IrWebSearch, status: ResponsesWebSearchItem['status']): ResponsesWebSearchItem {
  return {
    id: `ws_${search.id}`,
    type: 'web_search_call',
    status,
    action: { type: 'search', query: search.query, sources: search.sources.map((s) => ({ type: 'url', url: s.url })) },
  };
}

export function responsesEnvelope(
  ctx: ConvertContext,
  output: ResponsesOutputItem[],
  stop: IrStopReason | null,
  usage: Usage | null,
  created: number,
): ResponsesResponse {
  const st = stop ? toResponsesStatus(stop) : null;
  return {
    id: `resp_${idBase(ctx)}`,
    object: 'response',
    created_at: created,
    status: st ? st.status : 'in_progress',
    model: ctx.requestedModel,
    output,
    usage: usage ? usageToResponses(usage) : null,
    error: null,
    incomplete_details: st?.incompleteReason ? { reason: st.incompleteReason } : null,
    instructions: null,
    max_output_tokens: null,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: null,
    top_p: null,
    text: { format: { type: 'text' } },
    reasoning: { effort: null, summary: null },
    metadata: {},
    store: false,
  };
}

export function encodeResponsesResponse(ir: IrResponse, ctx: ConvertContext): ResponsesResponse {
  const base = idBase(ctx);
  const output: ResponsesOutputItem[] = [];
  let n = 0;
  let text = '';
  let annotations: ResponsesUrlCitation[] = [];
  const flushText = (): void => {
    if (!text) return;
    output.push({
      id: `msg_${base}_${n++}`,
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations, logprobs: [] }],
    });
    text = '';
    annotations = [];
  };
  if (ir.webSearch) output.push(responsesWebSearchItem(ir.webSearch, 'completed'));
  for (const p of ir.parts) {
    switch (p.type) {
      case 'text':
        if (p.citations?.length) annotations.push(...responsesUrlCitations(p.citations, text.length));
        text += p.text;
        break;
      case 'image': {
        const url = sourceToUrl(p.source);
        if (url) text += `![image](${url})`;
        break;
      }
      case 'refusal':
        flushText();
        output.push({ id: `msg_${base}_${n++}`, type: 'message', role: 'assistant', status: 'completed', content: [{ type: 'refusal', refusal: p.text }] });
        break;
      case 'thinking': {
        flushText();
        const enc = reasoningSlotValue(p, 'responses-encrypted');
        output.push({
          id: p.reasoningId && p.encryptedContent ? p.reasoningId : `rs_${base}_${n++}`,
          type: 'reasoning',
          summary: p.text ? [{ type: 'summary_text', text: p.text }] : [],
          encrypted_content: enc ?? null,
        });
        break;
      }
      case 'tool_call':
        flushText();
        output.push({
          id: `fc_${base}_${n++}`,
          type: 'function_call',
          status: 'completed',
          call_id: encodeToolCallId(p.id, p.thoughtSignature),
          name: p.name,
          arguments: p.arguments || '{}',
        });
        break;
      default:
        break;
    }
  }
  flushText();
  return responsesEnvelope(ctx, output, ir.stopReason, ir.usage, createdAt(ctx, ir.created));
}
