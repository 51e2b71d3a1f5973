/** Cohere Chat v2 answer → internal representation. */
import type { IrPart, IrResponse } from '../core/ir.types';
import { asObject, asString, objectsOf, type JsonObject } from '../core/json.util';
import { fromCohereFinish, usageFromCohere } from './cohere-chat.map';

/**
 * `{ id, finish_reason, message: { role, content: [{ type: text|thinking }], tool_plan, tool_calls, citations }, usage }`.
 * The tool plan is the model's words before its calls: other protocols carry those as text beside the calls.
 */
export function decodeCohereChatResponse(body: JsonObject): IrResponse {
  const message = asObject(body['message']) ?? {};
  const parts: IrPart[] = [];
  let text = '';
  for (const c of objectsOf(message['content'])) {
    if (c['type'] === 'thinking') {
      const thinking = asString(c['thinking']);
      if (thinking) parts.push({ type: 'thinking', text: thinking });
    } else {
      text += asString(c['text']) ?? '';
    }
  }
  // Older answers and some proxies send content as a plain string.
  if (typeof message['content'] === 'string') text += message['content'];
  const plan = asString(message['tool_plan']);
  if (!text && plan) text = plan;
  if (text) parts.push({ type: 'text', text });
  let calls = 0;
  for (const call of objectsOf(message['tool_calls'])) {
    const fn = asObject(call['function']) ?? {};
    parts.push({
      type: 'tool_call',
      id: asString(call['id']) ?? `call_${calls}`,
      name: asString(fn['name']) ?? '',
      arguments: asString(fn['arguments']) || '{}',
    });
    calls++;
  }
  const out: IrResponse = { parts, stopReason: fromCohereFinish(asString(body['finish_reason']), calls > 0), usage: usageFromCohere(body['usage']) };
  const id = asString(body['id']);
  if (id) out.id = id;
  return out;
}
