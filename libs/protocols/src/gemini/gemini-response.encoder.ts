/** Internal representation → Gemini generateContent response (for the client). */
import type { IrPart, IrResponse } from '../core/ir.types';
import { idBase } from '../core/ids.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toGeminiFinish } from '../core/stop-reason.map';
import { usageToGemini } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { parseToolArgumentsLenient } from '../core/tool-args.util';
import type { GeminiGenerateContentResponse, GeminiPart } from './gemini.types';

export function irPartToGemini(p: IrPart): GeminiPart | undefined {
  switch (p.type) {
    case 'text': {
      if (!p.text && !p.thoughtSignature) return undefined;
      return p.thoughtSignature ? { text: p.text, thoughtSignature: p.thoughtSignature } : { text: p.text };
    }
    case 'refusal':
      return { text: p.text };
    case 'thinking': {
      const sig = reasoningSlotValue(p, 'gemini-signature');
      return sig ? { text: p.text, thought: true, thoughtSignature: sig } : { text: p.text, thought: true };
    }
    case 'tool_call': {
      const gp: GeminiPart = { functionCall: { name: p.name, args: parseToolArgumentsLenient(p.arguments), id: p.id } };
      if (p.thoughtSignature) gp.thoughtSignature = p.thoughtSignature;
      return gp;
    }
    case 'image':
      return p.source.kind === 'base64' ? { inlineData: { mimeType: p.source.mediaType, data: p.source.data } } : undefined;
    default:
      return undefined;
  }
}

export function encodeGeminiResponse(ir: IrResponse, ctx: ConvertContext): GeminiGenerateContentResponse {
  const parts: GeminiPart[] = [];
  for (const p of ir.parts) {
    const gp = irPartToGemini(p);
    if (gp) parts.push(gp);
  }
  if (parts.length === 0) parts.push({ text: '' });
  const out: GeminiGenerateContentResponse = {
    candidates: [{ content: { role: 'model', parts }, finishReason: toGeminiFinish(ir.stopReason), index: 0 }],
    modelVersion: ctx.requestedModel,
    responseId: idBase(ctx),
  };
  if (ir.usage) out.usageMetadata = usageToGemini(ir.usage);
  return out;
}
