/** Internal representation → Cohere Chat v2 request (`POST /v2/chat`). */
import type { IrPart, IrRequest, IrTool, IrToolResultPart } from '../core/ir.types';
import { sourceToUrl } from '../core/media.util';
import { ProtocolError } from '../protocol.error';
import type { ConvertContext } from '../protocol.types';
import type { CohereChatRequest, CohereContentPart, CohereMessage, CohereTool } from './cohere-chat.types';

/** Cohere refuses more stop sequences (V2ChatRequest: "a list of up to 5 strings"). */
const MAX_STOP_SEQUENCES = 5;

export function encodeCohereChatRequest(ir: IrRequest, ctx: ConvertContext): CohereChatRequest {
  if (ir.n !== undefined && ir.n > 1) throw new ProtocolError('n > 1 is not supported by this model (Cohere upstream)', { param: 'n' });
  const messages: CohereMessage[] = [];
  const system = ir.system.map((p) => p.text).filter((t) => t.length > 0);
  if (system.length > 0) messages.push({ role: 'system', content: system.join('\n\n') });
  for (const m of ir.messages) {
    if (m.role !== 'assistant') messages.push(...userMessages(m.parts));
    else {
      // A turn with nothing Cohere can replay (only another vendor's reasoning) is left out: Cohere refuses empty turns.
      const turn = assistantMessage(m.parts);
      if (turn.content !== '') messages.push(turn);
    }
  }

  const req: CohereChatRequest = { model: ctx.upstreamModel, messages };
  if (ctx.stream) req.stream = true;
  const choice = ir.toolChoice;
  if (ir.tools.length > 0 && choice?.type !== 'none') {
    // Cohere can force "some tool" but not a named one: the named (or allowed) tools are the only ones offered.
    const only = choice?.type === 'tool' ? new Set([choice.name]) : choice?.allowed ? new Set(choice.allowed) : undefined;
    const tools = only ? ir.tools.filter((t) => only.has(t.name)) : ir.tools;
    if (tools.length > 0) {
      req.tools = tools.map(encodeTool);
      if (tools.some((t) => t.strict)) req.strict_tools = true;
      if (choice?.type === 'tool' || choice?.type === 'required') req.tool_choice = 'REQUIRED';
    }
  } else if (ir.tools.length > 0) {
    // `none`: the tools stay declared (the history may call them) and the model is told not to use one.
    req.tools = ir.tools.map(encodeTool);
    req.tool_choice = 'NONE';
  }
  if (ir.maxOutputTokens !== undefined) req.max_tokens = ir.maxOutputTokens;
  if (ir.temperature !== undefined) req.temperature = ir.temperature;
  // Cohere's p is bounded to 0.01..0.99; OpenAI clients commonly send top_p 1 meaning "no nucleus cut".
  if (ir.topP !== undefined) req.p = Math.min(0.99, Math.max(0.01, ir.topP));
  if (ir.topK !== undefined) req.k = Math.min(500, Math.max(0, Math.round(ir.topK)));
  if (ir.stop && ir.stop.length > 0) req.stop_sequences = ir.stop.slice(0, MAX_STOP_SEQUENCES);
  if (ir.seed !== undefined) req.seed = ir.seed;
  if (ir.frequencyPenalty !== undefined) req.frequency_penalty = ir.frequencyPenalty;
  if (ir.presencePenalty !== undefined) req.presence_penalty = ir.presencePenalty;
  if (ir.logprobs) req.logprobs = true;
  const rf = ir.responseFormat;
  if (rf?.type === 'json_object') req.response_format = { type: 'json_object' };
  else if (rf?.type === 'json_schema') req.response_format = { type: 'json_object', json_schema: rf.schema };
  // Only an explicit budget turns Cohere's thinking on: models without reasoning refuse the field.
  if (ir.reasoning?.budgetTokens !== undefined && ir.reasoning.budgetTokens > 0) {
    req.thinking = { type: 'enabled', token_budget: ir.reasoning.budgetTokens };
  } else if (ir.reasoning?.effort === 'none' && ir.reasoning.openAiEffort !== true) {
    req.thinking = { type: 'disabled' };
  }
  return req;
}

function encodeTool(t: IrTool): CohereTool {
  return {
    type: 'function',
    function: {
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      parameters: t.parameters ?? { type: 'object', properties: {} },
    },
  };
}

/** Text goes as `content`; with tool calls, Cohere carries the assistant's words as its `tool_plan`. */
function assistantMessage(parts: IrPart[]): Extract<CohereMessage, { role: 'assistant' }> {
  let text = '';
  const calls = [];
  for (const p of parts) {
    if (p.type === 'text' || p.type === 'refusal') text += p.text;
    else if (p.type === 'tool_call') calls.push({ id: p.id, type: 'function' as const, function: { name: p.name, arguments: p.arguments || '{}' } });
    // Reasoning from another vendor is not replayed: Cohere cannot verify it and it is not the model's own.
  }
  if (calls.length === 0) return { role: 'assistant', content: text };
  return text ? { role: 'assistant', tool_plan: text, tool_calls: calls } : { role: 'assistant', tool_calls: calls };
}

function contentPart(p: IrPart): CohereContentPart | undefined {
  switch (p.type) {
    case 'text':
    case 'refusal':
      return { type: 'text', text: p.text };
    case 'image': {
      const url = sourceToUrl(p.source);
      if (!url)
        throw new ProtocolError('Uploaded file ids cannot be sent to this model (Cohere upstream): send the image as a URL or data URL', { param: 'messages' });
      return { type: 'image_url', image_url: p.detail ? { url, detail: p.detail } : { url } };
    }
    case 'audio':
      throw new ProtocolError('Audio input is not supported by this model (Cohere upstream)', { param: 'messages' });
    case 'file':
      throw new ProtocolError('File input is not supported by this model (Cohere upstream)', { param: 'messages' });
    default:
      return undefined;
  }
}

/** A user turn: its tool results as `tool` messages first (Cohere wants them right after the calls), then the rest. */
function userMessages(parts: IrPart[]): CohereMessage[] {
  const out: CohereMessage[] = [];
  const rest: CohereContentPart[] = [];
  const carried: CohereContentPart[] = [];
  for (const p of parts) {
    if (p.type === 'tool_result') {
      const { text, media } = splitToolResult(p);
      out.push({ role: 'tool', tool_call_id: p.toolCallId, content: text });
      // A tool message holds text and documents only: its images follow in the user message.
      carried.push(...media);
    } else {
      const cp = contentPart(p);
      if (cp) rest.push(cp);
    }
  }
  const all = [...carried, ...rest];
  if (all.length > 0) {
    const only = all.length === 1 ? all[0] : undefined;
    out.push({ role: 'user', content: only?.type === 'text' ? only.text : all });
  }
  return out;
}

function splitToolResult(p: IrToolResultPart): { text: string; media: CohereContentPart[] } {
  const texts: string[] = [];
  const media: CohereContentPart[] = [];
  for (const c of p.content) {
    if (c.type === 'text') texts.push(c.text);
    else {
      const cp = contentPart(c);
      if (cp) media.push(cp);
    }
  }
  const text = texts.join('\n');
  return { text: p.isError ? `Error: ${text}` : text, media };
}
