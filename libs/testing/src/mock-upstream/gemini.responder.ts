import { embedVector, toNumberArray } from './embedding.util';
import { asArray, asNumber, asRecord, asString, fnv1a, isRecord, pick, type JsonRecord } from './json.util';
import { errorReply, jsonReply, type MockReply, type RequestContext, type StreamEvent } from './mock-reply.types';
import { buildPlan, countWords, promptTokens, toolCallTokens, type NeutralMessage, type NeutralRequest, type ThinkingMode } from './reply-plan.builder';
import { sseEvent } from './sse.util';
import { geminiError, vendorError } from './vendor-error.bodies';

export const GEMINI_MODELS = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.5-flash-lite',
  'gemini-3-pro-preview',
  'text-embedding-004',
  'gemini-embedding-001',
];

const DATA_FIELDS = [
  'text',
  'inlineData',
  'inline_data',
  'fileData',
  'file_data',
  'functionCall',
  'function_call',
  'functionResponse',
  'function_response',
  'executableCode',
  'executable_code',
  'codeExecutionResult',
  'code_execution_result',
];

export function thoughtSignature(seed: string): string {
  return Buffer.from(`mock-thought:${fnv1a(seed).toString(16)}:${'A'.repeat(16)}`).toString('base64');
}

function invalid(message: string): MockReply {
  return errorReply(geminiError(400, message));
}

/** A functionResponse.response object as the text the reply quotes (`{"content": s}` wrappers unwrapped). */
function responseText(resp: unknown): string {
  if (isRecord(resp)) {
    const keys = Object.keys(resp);
    if (keys.length === 1 && ['content', 'output', 'result'].includes(keys[0]) && typeof resp[keys[0]] === 'string') return resp[keys[0]] as string;
  }
  return JSON.stringify(resp ?? {});
}

function generateBody(ctx: RequestContext): JsonRecord {
  const b = asRecord(ctx.body);
  // countTokens also accepts a wrapped request.
  const wrapped = pick(b, 'generateContentRequest', 'generate_content_request');
  return isRecord(wrapped) ? wrapped : b;
}

function partsOf(content: unknown): JsonRecord[] {
  return asArray(asRecord(content).parts).map(asRecord);
}

function validate(body: JsonRecord, model: string): MockReply | undefined {
  const contents = asArray(body.contents);
  if (contents.length === 0) return invalid('* GenerateContentRequest.contents: contents is not specified\n');
  for (let i = 0; i < contents.length; i++) {
    const c = asRecord(contents[i]);
    const role = c.role;
    if (role !== undefined && role !== 'user' && role !== 'model' && role !== 'function' && role !== '')
      return invalid('Please use a valid role: user, model.');
    const parts = asArray(c.parts);
    if (parts.length === 0) return invalid(`* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`);
    for (let j = 0; j < parts.length; j++) {
      const p = asRecord(parts[j]);
      if (!DATA_FIELDS.some((f) => p[f] !== undefined))
        return invalid(`* GenerateContentRequest.contents[${i}].parts[${j}].data: required oneof field 'data' must have one initialized field\n`);
      if (p.text === '' && !pick(p, 'thoughtSignature', 'thought_signature'))
        return invalid('Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.');
    }
  }

  const isCall = (p: JsonRecord): boolean => pick(p, 'functionCall', 'function_call') !== undefined;
  const isResp = (p: JsonRecord): boolean => pick(p, 'functionResponse', 'function_response') !== undefined;
  for (let i = 0; i < contents.length; i++) {
    const c = asRecord(contents[i]);
    if (c.role !== 'model') continue;
    const calls = partsOf(c).filter(isCall).length;
    if (calls === 0) continue;
    const prev = i > 0 ? asRecord(contents[i - 1]) : undefined;
    if (!prev || prev.role === 'model')
      return invalid('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
    if (i + 1 < contents.length) {
      const responses = partsOf(contents[i + 1]).filter(isResp).length;
      if (responses !== calls)
        return invalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
    }
  }

  // Gemini 3 requires the first functionCall of each model turn of the current turn to carry its signature.
  if (model.includes('gemini-3')) {
    let lastUserText = -1;
    contents.forEach((c, i) => {
      const r = asRecord(c);
      if (r.role !== 'model' && partsOf(r).some((p) => typeof p.text === 'string' && p.text !== '')) lastUserText = i;
    });
    for (let i = lastUserText + 1; i < contents.length; i++) {
      const c = asRecord(contents[i]);
      if (c.role !== 'model') continue;
      const parts = partsOf(c);
      const j = parts.findIndex(isCall);
      if (j >= 0 && !pick(parts[j], 'thoughtSignature', 'thought_signature')) {
        const name = asString(asRecord(pick(parts[j], 'functionCall', 'function_call')).name) ?? '';
        return invalid(
          `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${j + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
        );
      }
    }
  }
  return undefined;
}

export function geminiToNeutral(body: JsonRecord, model: string): NeutralRequest {
  const system: string[] = [];
  const sys = pick(body, 'systemInstruction', 'system_instruction');
  if (typeof sys === 'string') system.push(sys);
  else for (const p of partsOf(sys)) if (typeof p.text === 'string' && p.text) system.push(p.text);

  const messages: NeutralMessage[] = [];
  for (const raw of asArray(body.contents)) {
    const c = asRecord(raw);
    const msg: NeutralMessage = { role: c.role === 'model' ? 'assistant' : 'user', texts: [], toolCalls: [], toolResults: [] };
    for (const p of partsOf(c)) {
      if (typeof p.text === 'string' && p.text && p.thought !== true) msg.texts.push(p.text);
      const fc = pick(p, 'functionCall', 'function_call');
      if (isRecord(fc)) msg.toolCalls.push({ id: asString(fc.id), name: asString(fc.name) ?? '', argsJson: JSON.stringify(fc.args ?? {}) });
      const fr = pick(p, 'functionResponse', 'function_response');
      if (isRecord(fr)) msg.toolResults.push({ id: asString(fr.id), name: asString(fr.name), text: responseText(fr.response) });
    }
    messages.push(msg);
  }

  let toolsOffered = false;
  for (const t of asArray(body.tools)) {
    if (asArray(pick(asRecord(t), 'functionDeclarations', 'function_declarations')).length > 0) toolsOffered = true;
  }
  const toolConfig = asRecord(pick(body, 'toolConfig', 'tool_config'));
  const fcc = asRecord(pick(toolConfig, 'functionCallingConfig', 'function_calling_config'));
  if (fcc.mode === 'NONE') toolsOffered = false;

  const gen = asRecord(pick(body, 'generationConfig', 'generation_config'));
  const tc = asRecord(pick(gen, 'thinkingConfig', 'thinking_config'));
  let thinking: ThinkingMode = 'off';
  const budget = asNumber(pick(tc, 'thinkingBudget', 'thinking_budget'));
  if ((budget !== undefined && budget !== 0) || pick(tc, 'thinkingLevel', 'thinking_level') !== undefined) thinking = 'hidden';
  if (pick(tc, 'includeThoughts', 'include_thoughts') === true) thinking = 'visible';

  return {
    model,
    system,
    messages,
    toolsOffered,
    thinking,
    maxOutputTokens: asNumber(pick(gen, 'maxOutputTokens', 'max_output_tokens')),
  };
}

export function geminiGenerate(ctx: RequestContext, model: string, stream: boolean): MockReply {
  const body = generateBody(ctx);
  const bad = validate(body, model);
  if (bad) return bad;
  const plan = buildPlan(geminiToNeutral(body, model), ctx.shape);
  if (plan.errorStatus) return errorReply(vendorError('gemini', plan.errorStatus));
  const responseId = ctx.ids.next('', 22);
  const u = plan.usage;
  const prompt = u.input + u.cacheRead;
  const finishReason = plan.finish === 'length' ? 'MAX_TOKENS' : 'STOP';
  const usage = (candidates: number, thoughts: number): JsonRecord => {
    const m: JsonRecord = {
      promptTokenCount: prompt,
      candidatesTokenCount: candidates,
      totalTokenCount: prompt + candidates + thoughts,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
    };
    if (u.cacheRead > 0) {
      m.cachedContentTokenCount = u.cacheRead;
      m.cacheTokensDetails = [{ modality: 'TEXT', tokenCount: u.cacheRead }];
    }
    if (thoughts > 0) m.thoughtsTokenCount = thoughts;
    return m;
  };
  const totalCandidates = u.output - u.reasoning;
  const sig = thoughtSignature(`${responseId}:${plan.text}:${plan.toolCalls.map((c) => c.name).join(',')}`);
  const callPart = (i: number): JsonRecord => {
    const c = plan.toolCalls[i];
    const part: JsonRecord = { functionCall: { name: c.name, args: c.args } };
    // In parallel calls only the first functionCall part carries the signature, as on the real API.
    if (i === 0) part.thoughtSignature = sig;
    return part;
  };
  const response = (parts: JsonRecord[], finish: string | undefined, usageMeta: JsonRecord): JsonRecord => {
    const cand: JsonRecord = { content: { parts, role: 'model' } };
    if (finish) cand.finishReason = finish;
    cand.index = 0;
    return { candidates: [cand], usageMetadata: usageMeta, modelVersion: model, responseId };
  };

  if (!stream) {
    const parts: JsonRecord[] = [];
    if (plan.reasoningVisible) parts.push({ text: plan.reasoning, thought: true });
    if (plan.text) parts.push({ text: plan.text, thoughtSignature: sig });
    plan.toolCalls.forEach((_c, i) => parts.push(callPart(i)));
    return jsonReply(response(parts, finishReason, usage(totalCandidates, u.reasoning)));
  }

  const sse = ctx.query.get('alt') === 'sse';
  const events: StreamEvent[] = [];
  const push = (obj: JsonRecord, paced: boolean): void => {
    events.push({ data: sse ? sseEvent(obj, undefined, '\r\n\r\n') : JSON.stringify(obj), paced });
  };
  let cand = 0;
  let thoughts = 0;
  if (plan.reasoningVisible) {
    for (const r of plan.reasoningChunks) {
      thoughts = Math.min(u.reasoning, thoughts + countWords(r));
      push(response([{ text: r, thought: true }], undefined, usage(cand, thoughts)), true);
    }
  }
  thoughts = u.reasoning;
  for (const t of plan.textChunks) {
    cand = Math.min(totalCandidates, cand + countWords(t));
    push(response([{ text: t }], undefined, usage(cand, thoughts)), true);
  }
  plan.toolCalls.forEach((c, i) => {
    cand = Math.min(totalCandidates, cand + toolCallTokens(c.argsJson));
    push(response([callPart(i)], undefined, usage(cand, thoughts)), true);
  });
  const lastPart: JsonRecord = plan.toolCalls.length > 0 ? { text: '' } : { text: '', thoughtSignature: sig };
  push(response([lastPart], finishReason, usage(totalCandidates, u.reasoning)), false);

  return {
    kind: 'stream',
    contentType: sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
    framing: sse ? 'sse' : 'json-array',
    events,
    delayMs: plan.delayMs,
    inStreamError: (status) => {
      const body = JSON.stringify(geminiError(status).body);
      return [sse ? `data: ${body}\r\n\r\n` : body];
    },
  };
}

export function geminiCountTokens(ctx: RequestContext, model: string): MockReply {
  const body = generateBody(ctx);
  const n = asArray(body.contents).length === 0 ? 0 : promptTokens(geminiToNeutral(body, model));
  return jsonReply({ totalTokens: n, promptTokensDetails: [{ modality: 'TEXT', tokenCount: n }] });
}

function embedOne(req: JsonRecord, where: string): { values: number[] } | MockReply {
  const content = asRecord(req.content);
  const texts = partsOf(content)
    .map((p) => asString(p.text) ?? '')
    .filter((t) => t);
  if (!isRecord(req.content) || texts.length === 0) return invalid(`* ${where}.content: content is not specified\n`);
  const dims = asNumber(pick(req, 'outputDimensionality', 'output_dimensionality')) ?? 768;
  if (!Number.isInteger(dims) || dims < 1 || dims > 3072) return invalid(`* ${where}.output_dimensionality: must be between 1 and 3072\n`);
  return { values: toNumberArray(embedVector(texts.join(' '), dims)) };
}

export function geminiEmbed(ctx: RequestContext): MockReply {
  const r = embedOne(asRecord(ctx.body), 'EmbedContentRequest');
  return 'kind' in r ? r : jsonReply({ embedding: r });
}

export function geminiBatchEmbed(ctx: RequestContext): MockReply {
  const requests = asArray(asRecord(ctx.body).requests);
  if (requests.length === 0) return invalid('* BatchEmbedContentsRequest.requests: requests is not specified\n');
  const embeddings: { values: number[] }[] = [];
  for (let i = 0; i < requests.length; i++) {
    const r = embedOne(asRecord(requests[i]), `BatchEmbedContentsRequest.requests[${i}]`);
    if ('kind' in r) return r;
    embeddings.push(r);
  }
  return jsonReply({ embeddings });
}

function modelInfo(id: string): JsonRecord {
  const embedding = id.includes('embedding');
  return {
    name: `models/${id}`,
    version: '001',
    displayName: id,
    description: `Mock ${id}`,
    inputTokenLimit: embedding ? 2048 : 1048576,
    outputTokenLimit: embedding ? 1 : 65536,
    supportedGenerationMethods: embedding ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'countTokens', 'streamGenerateContent'],
    ...(embedding ? {} : { temperature: 1, topP: 0.95, topK: 64, maxTemperature: 2, thinking: true }),
  };
}

export function geminiModels(ctx: RequestContext, id?: string): MockReply {
  if (id !== undefined) return jsonReply(modelInfo(id));
  const size = Math.max(1, Math.min(1000, Number(ctx.query.get('pageSize') ?? 50) || 50));
  const start = Number(ctx.query.get('pageToken') ?? 0) || 0;
  const page = GEMINI_MODELS.slice(start, start + size);
  const body: JsonRecord = { models: page.map(modelInfo) };
  if (start + size < GEMINI_MODELS.length) body.nextPageToken = String(start + size);
  return jsonReply(body);
}
