/** OpenAI Chat Completions response (upstream) → internal representation. */
import type { IrPart, IrResponse } from '../core/ir.types';
import { decodeToolCallId } from '../core/ids.util';
import { asObject, asString, objectsOf, type JsonObject } from '../core/json.util';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';
import { openAiIdentity } from '../core/openai-envelope.util';

export function decodeOpenAiChatResponse(body: JsonObject): IrResponse {
  const choice = objectsOf(body['choices'])[0];
  const message = asObject(choice?.['message']) ?? {};
  const parts: IrPart[] = [];

  const blocks = objectsOf(message['thinking_blocks']);
  if (blocks.length > 0) {
    for (const b of blocks) {
      if (b['type'] === 'redacted_thinking') {
        const data = asString(b['data']);
        if (data) parts.push({ type: 'thinking', text: '', redactedData: data });
      } else {
        parts.push(applyReasoningSlot({ type: 'thinking', text: asString(b['thinking']) ?? '' }, 'anthropic-signature', asString(b['signature'])));
      }
    }
  } else {
    const rc = asString(message['reasoning_content']) ?? asString(message['reasoning']);
    if (rc) parts.push({ type: 'thinking', text: rc });
  }
  const content = asString(message['content']);
  if (content) parts.push({ type: 'text', text: content });
  const refusal = asString(message['refusal']);
  if (refusal) parts.push({ type: 'refusal', text: refusal });
  objectsOf(message['tool_calls']).forEach((tc, i) => {
    const fn = asObject(tc['function']);
    const decoded = decodeToolCallId(asString(tc['id']) ?? `call_${i}`);
    const part: IrPart = { type: 'tool_call', id: decoded.id, name: asString(fn?.['name']) ?? '', arguments: asString(fn?.['arguments']) ?? '' };
    if (decoded.thoughtSignature) part.thoughtSignature = decoded.thoughtSignature;
    parts.push(part);
  });
  const fc = asObject(message['function_call']);
  if (fc)
    parts.push({
      type: 'tool_call',
      id: `call_fn_${asString(fc['name']) ?? ''}`,
      name: asString(fc['name']) ?? '',
      arguments: asString(fc['arguments']) ?? '',
    });

  const res: IrResponse = {
    parts,
    stopReason: fromOpenAiFinish(asString(choice?.['finish_reason'])),
    usage: usageFromOpenAiChat(body['usage']),
  };
  return { ...res, ...openAiIdentity(body) };
}
