/** Internal representation → Gemini generateContent response (for the client). */
import type { IrPart, IrResponse } from '../core/ir.types';
import { idBase } from '../core/ids.util';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import { toGeminiFinish } from '../core/stop-reason.map';
import { usageToGemini } from '../core/usage.map';
import type { ConvertContext } from '../protocol.types';
import { parseToolArgumentsLenient } from '../core/tool-args.util';
import type { IrCitation, IrWebSearch } from '../core/ir.types';
import type { GeminiGenerateContentResponse, GeminiGroundingMetadata, GeminiPart } from './gemini.types';

/**
 * A web search as Gemini's grounding metadata. Segment offsets are UTF-8 byte offsets as Gemini's are; `text` is the
 * whole answer text the citations' (UTF-16) offsets refer to.
 */
export function geminiGrounding(search: IrWebSearch, citations: readonly IrCitation[], text: string): GeminiGroundingMetadata {
  const chunkOf = new Map(search.sources.map((s, i) => [s.url, i]));
  const bytes = (i: number): number => Buffer.byteLength(text.slice(0, i), 'utf8');
  return {
    webSearchQueries: [search.query],
    groundingChunks: search.sources.map((s) => ({ web: { uri: s.url, title: s.title } })),
    groundingSupports: citations
      .filter((c) => chunkOf.has(c.url))
      .map((c) => ({
        segment: { startIndex: bytes(c.startIndex), endIndex: bytes(c.endIndex), text: text.slice(c.startIndex, c.endIndex) },
        groundingChunkIndices: [chunkOf.get(c.url)!],
      })),
  };
}

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
  let text = '';
  const citations: IrCitation[] = [];
  for (const p of ir.parts) {
    const gp = irPartToGemini(p);
    if (gp) parts.push(gp);
    if (p.type !== 'text') continue;
    for (const c of p.citations ?? []) citations.push({ ...c, startIndex: c.startIndex + text.length, endIndex: c.endIndex + text.length });
    text += p.text;
  }
  if (parts.length === 0) parts.push({ text: '' });
  const out: GeminiGenerateContentResponse = {
    candidates: [{ content: { role: 'model', parts }, finishReason: toGeminiFinish(ir.stopReason), index: 0 }],
    modelVersion: ctx.requestedModel,
    responseId: idBase(ctx),
  };
  if (ir.webSearch) out.candidates[0].groundingMetadata = geminiGrounding(ir.webSearch, citations, text);
  if (ir.usage) out.usageMetadata = usageToGemini(ir.usage);
  return out;
}
