import { asArray, asNumber, asRecord, asString, compactJson, fnv1a, isRecord, type JsonRecord } from './json.util';
import { errorReply, jsonReply, type MockReply, type RequestContext, type StreamEvent } from './mock-reply.types';
import { buildPlan, promptTokens, type NeutralMessage, type NeutralRequest, type ReplyPlan } from './reply-plan.builder';
import { sseEvent } from './sse.util';
import { anthropicError, vendorError } from './vendor-error.bodies';

export const ANTHROPIC_MODELS: { id: string; display_name: string; created_at: string }[] = [
  { id: 'claude-opus-5-5', display_name: 'Claude Opus 5.5', created_at: '2026-09-01T00:00:00Z' },
  { id: 'claude-sonnet-5-5', display_name: 'Claude Sonnet 5.5', created_at: '2026-09-01T00:00:00Z' },
  { id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { id: 'claude-3-5-haiku-20241022', display_name: 'Claude Haiku 3.5', created_at: '2024-10-22T00:00:00Z' },
];

const SIG_PREFIX = 'mock-sig:';

/** A signature the mock can verify when the thinking block is replayed (real Anthropic verifies too). */
export function thinkingSignature(thinking: string): string {
  const raw = `${SIG_PREFIX}${fnv1a(thinking).toString(16)}:${thinking.length}:${'E'.repeat(24)}`;
  return Buffer.from(raw).toString('base64');
}

function signatureValid(thinking: string, signature: string): boolean {
  return signature === thinkingSignature(thinking);
}

function invalid(message: string): MockReply {
  return errorReply(anthropicError(400, message, 'invalid_request_error'));
}

interface Block {
  type: string;
  raw: JsonRecord;
}

function blocksOf(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', raw: { type: 'text', text: content } }];
  return asArray(content).map((b) => {
    const raw = asRecord(b);
    return { type: asString(raw.type) ?? '', raw };
  });
}

function thinkingEnabled(body: JsonRecord): boolean {
  const t = asString(asRecord(body.thinking).type);
  return t === 'enabled' || t === 'adaptive';
}

/** Consecutive same-role turns are combined by the API before validation. */
function mergedTurns(body: JsonRecord): { role: string; blocks: Block[]; emptyString: boolean }[] {
  const out: { role: string; blocks: Block[]; emptyString: boolean }[] = [];
  for (const raw of asArray(body.messages)) {
    const m = asRecord(raw);
    const role = asString(m.role) ?? '';
    if (role === 'system') continue;
    const blocks = blocksOf(m.content);
    const emptyString = m.content === '' || (Array.isArray(m.content) && m.content.length === 0);
    const prev = out[out.length - 1];
    if (prev && prev.role === role) {
      prev.blocks.push(...blocks);
      prev.emptyString = prev.emptyString && emptyString;
    } else out.push({ role, blocks, emptyString });
  }
  return out;
}

function validate(body: JsonRecord, requireMaxTokens: boolean): MockReply | undefined {
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required');
  if (body.messages === undefined) return invalid('messages: Field required');
  if (!Array.isArray(body.messages)) return invalid('messages: Input should be a valid list');
  if (requireMaxTokens) {
    if (body.max_tokens === undefined) return invalid('max_tokens: Field required');
    const mt = asNumber(body.max_tokens);
    if (mt === undefined || !Number.isInteger(mt)) return invalid('max_tokens: Input should be a valid integer');
    if (mt < 1) return invalid('max_tokens: Input should be greater than or equal to 1');
  }
  const temp = asNumber(body.temperature);
  if (temp !== undefined && temp > 1) return invalid('temperature: Input should be less than or equal to 1');
  if (temp !== undefined && temp < 0) return invalid('temperature: Input should be greater than or equal to 0');

  const thinking = asRecord(body.thinking);
  const thinkOn = thinkingEnabled(body);
  if (thinking.type === 'enabled') {
    const budget = asNumber(thinking.budget_tokens);
    if (budget === undefined) return invalid('thinking.enabled.budget_tokens: Field required');
    if (budget < 1024) return invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    const mt = asNumber(body.max_tokens);
    if (requireMaxTokens && mt !== undefined && budget >= mt)
      return invalid(
        '`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size',
      );
  }
  const tc = asString(asRecord(body.tool_choice).type);
  if (thinkOn && (tc === 'any' || tc === 'tool')) return invalid('Thinking may not be enabled when tool_choice forces tool use.');

  const tools = asArray(body.tools);
  for (let i = 0; i < tools.length; i++) {
    const t = asRecord(tools[i]);
    if (t.type !== undefined && t.type !== 'custom') continue; // server tools
    if (typeof t.name !== 'string' || t.name === '') return invalid(`tools.${i}.custom.name: Field required`);
    const schema = asRecord(t.input_schema);
    if (!isRecord(t.input_schema)) return invalid(`tools.${i}.custom.input_schema: Field required`);
    if (schema.type !== 'object') return invalid(`tools.${i}.custom.input_schema.type: Input should be 'object'`);
    if (schema.oneOf !== undefined || schema.anyOf !== undefined || schema.allOf !== undefined)
      return invalid(`tools.${i}.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level`);
  }

  const turns = mergedTurns(body);
  let usesTools = false;
  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    if (t.role !== 'user' && t.role !== 'assistant') return invalid(`messages.${i}.role: Input should be 'user', 'assistant' or 'system'`);
    const isFinalAssistant = i === turns.length - 1 && t.role === 'assistant';
    if ((t.emptyString || t.blocks.length === 0) && !isFinalAssistant)
      return invalid(`messages.${i}: all messages must have non-empty content except for the optional final assistant message`);
    for (let j = 0; j < t.blocks.length; j++) {
      const b = t.blocks[j];
      if (b.type === 'text' && b.raw.text === '' && !(isFinalAssistant && t.blocks.length === 1))
        return invalid('messages: text content blocks must be non-empty');
      if (b.type === 'tool_use' || b.type === 'tool_result') usesTools = true;
      if (b.type === 'thinking') {
        const sig = asString(b.raw.signature);
        if (!sig) return invalid(`messages.${i}.content.${j}.thinking.signature: Field required`);
        if (!signatureValid(asString(b.raw.thinking) ?? '', sig)) return invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
      }
    }
  }
  if (usesTools && tools.length === 0) return invalid('Requests which include `tool_use` or `tool_result` blocks must define tools.');

  for (let i = 0; i < turns.length; i++) {
    const t = turns[i];
    if (t.role === 'user') {
      const prevIds =
        i > 0 && turns[i - 1].role === 'assistant'
          ? new Set(turns[i - 1].blocks.filter((b) => b.type === 'tool_use').map((b) => asString(b.raw.id) ?? ''))
          : new Set<string>();
      for (let j = 0; j < t.blocks.length; j++) {
        const b = t.blocks[j];
        if (b.type !== 'tool_result') continue;
        const id = asString(b.raw.tool_use_id) ?? '';
        if (!prevIds.has(id))
          return invalid(
            `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`,
          );
      }
      continue;
    }
    const ids = t.blocks.filter((b) => b.type === 'tool_use').map((b) => asString(b.raw.id) ?? '');
    if (ids.length === 0 || i === turns.length - 1) continue;
    const next = turns[i + 1];
    const results = next.blocks.filter((b) => b.type === 'tool_result').map((b) => asString(b.raw.tool_use_id) ?? '');
    const missing = ids.filter((id) => !results.includes(id));
    if (missing.length > 0)
      return invalid(
        `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`,
      );
    const leading = next.blocks.findIndex((b) => b.type !== 'tool_result');
    const firstNonResult = leading < 0 ? next.blocks.length : leading;
    if (firstNonResult < ids.length)
      return invalid(
        `messages.${i + 1}: Did not find ${ids.length} \`tool_result\` block(s) at the beginning of this message. Messages following \`tool_use\` blocks must begin with a matching number of \`tool_result\` blocks.`,
      );
  }

  const last = turns[turns.length - 1];
  if (thinkOn && last && last.role === 'user' && last.blocks.some((b) => b.type === 'tool_result') && turns.length >= 2) {
    const prev = turns[turns.length - 2];
    const first = prev.blocks[0];
    if (first && first.type !== 'thinking' && first.type !== 'redacted_thinking')
      return invalid(
        `messages.${turns.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first.type}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
      );
  }
  if (!thinkOn && last && last.role === 'assistant' && last.blocks.some((b) => b.type === 'thinking'))
    return invalid(
      'When thinking is disabled, an `assistant` message in the final position cannot contain `thinking`. To use thinking blocks, enable `thinking` in your request.',
    );
  return undefined;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((b) => asString(asRecord(b).text) ?? '')
    .filter((s) => s)
    .join(' ');
}

export function anthropicToNeutral(body: JsonRecord): NeutralRequest {
  const system: string[] = [];
  if (typeof body.system === 'string') {
    if (body.system) system.push(body.system);
  } else for (const b of asArray(body.system)) system.push(asString(asRecord(b).text) ?? '');
  const messages: NeutralMessage[] = [];
  for (const raw of asArray(body.messages)) {
    const m = asRecord(raw);
    const role = asString(m.role);
    if (role === 'system') {
      const t = textOf(m.content);
      if (t) system.push(t);
      continue;
    }
    const msg: NeutralMessage = { role: role === 'assistant' ? 'assistant' : 'user', texts: [], toolCalls: [], toolResults: [] };
    for (const b of blocksOf(m.content)) {
      if (b.type === 'text') {
        const t = asString(b.raw.text);
        if (t) msg.texts.push(t);
      } else if (b.type === 'tool_use') {
        msg.toolCalls.push({ id: asString(b.raw.id), name: asString(b.raw.name) ?? '', argsJson: compactJson(b.raw.input ?? {}) });
      } else if (b.type === 'tool_result') {
        msg.toolResults.push({ id: asString(b.raw.tool_use_id), text: textOf(b.raw.content) });
      }
    }
    messages.push(msg);
  }
  const toolChoice = asString(asRecord(body.tool_choice).type);
  return {
    model: asString(body.model) ?? '',
    system,
    messages,
    toolsOffered: asArray(body.tools).length > 0 && toolChoice !== 'none',
    thinking: thinkingEnabled(body) ? 'visible' : 'off',
    maxOutputTokens: asNumber(body.max_tokens),
  };
}

const STOP_REASON: Record<ReplyPlan['finish'], string> = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' };

export function anthropicMessages(ctx: RequestContext): MockReply {
  const body = asRecord(ctx.body);
  const bad = validate(body, true);
  if (bad) return bad;
  const plan = buildPlan(anthropicToNeutral(body), ctx.shape);
  if (plan.errorStatus) return errorReply(vendorError('anthropic', plan.errorStatus));
  const model = body.model as string;
  const id = ctx.ids.next('msg_01', 22);
  const u = plan.usage;
  const cacheFields = {
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheWrite,
    cache_read_input_tokens: u.cacheRead,
  };
  const cacheCreation = { ephemeral_5m_input_tokens: u.cacheWrite, ephemeral_1h_input_tokens: 0 };
  const outputDetails = u.reasoning > 0 ? { output_tokens_details: { thinking_tokens: u.reasoning } } : {};
  const signature = plan.reasoningVisible ? thinkingSignature(plan.reasoning) : '';
  const calls = plan.toolCalls.map((c) => ({ ...c, id: ctx.ids.next('toolu_01', 22) }));

  if (body.stream !== true) {
    const content: JsonRecord[] = [];
    if (plan.reasoningVisible) content.push({ type: 'thinking', thinking: plan.reasoning, signature });
    if (plan.text) content.push({ type: 'text', text: plan.text });
    for (const c of calls) content.push({ type: 'tool_use', id: c.id, name: c.name, input: c.args });
    return jsonReply({
      id,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: STOP_REASON[plan.finish],
      stop_sequence: null,
      usage: { ...cacheFields, cache_creation: cacheCreation, output_tokens: u.output, ...outputDetails, service_tier: 'standard' },
    });
  }

  const events: StreamEvent[] = [];
  const ev = (type: string, payload: JsonRecord, paced = false): void => {
    events.push({ data: sseEvent({ type, ...payload }, type), paced });
  };
  ev('message_start', {
    message: {
      model,
      id,
      type: 'message',
      role: 'assistant',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...cacheFields, cache_creation: cacheCreation, output_tokens: 1, service_tier: 'standard' },
    },
  });
  let index = 0;
  let pinged = false;
  const start = (block: JsonRecord): void => {
    ev('content_block_start', { index, content_block: block });
    if (!pinged) {
      events.push({ data: 'event: ping\ndata: {"type": "ping"}\n\n' });
      pinged = true;
    }
  };
  const delta = (d: JsonRecord): void => ev('content_block_delta', { index, delta: d }, true);
  const stop = (): void => {
    ev('content_block_stop', { index });
    index++;
  };
  if (plan.reasoningVisible) {
    start({ type: 'thinking', thinking: '', signature: '' });
    for (const r of plan.reasoningChunks) delta({ type: 'thinking_delta', thinking: r });
    delta({ type: 'signature_delta', signature });
    stop();
  }
  if (plan.text) {
    start({ type: 'text', text: '' });
    for (const t of plan.textChunks) delta({ type: 'text_delta', text: t });
    stop();
  }
  for (const c of calls) {
    start({ type: 'tool_use', id: c.id, name: c.name, input: {} });
    delta({ type: 'input_json_delta', partial_json: '' });
    if (c.argsJson !== '{}') for (const f of jsonFragments(c.argsJson)) delta({ type: 'input_json_delta', partial_json: f });
    stop();
  }
  if (!pinged) events.push({ data: 'event: ping\ndata: {"type": "ping"}\n\n' });
  ev('message_delta', {
    delta: { stop_reason: STOP_REASON[plan.finish], stop_sequence: null },
    usage: { ...cacheFields, output_tokens: u.output, ...outputDetails },
  });
  ev('message_stop', {});
  return {
    kind: 'stream',
    contentType: 'text/event-stream; charset=utf-8',
    framing: 'sse',
    events,
    delayMs: plan.delayMs,
    inStreamError: (status) => {
      const e = asRecord(asRecord(anthropicError(status).body).error);
      return [sseEvent({ type: 'error', error: { type: e.type, message: e.message } }, 'error')];
    },
  };
}

/** Anthropic splits tool input into a few larger fragments (e.g. `{"city": "Pa`, `ris"}`). */
function jsonFragments(json: string): string[] {
  const size = Math.max(4, Math.ceil(json.length / 3));
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

export function anthropicCountTokens(ctx: RequestContext): MockReply {
  const body = asRecord(ctx.body);
  const bad = validate(body, false);
  if (bad) return bad;
  return jsonReply({ input_tokens: promptTokens(anthropicToNeutral(body)) });
}

export function anthropicModels(ctx: RequestContext, id?: string): MockReply {
  const toModel = (m: (typeof ANTHROPIC_MODELS)[number]): JsonRecord => ({ type: 'model', ...m });
  if (id !== undefined) {
    const m = ANTHROPIC_MODELS.find((x) => x.id === id) ?? { id, display_name: id, created_at: '2025-01-01T00:00:00Z' };
    return jsonReply(toModel(m));
  }
  const limit = Math.max(1, Math.min(1000, Number(ctx.query.get('limit') ?? 20) || 20));
  const after = ctx.query.get('after_id');
  const before = ctx.query.get('before_id');
  let list = ANTHROPIC_MODELS;
  if (after) list = list.slice(list.findIndex((m) => m.id === after) + 1);
  if (before) {
    const i = list.findIndex((m) => m.id === before);
    list = i < 0 ? list : list.slice(Math.max(0, i - limit), i);
  }
  const page = list.slice(0, limit);
  return jsonReply({
    data: page.map(toModel),
    has_more: list.length > page.length,
    first_id: page[0]?.id ?? null,
    last_id: page[page.length - 1]?.id ?? null,
  });
}
