/** Internal representation → OpenAI Responses response object (for the client). */
import type { IrResponse, IrStopReason } from '../core/ir.types';
import { createdAt, encodeToolCallId, idBase } from '../core/ids.util';
import { sourceToUrl } from '../core/media.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toResponsesStatus } from '../core/stop-reason.map';
import { usageToResponses } from '../core/usage.map';
import type { ConvertContext, Usage } from '../protocol.types';
import type { ResponsesOutputItem, ResponsesResponse } from './openai-responses.types';

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
  const flushText = (): void => {
    if (!text) return;
    output.push({
      id: `msg_${base}_${n++}`,
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
    });
    text = '';
  };
  for (const p of ir.parts) {
    switch (p.type) {
      case 'text':
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
