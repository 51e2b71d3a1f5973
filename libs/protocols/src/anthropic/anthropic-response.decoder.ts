/** Anthropic Messages response (upstream) → internal representation. */
import type { IrPart, IrResponse } from '../core/ir.types';
import { decodeToolCallId } from '../core/ids.util';
import { asObject, asString, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { fromAnthropicStop } from '../core/stop-reason.map';
import { usageFromAnthropic } from '../core/usage.map';

export function decodeAnthropicResponse(body: JsonObject): IrResponse {
  const parts: IrPart[] = [];
  for (const b of objectsOf(body['content'])) {
    switch (b['type']) {
      case 'text': {
        const text = asString(b['text']);
        if (text) parts.push({ type: 'text', text });
        break;
      }
      case 'thinking':
        parts.push(applyReasoningSlot({ type: 'thinking', text: asString(b['thinking']) ?? '' }, 'anthropic-signature', asString(b['signature'])));
        break;
      case 'redacted_thinking': {
        const data = asString(b['data']);
        if (data) parts.push({ type: 'thinking', text: '', redactedData: data });
        break;
      }
      case 'tool_use': {
        const decoded = decodeToolCallId(asString(b['id']) ?? '');
        const part: IrPart = {
          type: 'tool_call',
          id: decoded.id,
          name: asString(b['name']) ?? '',
          arguments: JSON.stringify(isObject(b['input']) ? b['input'] : {}),
        };
        if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
        parts.push(part);
        break;
      }
      default:
        break;
    }
  }
  const res: IrResponse = {
    parts,
    stopReason: fromAnthropicStop(asString(body['stop_reason'])),
    stopSequence: asString(body['stop_sequence']) ?? null,
    usage: usageFromAnthropic(asObject(body['usage'])),
  };
  const id = asString(body['id']);
  if (id) res.id = id;
  const model = asString(body['model']);
  if (model) res.model = model;
  return res;
}
