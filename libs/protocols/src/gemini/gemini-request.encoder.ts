/** Internal representation → Gemini generateContent request (model goes in the URL, not the body). */
import type { IrMessage, IrPart, IrRequest, IrToolResultContent } from '../core/ir.types';
import { normalizeConversation } from '../core/ir-build.util';
import { GEMINI_DUMMY_THOUGHT_SIGNATURE } from '../core/ids.util';
import { isObject, tryParseJson, type JsonObject } from '../core/json.util';
import { toGeminiSchema } from '../core/json-schema.util';
import { mediaTypeFromName } from '../core/media.util';
import { geminiBudget, geminiMajorVersion, geminiThinkingLevel } from '../core/reasoning.map';
import { reasoningSlotValue } from '../core/reasoning-carrier.util';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import type { GeminiContent, GeminiFunctionDeclaration, GeminiGenerateContentRequest, GeminiGenerationConfig, GeminiPart } from './gemini.types';

const MAX_STOP_SEQUENCES = 5;

export function encodeGeminiRequest(ir: IrRequest, ctx: ConvertContext): GeminiGenerateContentRequest {
  const conversation = normalizeConversation(ir.messages);
  const callNames = new Map<string, string>();
  for (const m of conversation) for (const p of m.parts) if (p.type === 'tool_call') callNames.set(p.id, p.name);
  const gemini3 = geminiMajorVersion(ctx.upstreamModel) >= 3;

  const contents: GeminiContent[] = [];
  for (const m of conversation) {
    const parts = encodeParts(m, callNames, gemini3);
    if (parts.length === 0) continue; // Gemini rejects empty parts (§10.4)
    const role = m.role === 'assistant' ? 'model' : 'user';
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  }
  if (contents.length === 0) throw new ProtocolError('contents must not be empty', { param: 'messages' });

  const req: GeminiGenerateContentRequest = { contents };
  const system = ir.system.filter((s) => s.text.length > 0).map((s) => ({ text: s.text }));
  if (system.length > 0) req.systemInstruction = { parts: system };

  if (ir.tools.length > 0) {
    req.tools = [
      {
        functionDeclarations: ir.tools.map((t) => {
          const fd: GeminiFunctionDeclaration = { name: t.name };
          if (t.description) fd.description = t.description;
          const params = t.parameters ? toGeminiSchema(t.parameters) : undefined;
          // An object with no properties is rejected: omit `parameters` entirely (new-api).
          if (params && !(params['type'] === 'object' && !isObject(params['properties']))) fd.parameters = params;
          return fd;
        }),
      },
    ];
    const c = ir.toolChoice;
    if (c) {
      if (c.type === 'tool') req.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [c.name] } };
      else if (c.type === 'none') req.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
      else if (c.type === 'required') {
        req.toolConfig = { functionCallingConfig: c.allowed ? { mode: 'ANY', allowedFunctionNames: c.allowed } : { mode: 'ANY' } };
      } else {
        req.toolConfig = { functionCallingConfig: c.allowed ? { mode: 'VALIDATED', allowedFunctionNames: c.allowed } : { mode: 'AUTO' } };
      }
    }
  }

  const gc: GeminiGenerationConfig = {};
  if (ir.temperature !== undefined) gc.temperature = ir.temperature;
  if (ir.topP !== undefined) gc.topP = ir.topP;
  if (ir.topK !== undefined) gc.topK = ir.topK;
  if (ir.n !== undefined) gc.candidateCount = ir.n;
  if (ir.maxOutputTokens !== undefined) gc.maxOutputTokens = ir.maxOutputTokens;
  if (ir.stop && ir.stop.length > 0) gc.stopSequences = ir.stop.slice(0, MAX_STOP_SEQUENCES);
  if (ir.presencePenalty !== undefined) gc.presencePenalty = ir.presencePenalty;
  if (ir.frequencyPenalty !== undefined) gc.frequencyPenalty = ir.frequencyPenalty;
  if (ir.seed !== undefined) gc.seed = ir.seed;
  if (ir.logprobs) {
    gc.responseLogprobs = true;
    if (ir.topLogprobs !== undefined && ir.topLogprobs > 0) gc.logprobs = Math.min(ir.topLogprobs, 20);
  }
  if (ir.responseFormat?.type === 'json_object') gc.responseMimeType = 'application/json';
  else if (ir.responseFormat?.type === 'json_schema') {
    gc.responseMimeType = 'application/json';
    gc.responseSchema = toGeminiSchema(ir.responseFormat.schema);
  }
  if (ir.reasoning) {
    const tc: NonNullable<GeminiGenerationConfig['thinkingConfig']> = {};
    if (gemini3 && ir.reasoning.effort && ir.reasoning.budgetTokens === undefined) {
      tc.thinkingLevel = geminiThinkingLevel(ir.reasoning.effort);
    } else {
      let budget = geminiBudget(ir.reasoning);
      if (budget === 0 && /2\.5-pro/.test(ctx.upstreamModel)) budget = 128; // 2.5 Pro cannot turn thinking off
      if (budget !== undefined) tc.thinkingBudget = budget;
    }
    if (ir.reasoning.includeThoughts && ir.reasoning.effort !== 'none') tc.includeThoughts = true;
    if (Object.keys(tc).length > 0) gc.thinkingConfig = tc;
  }
  if (Object.keys(gc).length > 0) req.generationConfig = gc;
  return req;
}

function encodeParts(m: IrMessage, callNames: Map<string, string>, gemini3: boolean): GeminiPart[] {
  const out: GeminiPart[] = [];
  let firstCallInTurn = true;
  for (const p of m.parts) {
    const gp = encodePart(p, callNames);
    if (!gp) continue;
    if (gp.functionCall) {
      // Gemini 3 rejects replayed calls without a signature; the first call of a turn carries it.
      if (!gp.thoughtSignature && gemini3 && firstCallInTurn) gp.thoughtSignature = GEMINI_DUMMY_THOUGHT_SIGNATURE;
      firstCallInTurn = false;
    }
    out.push(gp);
  }
  return out;
}

function encodePart(p: IrPart, callNames: Map<string, string>): GeminiPart | undefined {
  switch (p.type) {
    case 'text': {
      if (p.text.length === 0 && !p.thoughtSignature) return undefined;
      const gp: GeminiPart = { text: p.text };
      if (p.thoughtSignature) gp.thoughtSignature = p.thoughtSignature;
      return gp;
    }
    case 'refusal':
      return p.text ? { text: p.text } : undefined;
    case 'thinking': {
      // Only Gemini's own thought parts are meaningful to Gemini; others are dropped.
      const sig = reasoningSlotValue(p, 'gemini-signature');
      if (!p.thoughtSignature || !sig || !p.text) return undefined;
      return { text: p.text, thought: true, thoughtSignature: sig };
    }
    case 'image':
    case 'file': {
      const src = p.source;
      if (src.kind === 'base64') return { inlineData: { mimeType: src.mediaType, data: src.data } };
      if (src.kind === 'url') {
        // No network access here: remote URLs go as fileData (works for Files API / GCS URIs).
        const mimeType = src.mediaType ?? mediaTypeFromName(src.url) ?? (p.type === 'image' ? 'image/jpeg' : 'application/octet-stream');
        return { fileData: { mimeType, fileUri: src.url } };
      }
      return { fileData: { fileUri: src.fileId, ...(src.mediaType ? { mimeType: src.mediaType } : {}) } };
    }
    case 'audio':
      return { inlineData: { mimeType: p.mediaType, data: p.data } };
    case 'tool_call': {
      const args = p.arguments.trim() === '' ? {} : tryParseJson(p.arguments);
      if (!isObject(args)) throw new ProtocolError(`Tool call '${p.name}' has arguments that are not a JSON object`, { param: 'messages' });
      const gp: GeminiPart = { functionCall: { name: p.name, args } };
      if (p.thoughtSignature) gp.thoughtSignature = p.thoughtSignature;
      return gp;
    }
    case 'tool_result': {
      const name = p.name ?? callNames.get(p.toolCallId) ?? 'tool';
      return { functionResponse: { name, response: responseObject(p.content, p.isError) } };
    }
  }
}

/** `functionResponse.response` must be an object: JSON objects pass, anything else is wrapped (§9.7). */
function responseObject(content: IrToolResultContent[], isError: boolean | undefined): JsonObject {
  const text = content.flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
  const parsed = tryParseJson(text);
  if (isObject(parsed) && !isError) return parsed;
  return isError ? { error: text } : { content: text };
}
