/** OpenAI Completions answer (upstream) → internal representation: the first choice's text. */
import type { IrResponse } from '../core/ir.types';
import { asNumber, asString, objectsOf, type JsonObject } from '../core/json.util';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';
import { openAiIdentity } from '../core/openai-envelope.util';

export function decodeOpenAiCompletionsResponse(body: JsonObject): IrResponse {
  const choice = objectsOf(body['choices']).find((c) => (asNumber(c['index']) ?? 0) === 0);
  const text = asString(choice?.['text']) ?? '';
  const res: IrResponse = {
    parts: text ? [{ type: 'text', text }] : [],
    stopReason: fromOpenAiFinish(asString(choice?.['finish_reason'])),
    usage: usageFromOpenAiChat(body['usage']),
  };
  return { ...res, ...openAiIdentity(body) };
}
