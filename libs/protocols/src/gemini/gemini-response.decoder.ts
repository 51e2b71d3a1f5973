/** Gemini generateContent response (upstream) → internal representation. */
import type { IrPart, IrResponse } from '../core/ir.types';
import { idBase } from '../core/ids.util';
import { asObject, asString, field, isObject, objectsOf, type JsonObject } from '../core/json.util';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { fromGeminiFinish } from '../core/stop-reason.map';
import { usageFromGemini } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';

/** Gemini function calls usually have no id: synthesise a stable, request-unique one (§10.12). */
export function geminiCallId(ctx: ConvertContext | undefined, index: number): string {
  return ctx ? `call_${idBase(ctx)}_${index}` : `call_${index}`;
}

export function decodeGeminiResponse(body: JsonObject, ctx?: ConvertContext): IrResponse {
  const candidate = objectsOf(body['candidates'])[0];
  const parts: IrPart[] = [];
  let calls = 0;
  for (const p of objectsOf(asObject(candidate?.['content'])?.['parts'])) {
    const part = geminiPartToIr(p, ctx, () => calls++);
    if (part) parts.push(part);
  }
  const blocked = asString(asObject(body['promptFeedback'])?.['blockReason']);
  const res: IrResponse = {
    parts,
    stopReason: !candidate && blocked ? 'content_filter' : fromGeminiFinish(asString(candidate?.['finishReason']), calls > 0),
    usage: usageFromGemini(body['usageMetadata']),
  };
  const id = asString(body['responseId']);
  if (id) res.id = id;
  const model = asString(body['modelVersion']);
  if (model) res.model = model;
  return res;
}

export function geminiPartToIr(p: JsonObject, ctx: ConvertContext | undefined, nextCall: () => number): IrPart | undefined {
  const sig = asString(field(p, 'thoughtSignature'));
  const fc = asObject(field(p, 'functionCall'));
  if (fc) {
    const part: IrPart = {
      type: 'tool_call',
      id: asString(fc['id']) ?? geminiCallId(ctx, nextCall()),
      name: asString(fc['name']) ?? '',
      arguments: JSON.stringify(isObject(fc['args']) ? fc['args'] : {}),
    };
    if (asString(fc['id'])) nextCall();
    if (sig) part.thoughtSignature = sig;
    return part;
  }
  if (typeof p['text'] === 'string') {
    if (p['thought'] === true) return applyReasoningSlot({ type: 'thinking', text: p['text'] }, 'gemini-signature', sig);
    if (p['text'] === '' && !sig) return undefined;
    return sig ? { type: 'text', text: p['text'], thoughtSignature: sig } : { type: 'text', text: p['text'] };
  }
  const inline = asObject(field(p, 'inlineData'));
  if (inline) {
    return { type: 'image', source: { kind: 'base64', mediaType: asString(field(inline, 'mimeType')) ?? 'image/png', data: asString(inline['data']) ?? '' } };
  }
  return undefined;
}
