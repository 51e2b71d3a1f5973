import { asArray, asNumber, asRecord, asString, compactJson, isRecord, type JsonRecord } from '../json.util';
import { errorReply, jsonReply, type MockReply, type StreamEvent } from '../mock-reply.types';
import { awkwardFragments, buildPlan, type NeutralMessage, type NeutralRequest, type ReplyPlan } from '../reply-plan.builder';
import { sseEvent } from '../sse.util';
import { cohereError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute } from './family-route';

/**
 * Cohere Chat v2 (`POST /v2/chat`, Bearer): the answer `{ id, finish_reason, message: { role, content | tool_plan +
 * tool_calls }, usage: { billed_units, tokens } }`, or with `stream: true` SSE events named by their `type`
 * (`event: content-delta` + `data: {"type":"content-delta",…}`) ending in `message-end` and `data: [DONE]`. The
 * reply follows the mock's usual plan (echo, `[call:…]`, `[think]`, tool results); `tokens.input_tokens` adds the
 * preamble Cohere counts but does not bill. Validation and errors use Cohere's `{ id, message }` wording.
 */

/** Cohere's own prompt scaffolding: counted in `tokens`, not in `billed_units`. */
const PREAMBLE_TOKENS = 64;
const ROLES = new Set(['system', 'user', 'assistant', 'tool']);

const bad = (message: string): MockReply => errorReply(cohereError(400, message));

function texts(content: unknown): string[] {
  if (typeof content === 'string') return content ? [content] : [];
  return asArray(content)
    .map((p) => asRecord(p))
    .map((p) => (p.type === 'document' ? compactJson(asRecord(p.document).data ?? {}) : (asString(p.text) ?? '')))
    .filter((t) => t.length > 0);
}

function validate(b: JsonRecord): MockReply | undefined {
  if (typeof b.model !== 'string' || !b.model) return bad('invalid request: model is required');
  if (b.model.startsWith('unknown-'))
    return errorReply(cohereError(404, `model '${b.model}' not found, make sure the correct model ID was used and that you have access to the model.`));
  if (!Array.isArray(b.messages) || b.messages.length === 0) return bad('invalid request: messages must not be empty');
  const p = asNumber(b.p);
  if (p !== undefined && (p < 0.01 || p > 0.99)) return bad(`invalid request: p must be between 0.01 and 0.99, received ${p}`);
  if (Array.isArray(b.stop_sequences) && b.stop_sequences.length > 5) return bad('invalid request: stop_sequences can have at most 5 elements');
  if (b.tool_choice !== undefined && !(Array.isArray(b.tools) && b.tools.length > 0)) return bad('invalid request: tool_choice requires tools to be specified');
  if (b.tool_choice !== undefined && b.tool_choice !== 'REQUIRED' && b.tool_choice !== 'NONE')
    return bad(`invalid request: tool_choice must be one of REQUIRED, NONE, received ${JSON.stringify(b.tool_choice)}`);
  const pending = new Set<string>();
  for (const [i, raw] of b.messages.entries()) {
    const m = asRecord(raw);
    const role = asString(m.role) ?? '';
    if (!ROLES.has(role)) return bad(`invalid request: messages[${i}].role must be one of system, user, assistant, tool`);
    if (role === 'system' && i !== 0) return bad('system turn must be the first in the list');
    if (role === 'tool') {
      const id = asString(m.tool_call_id) ?? '';
      if (!pending.has(id)) return bad(`invalid request: tool message with tool_call_id '${id}' does not follow a tool call with that id`);
      pending.delete(id);
      continue;
    }
    if (pending.size > 0) return bad(`invalid request: tool calls ${[...pending].join(', ')} have no tool result`);
    if (role === 'assistant') for (const c of asArray(m.tool_calls)) pending.add(asString(asRecord(c).id) ?? '');
    if (role === 'user' && texts(m.content).length === 0 && !asArray(m.content).some((c) => asRecord(c).type === 'image_url'))
      return bad('message must not be empty in a turn');
  }
  return undefined;
}

function toNeutral(b: JsonRecord): NeutralRequest {
  const system: string[] = [];
  const messages: NeutralMessage[] = [];
  const push = (role: NeutralMessage['role']): NeutralMessage => {
    const m: NeutralMessage = { role, texts: [], toolCalls: [], toolResults: [] };
    messages.push(m);
    return m;
  };
  for (const raw of asArray(b.messages)) {
    const m = asRecord(raw);
    if (m.role === 'system') system.push(...texts(m.content));
    else if (m.role === 'assistant') {
      const a = push('assistant');
      a.texts.push(...texts(m.content), ...(asString(m.tool_plan) ? [m.tool_plan as string] : []));
      for (const c of asArray(m.tool_calls)) {
        const call = asRecord(c);
        const fn = asRecord(call.function);
        a.toolCalls.push({ id: asString(call.id), name: asString(fn.name) ?? '', argsJson: compactJson(fn.arguments ?? '{}') });
      }
    } else if (m.role === 'tool') {
      const prev = messages[messages.length - 1];
      const u = prev && prev.role === 'user' && prev.toolResults.length > 0 && prev.texts.length === 0 ? prev : push('user');
      u.toolResults.push({ id: asString(m.tool_call_id), text: texts(m.content).join(' ') });
    } else push('user').texts.push(...texts(m.content));
  }
  const thinking = asRecord(b.thinking).type === 'enabled' ? 'visible' : 'off';
  return {
    model: asString(b.model) ?? '',
    system,
    messages,
    toolsOffered: asArray(b.tools).length > 0 && b.tool_choice !== 'NONE',
    thinking,
    maxOutputTokens: asNumber(b.max_tokens),
  };
}

const FINISH: Record<ReplyPlan['finish'], string> = { stop: 'COMPLETE', length: 'MAX_TOKENS', tool_calls: 'TOOL_CALL' };

function usageOf(plan: ReplyPlan): JsonRecord {
  const input = plan.usage.input + plan.usage.cacheRead + plan.usage.cacheWrite;
  return {
    billed_units: { input_tokens: input, output_tokens: plan.usage.output },
    tokens: { input_tokens: input + PREAMBLE_TOKENS, output_tokens: plan.usage.output },
    ...(plan.usage.cacheRead > 0 ? { cached_tokens: plan.usage.cacheRead } : {}),
  };
}

function respond(ctx: FamilyContext): MockReply {
  const b = asRecord(ctx.body);
  const invalid = validate(b);
  if (invalid) return invalid;
  const plan = buildPlan(toNeutral(b), ctx.shape);
  if (plan.errorStatus) return errorReply(cohereError(plan.errorStatus));
  const id = ctx.ids.next('', 36);
  const calls = plan.toolCalls.map((c) => ({
    id: `${c.name}_${ctx.ids.next('', 12).toLowerCase()}`,
    type: 'function',
    function: { name: c.name, arguments: c.argsJson },
  }));
  // With tools, Cohere's models state a plan before calling them.
  const toolPlan = calls.length > 0 ? `I will use ${calls.map((c) => c.function.name).join(' and ')}.` : '';
  const thinking = plan.reasoningVisible ? plan.reasoning : '';

  if (b.stream !== true) {
    const message: JsonRecord = { role: 'assistant' };
    if (calls.length > 0) Object.assign(message, { tool_plan: toolPlan, tool_calls: calls });
    const content = [...(thinking ? [{ type: 'thinking', thinking }] : []), ...(plan.text ? [{ type: 'text', text: plan.text }] : [])];
    if (content.length > 0) message.content = content;
    return jsonReply({ id, message, finish_reason: FINISH[plan.finish], usage: usageOf(plan) });
  }

  const ev = (type: string, data: JsonRecord, paced = false): StreamEvent => ({ data: sseEvent({ type, ...data }, type), paced });
  const events: StreamEvent[] = [
    {
      data: sseEvent(
        { id, type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } },
        'message-start',
      ),
    },
  ];
  let index = 0;
  if (thinking) {
    events.push(ev('content-start', { index, delta: { message: { content: { type: 'thinking', thinking: '' } } } }));
    for (const t of plan.reasoningChunks) events.push(ev('content-delta', { index, delta: { message: { content: { thinking: t } } } }, true));
    events.push(ev('content-end', { index }));
    index++;
  }
  if (plan.text) {
    events.push(ev('content-start', { index, delta: { message: { content: { type: 'text', text: '' } } } }));
    for (const t of plan.textChunks) events.push(ev('content-delta', { index, delta: { message: { content: { text: t } } } }, true));
    events.push(ev('content-end', { index }));
  }
  if (calls.length > 0) {
    for (const w of toolPlan.match(/\s*\S+/g) ?? []) events.push(ev('tool-plan-delta', { delta: { message: { tool_plan: w } } }, true));
    calls.forEach((c, i) => {
      events.push(ev('tool-call-start', { index: i, delta: { message: { tool_calls: { ...c, function: { name: c.function.name, arguments: '' } } } } }));
      for (const frag of awkwardFragments(c.function.arguments))
        events.push(ev('tool-call-delta', { index: i, delta: { message: { tool_calls: { function: { arguments: frag } } } } }, true));
      events.push(ev('tool-call-end', { index: i }));
    });
  }
  events.push(ev('message-end', { delta: { finish_reason: FINISH[plan.finish], usage: usageOf(plan) } }));
  events.push({ data: 'data: [DONE]\n\n' });
  return {
    kind: 'stream',
    contentType: 'text/event-stream',
    framing: 'sse',
    events,
    delayMs: plan.delayMs,
    // A generation that fails once started ends in message-end with ERROR and the reason (Cohere has no error event).
    inStreamError: (status) => [
      sseEvent(
        { type: 'message-end', delta: { error: (asRecord(cohereError(status).body).message as string) ?? 'error', finish_reason: 'ERROR' } },
        'message-end',
      ),
      'data: [DONE]\n\n',
    ],
  };
}

export const COHERE_CHAT: FamilyRoute = {
  vendor: 'cohere',
  streams: (body) => isRecord(body) && body.stream === true,
  respond,
};
