/** Internal representation → Anthropic Messages response (for the client). */
import type { IrResponse } from '../core/ir.types';
import { encodeToolCallId, idBase } from '../core/ids.util';
import { sourceToUrl } from '../core/media.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toAnthropicStop } from '../core/stop-reason.map';
import { emptyUsage, usageToAnthropic } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { parseToolArgumentsLenient } from '../core/tool-args.util';
import type { AnthropicMessage, AnthropicResponseBlock } from './anthropic.types';

export function encodeAnthropicResponse(ir: IrResponse, ctx: ConvertContext): AnthropicMessage {
  const content: AnthropicResponseBlock[] = [];
  for (const p of ir.parts) {
    switch (p.type) {
      case 'text':
        if (p.text.length > 0) content.push({ type: 'text', text: p.text });
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
    usage: usageToAnthropic(ir.usage ?? emptyUsage()),
  };
}
