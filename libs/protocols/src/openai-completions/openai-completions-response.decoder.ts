/** OpenAI Completions answer (upstream) → internal representation: the first choice's text. */
import type { IrResponse } from '../core/ir.types';
import { asNumber, asString, objectsOf, type JsonObject } from '../core/json.util';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';

export function decodeOpenAiCompletionsResponse(body: JsonObject): IrResponse {
  const choice = objectsOf(body['choices']).find((c) => (asNumber(c['index']) ?? 0) === 0);
  const text = asString(choice?.['text']) ?? '';
  const res: IrResponse = {
    parts: text ? [{ type: 'text', text }] : [],
    stopReason: fromOpenAiFinish(asString(choice?.['finish_reason'])),
    usage: usageFromOpenAiChat(body['usage']),
  };
  const id = asString(body['id']);
  if (id) res.id = id;
  const model = asString(body['model']);
  if (model) res.model = model;
  const created = asNumber(body['created']);
  if (created !== undefined) res.created = created;
  return res;
}
