/** Gemini generateContent request (camelCase or snake_case) → internal representation. */
import type { IrEffort, IrMessage, IrPart, IrRequest, IrTextPart, IrTool, IrToolChoice, IrToolResultContent } from '../core/ir.types';
import { pushParts, textPart } from '../core/ir-build.util';
import { decodeToolCallId } from '../core/ids.util';
import { asArray, asBoolean, asNumber, asObject, asString, field, isObject, objectsOf, stringsOf, type JsonObject } from '../core/json.util';
import { fromGeminiSchema, normalizeJsonSchemaTypes } from '../core/json-schema.util';
import { applyReasoningSlot } from '../core/reasoning-carrier.util';
import { ProtocolError } from '../protocol.error';

interface PendingCall {
  id: string;
  name: string;
  answered: boolean;
}

export function decodeGeminiRequest(body: JsonObject): IrRequest {
  const contents = asArray(body['contents']);
  if (!contents) throw new ProtocolError('contents is required', { param: 'contents' });
  const system: IrTextPart[] = systemOf(field(body, 'systemInstruction'));
  const messages: IrMessage[] = [];
  let pending: PendingCall[] = [];
  let synth = 0;

  contents.forEach((raw, turn) => {
    if (!isObject(raw)) throw new ProtocolError(`contents[${turn}] must be an object`, { param: `contents[${turn}]` });
    const role = raw['role'] === 'model' ? 'assistant' : 'user';
    const parts: IrPart[] = [];
    if (role === 'assistant') pending = [];
    objectsOf(raw['parts']).forEach((p, i) => {
      const fc = asObject(field(p, 'functionCall'));
      const fr = asObject(field(p, 'functionResponse'));
      const sig = asString(field(p, 'thoughtSignature'));
      if (fc) {
        const name = asString(fc['name']) ?? '';
        const decoded = decodeToolCallId(asString(fc['id']) ?? `call_g${turn}_${i}`);
        const part: IrPart = { type: 'tool_call', id: decoded.id, name, arguments: JSON.stringify(isObject(fc['args']) ? fc['args'] : {}) };
        const ts = sig ?? decoded.thoughtSignature;
        if (ts) part.thoughtSignature = ts;
        pending.push({ id: decoded.id, name, answered: false });
        parts.push(part);
      } else if (fr) {
        const name = asString(fr['name']) ?? '';
        const frId = asString(fr['id']);
        // Gemini matches results by name (ids are optional): pair with the earliest unanswered call.
        let match = frId ? pending.find((c) => c.id === decodeToolCallId(frId).id && !c.answered) : undefined;
        match ??= pending.find((c) => c.name === name && !c.answered);
        if (match) match.answered = true;
        const part: IrPart = {
          type: 'tool_result',
          toolCallId: match?.id ?? `call_${name || 'fn'}_${synth++}`,
          name,
          content: responseContent(fr['response']),
        };
        parts.push(part);
      } else if (typeof p['text'] === 'string') {
        if (p['thought'] === true) {
          const prev = parts[parts.length - 1];
          // A streamed signature arrives as its own empty thought part: it belongs to the thought before it.
          if (
            p['text'] === '' &&
            sig &&
            prev?.type === 'thinking' &&
            !prev.signature &&
            !prev.thoughtSignature &&
            !prev.encryptedContent &&
            !prev.redactedData
          ) {
            applyReasoningSlot(prev, 'gemini-signature', sig);
          } else {
            parts.push(applyReasoningSlot({ type: 'thinking', text: p['text'] }, 'gemini-signature', sig));
          }
        } else {
          const tp = textPart(p['text']);
          if (sig) tp.thoughtSignature = sig;
          parts.push(tp);
        }
      } else {
        const media = mediaPart(p);
        if (media) parts.push(media);
      }
    });
    pushParts(messages, role, parts);
  });

  const req: IrRequest = { system, messages, tools: toolsOf(body['tools']) };
  const fcc = asObject(field(asObject(field(body, 'toolConfig')), 'functionCallingConfig'));
  if (fcc) {
    const choice = toolChoiceOf(fcc);
    if (choice) req.toolChoice = choice;
  }
  const gc = asObject(field(body, 'generationConfig')) ?? {};
  const num = (k: string): number | undefined => asNumber(field(gc, k));
  const assign = <K extends 'temperature' | 'topP' | 'topK' | 'n' | 'maxOutputTokens' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'topLogprobs'>(
    key: K,
    v: number | undefined,
  ): void => {
    if (v !== undefined) req[key] = v;
  };
  assign('temperature', num('temperature'));
  assign('topP', num('topP'));
  assign('topK', num('topK'));
  assign('n', num('candidateCount'));
  assign('maxOutputTokens', num('maxOutputTokens'));
  assign('seed', num('seed'));
  assign('presencePenalty', num('presencePenalty'));
  assign('frequencyPenalty', num('frequencyPenalty'));
  assign('topLogprobs', num('logprobs'));
  const stops = stringsOf(field(gc, 'stopSequences'));
  if (stops.length > 0) req.stop = stops;
  const rl = asBoolean(field(gc, 'responseLogprobs'));
  if (rl !== undefined) req.logprobs = rl;

  if (asString(field(gc, 'responseMimeType')) === 'application/json') {
    const jsonSchema = asObject(field(gc, 'responseJsonSchema'));
    const schema = asObject(field(gc, 'responseSchema'));
    if (jsonSchema) req.responseFormat = { type: 'json_schema', schema: normalizeJsonSchemaTypes(jsonSchema) };
    else if (schema) req.responseFormat = { type: 'json_schema', schema: fromGeminiSchema(schema) };
    else req.responseFormat = { type: 'json_object' };
  }
  const tc = asObject(field(gc, 'thinkingConfig'));
  if (tc) {
    req.reasoning = {};
    const budget = asNumber(field(tc, 'thinkingBudget'));
    if (budget !== undefined) req.reasoning.budgetTokens = budget;
    const include = asBoolean(field(tc, 'includeThoughts'));
    if (include !== undefined) req.reasoning.includeThoughts = include;
    const level = asString(field(tc, 'thinkingLevel'));
    if (level) {
      const effort = level.toLowerCase();
      if (['minimal', 'low', 'medium', 'high'].includes(effort)) req.reasoning.effort = effort as IrEffort;
    }
  }
  return req;
}

function systemOf(v: unknown): IrTextPart[] {
  if (typeof v === 'string') return [textPart(v)];
  const o = asObject(v);
  if (!o) return [];
  return objectsOf(o['parts'])
    .filter((p) => typeof p['text'] === 'string' && p['text'].length > 0)
    .map((p) => textPart(p['text'] as string));
}

/** `functionResponse.response` is an object; unwrap the `{content|output|result: "…"}` wrappers peers use. */
function responseContent(response: unknown): IrToolResultContent[] {
  const o = asObject(response);
  if (!o) return [{ type: 'text', text: typeof response === 'string' ? response : JSON.stringify(response ?? {}) }];
  const keys = Object.keys(o);
  if (keys.length === 1 && ['content', 'output', 'result'].includes(keys[0]) && typeof o[keys[0]] === 'string') {
    return [{ type: 'text', text: o[keys[0]] as string }];
  }
  return [{ type: 'text', text: JSON.stringify(o) }];
}

function mediaPart(p: JsonObject): IrPart | undefined {
  const inline = asObject(field(p, 'inlineData'));
  if (inline) {
    const mediaType = asString(field(inline, 'mimeType')) ?? 'application/octet-stream';
    const data = asString(inline['data']) ?? '';
    if (mediaType.startsWith('image/')) return { type: 'image', source: { kind: 'base64', mediaType, data } };
    if (mediaType.startsWith('audio/')) return { type: 'audio', data, mediaType };
    return { type: 'file', source: { kind: 'base64', mediaType, data } };
  }
  const fd = asObject(field(p, 'fileData'));
  if (fd) {
    const url = asString(field(fd, 'fileUri')) ?? '';
    const mediaType = asString(field(fd, 'mimeType'));
    const source = mediaType ? { kind: 'url' as const, url, mediaType } : { kind: 'url' as const, url };
    if (mediaType?.startsWith('image/')) return { type: 'image', source };
    return { type: 'file', source };
  }
  return undefined;
}

function toolsOf(v: unknown): IrTool[] {
  const tools: IrTool[] = [];
  for (const t of objectsOf(v)) {
    for (const fd of objectsOf(field(t, 'functionDeclarations'))) {
      const name = asString(fd['name']);
      if (!name) continue;
      const tool: IrTool = { name };
      const description = asString(fd['description']);
      if (description) tool.description = description;
      const jsonSchema = asObject(field(fd, 'parametersJsonSchema'));
      const params = asObject(fd['parameters']);
      if (jsonSchema) tool.parameters = normalizeJsonSchemaTypes(jsonSchema);
      else if (params) tool.parameters = fromGeminiSchema(params);
      tools.push(tool);
    }
  }
  return tools;
}

function toolChoiceOf(fcc: JsonObject): IrToolChoice | undefined {
  const mode = asString(fcc['mode']);
  const allowed = stringsOf(field(fcc, 'allowedFunctionNames'));
  switch (mode) {
    case 'AUTO':
      return { type: 'auto' };
    case 'NONE':
      return { type: 'none' };
    case 'ANY':
      if (allowed.length === 1) return { type: 'tool', name: allowed[0] };
      return allowed.length > 1 ? { type: 'required', allowed } : { type: 'required' };
    case 'VALIDATED':
      return allowed.length > 0 ? { type: 'auto', allowed } : { type: 'auto' };
    default:
      return undefined;
  }
}
