/** OpenAI Responses response object (upstream) → internal representation. */
import type { IrPart, IrResponse, IrThinkingPart } from '../core/ir.types';
import { decodeToolCallId, unpackReasoning } from '../core/ids.util';
import { asNumber, asObject, asString, objectsOf, type JsonObject } from '../core/json.util';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { fromResponsesStatus } from '../core/stop-reason.map';
import { usageFromResponses } from '../core/usage.map';

export function responsesItemToParts(item: JsonObject): IrPart[] {
  switch (item['type']) {
    case 'message': {
      const parts: IrPart[] = [];
      for (const c of objectsOf(item['content'])) {
        if (c['type'] === 'output_text' && typeof c['text'] === 'string' && c['text']) parts.push({ type: 'text', text: c['text'] });
        else if (c['type'] === 'refusal' && typeof c['refusal'] === 'string') parts.push({ type: 'refusal', text: c['refusal'] });
      }
      return parts;
    }
    case 'function_call': {
      const decoded = decodeToolCallId(asString(item['call_id']) ?? asString(item['id']) ?? '');
      const part: IrPart = { type: 'tool_call', id: decoded.id, name: asString(item['name']) ?? '', arguments: asString(item['arguments']) ?? '' };
      if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
      return [part];
    }
    case 'reasoning':
      return [reasoningPart(item)];
    default:
      return [];
  }
}

export function reasoningPart(item: JsonObject): IrThinkingPart {
  const summary = objectsOf(item['summary']).map((s) => asString(s['text']) ?? '');
  const raw = objectsOf(item['content']).map((s) => asString(s['text']) ?? '');
  const encrypted = asString(item['encrypted_content']);
  const part = applyReasoningSlot({ type: 'thinking', text: (summary.length > 0 ? summary : raw).join('\n\n') }, 'responses-encrypted', encrypted);
  const id = asString(item['id']);
  if (id && !unpackReasoning(encrypted)) part.reasoningId = id;
  return part;
}

export function decodeResponsesResponse(body: JsonObject): IrResponse {
  const parts = objectsOf(body['output']).flatMap(responsesItemToParts);
  const res: IrResponse = {
    parts,
    stopReason: fromResponsesStatus(
      asString(body['status']),
      asString(asObject(body['incomplete_details'])?.['reason']),
      parts.some((p) => p.type === 'tool_call'),
    ),
    usage: usageFromResponses(body['usage']),
  };
  const id = asString(body['id']);
  if (id) res.id = id;
  const model = asString(body['model']);
  if (model) res.model = model;
  const created = asNumber(body['created_at']);
  if (created !== undefined) res.created = created;
  return res;
}
