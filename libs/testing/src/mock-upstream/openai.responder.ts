import { embedVector, float32ToBase64, toNumberArray } from './embedding.util';
import { asArray, asNumber, asRecord, asString, compactJson, isRecord, type JsonRecord } from './json.util';
import { errorReply, jsonReply, type MockReply, type RequestContext, type StreamEvent, type StreamReply } from './mock-reply.types';
import { awkwardFragments, buildPlan, countWords, type NeutralMessage, type NeutralRequest, type ReplyPlan, type ThinkingMode } from './reply-plan.builder';
import { sseEvent } from './sse.util';
import { openaiError, vendorError } from './vendor-error.bodies';

const FINGERPRINT = 'fp_mock0001';

export const OPENAI_MODELS = [
  'gpt-4o',
  'gpt-4o-mini',
  'gpt-4.1',
  'gpt-4.1-mini',
  'gpt-4.1-nano',
  'gpt-5',
  'o3',
  'o4-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

const MODEL_CREATED = 1715367049;

// ---------- shared ----------

function contentTexts(content: unknown): string[] {
  if (typeof content === 'string') return content.length > 0 ? [content] : [];
  const out: string[] = [];
  for (const p of asArray(content)) {
    const part = asRecord(p);
    const t = asString(part.text) ?? asString(part.refusal);
    if (t) out.push(t);
  }
  return out;
}

function pushMessage(msgs: NeutralMessage[], role: NeutralMessage['role']): NeutralMessage {
  const m: NeutralMessage = { role, texts: [], toolCalls: [], toolResults: [] };
  msgs.push(m);
  return m;
}

function openaiUsage(plan: ReplyPlan): JsonRecord {
  const u = plan.usage;
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  const promptDetails: JsonRecord = { cached_tokens: u.cacheRead, audio_tokens: 0 };
  if (u.cacheWrite > 0) promptDetails.cache_write_tokens = u.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: {
      reasoning_tokens: u.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function invalid(message: string, param: string | null = null, code: string | null = null): MockReply {
  return errorReply(openaiError(400, message, { type: 'invalid_request_error', param, code }));
}

function streamReply(events: StreamEvent[], plan: ReplyPlan, err: StreamReply['inStreamError']): StreamReply {
  return { kind: 'stream', contentType: 'text/event-stream; charset=utf-8', framing: 'sse', events, delayMs: plan.delayMs, inStreamError: err };
}

// ---------- chat completions ----------

const CHAT_ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function validateChat(body: JsonRecord): MockReply | undefined {
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter');
  if (body.messages === undefined) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(body.messages))
    return invalid(`Invalid type for 'messages': expected an array of objects, but got ${typeof body.messages} instead.`, 'messages', 'invalid_type');
  if (body.messages.length === 0) return invalid("[] is too short - 'messages'", 'messages');
  const hasTools = Array.isArray(body.tools) && body.tools.length > 0;
  if (Array.isArray(body.tools) && body.tools.length === 0) return invalid("[] is too short - 'tools'", 'tools');
  if (body.tool_choice !== undefined && body.tool_choice !== null && !hasTools)
    return invalid("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice');
  if (body.parallel_tool_calls !== undefined && body.parallel_tool_calls !== null && !hasTools)
    return invalid("Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.", 'parallel_tool_calls');
  if (body.stream_options !== undefined && body.stream_options !== null && body.stream !== true)
    return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options');
  const temp = asNumber(body.temperature);
  if (temp !== undefined && (temp < 0 || temp > 2))
    return invalid(
      `Invalid 'temperature': decimal ${temp > 2 ? 'above maximum' : 'below minimum'} value. Expected a value ${temp > 2 ? '<= 2' : '>= 0'}, but got ${temp} instead.`,
      'temperature',
      temp > 2 ? 'decimal_above_max_value' : 'decimal_below_min_value',
    );

  // Tool-call adjacency, as the real API enforces it.
  const msgs = body.messages;
  let pending: string[] = [];
  for (let i = 0; i < msgs.length; i++) {
    const m = asRecord(msgs[i]);
    const role = asString(m.role) ?? '';
    if (!CHAT_ROLES.has(role))
      return invalid(
        `Invalid value: '${role}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`,
        `messages[${i}].role`,
        'invalid_value',
      );
    if (role === 'tool') {
      const id = asString(m.tool_call_id) ?? '';
      if (!pending.includes(id))
        return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", `messages.[${i}].role`);
      pending = pending.filter((p) => p !== id);
      continue;
    }
    if (pending.length > 0)
      return invalid(
        `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
        `messages.[${i}].role`,
      );
    if (role === 'assistant') pending = asArray(m.tool_calls).map((c) => asString(asRecord(c).id) ?? '');
  }
  if (pending.length > 0)
    return invalid(
      `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${pending.join(', ')}`,
      'messages',
    );
  return undefined;
}

export function chatToNeutral(body: JsonRecord): NeutralRequest {
  const system: string[] = [];
  const messages: NeutralMessage[] = [];
  for (const raw of asArray(body.messages)) {
    const m = asRecord(raw);
    const role = asString(m.role);
    if (role === 'system' || role === 'developer') {
      system.push(...contentTexts(m.content));
    } else if (role === 'assistant') {
      const msg = pushMessage(messages, 'assistant');
      msg.texts.push(...contentTexts(m.content));
      for (const c of asArray(m.tool_calls)) {
        const call = asRecord(c);
        const fn = asRecord(call.function);
        msg.toolCalls.push({ id: asString(call.id), name: asString(fn.name) ?? '', argsJson: compactJson(fn.arguments ?? '{}') });
      }
    } else if (role === 'tool' || role === 'function') {
      const prev = messages[messages.length - 1];
      const msg = prev && prev.role === 'user' && prev.toolResults.length > 0 && prev.texts.length === 0 ? prev : pushMessage(messages, 'user');
      msg.toolResults.push({
        id: asString(m.tool_call_id),
        name: role === 'function' ? asString(m.name) : undefined,
        text: contentTexts(m.content).join(' '),
      });
    } else {
      pushMessage(messages, 'user').texts.push(...contentTexts(m.content));
    }
  }
  const effort = asString(body.reasoning_effort);
  const thinking: ThinkingMode = effort && effort !== 'none' ? 'hidden' : 'off';
  return {
    model: asString(body.model) ?? '',
    system,
    messages,
    toolsOffered: asArray(body.tools).length > 0 && body.tool_choice !== 'none',
    thinking,
    maxOutputTokens: asNumber(body.max_completion_tokens) ?? asNumber(body.max_tokens),
  };
}

export function openaiChat(ctx: RequestContext): MockReply {
  const body = asRecord(ctx.body);
  const bad = validateChat(body);
  if (bad) return bad;
  const plan = buildPlan(chatToNeutral(body), ctx.shape);
  if (plan.errorStatus) return errorReply(vendorError('openai', plan.errorStatus));
  const model = body.model as string;
  const id = ctx.ids.next('chatcmpl-', 29);
  const created = Math.floor(Date.now() / 1000);
  const finish = plan.finish;
  const calls = plan.toolCalls.map((c) => ({ ...c, id: ctx.ids.next('call_', 24) }));

  if (body.stream !== true) {
    const message: JsonRecord = { role: 'assistant', content: calls.length > 0 && !plan.text ? null : plan.text };
    if (plan.reasoningVisible) message.reasoning_content = plan.reasoning;
    if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.argsJson } }));
    message.refusal = null;
    message.annotations = [];
    return jsonReply({
      id,
      object: 'chat.completion',
      created,
      model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
      usage: openaiUsage(plan),
    });
  }

  const includeUsage = asRecord(body.stream_options).include_usage === true;
  const head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"service_tier":"default","system_fingerprint":"${FINGERPRINT}","choices":[`;
  const tail = includeUsage ? ']' + ',"usage":null}' : ']}';
  const chunk = (delta: JsonRecord, finishReason: string | null = null, paced = false): StreamEvent => ({
    data: `data: ${head}{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}${tail}\n\n`,
    paced,
  });

  const events: StreamEvent[] = [];
  const toolsOnly = calls.length > 0 && !plan.text && !plan.reasoningVisible;
  const callHead = (i: number): JsonRecord => ({
    index: i,
    id: calls[i].id,
    type: 'function',
    function: { name: calls[i].name, arguments: '' },
  });
  if (toolsOnly) {
    events.push(chunk({ role: 'assistant', content: null, tool_calls: [callHead(0)], refusal: null }, null, true));
  } else {
    events.push(chunk({ role: 'assistant', content: '', refusal: null }));
  }
  if (plan.reasoningVisible) for (const r of plan.reasoningChunks) events.push(chunk({ reasoning_content: r }, null, true));
  for (const t of plan.textChunks) events.push(chunk({ content: t }, null, true));
  calls.forEach((c, i) => {
    if (!(toolsOnly && i === 0)) events.push(chunk({ tool_calls: [callHead(i)] }, null, true));
    for (const frag of awkwardFragments(c.argsJson)) events.push(chunk({ tool_calls: [{ index: i, function: { arguments: frag } }] }, null, true));
  });
  events.push(chunk({}, finish));
  if (includeUsage) {
    events.push({ data: `data: ${head}],"usage":${JSON.stringify(openaiUsage(plan))}}\n\n` });
  }
  events.push({ data: 'data: [DONE]\n\n' });
  return streamReply(events, plan, (status) => [sseEvent({ error: asRecord(asRecord(openaiError(status).body).error) }), 'data: [DONE]\n\n']);
}

// ---------- responses ----------

function responsesToNeutral(body: JsonRecord): NeutralRequest {
  const system: string[] = [];
  const messages: NeutralMessage[] = [];
  const instructions = asString(body.instructions);
  if (instructions) system.push(instructions);
  const input = body.input;
  if (typeof input === 'string') {
    pushMessage(messages, 'user').texts.push(input);
  } else {
    for (const raw of asArray(input)) {
      const item = asRecord(raw);
      const type = asString(item.type) ?? 'message';
      const last = messages[messages.length - 1];
      if (type === 'message') {
        const role = asString(item.role);
        if (role === 'system' || role === 'developer') system.push(...contentTexts(item.content));
        else pushMessage(messages, role === 'assistant' ? 'assistant' : 'user').texts.push(...contentTexts(item.content));
      } else if (type === 'function_call') {
        const msg = last && last.role === 'assistant' ? last : pushMessage(messages, 'assistant');
        msg.toolCalls.push({
          id: asString(item.call_id),
          name: asString(item.name) ?? '',
          argsJson: compactJson(item.arguments ?? '{}'),
        });
      } else if (type === 'function_call_output') {
        const msg = last && last.role === 'user' && last.toolResults.length > 0 ? last : pushMessage(messages, 'user');
        const out = item.output;
        msg.toolResults.push({
          id: asString(item.call_id),
          text: typeof out === 'string' ? out : contentTexts(out).join(' '),
        });
      }
    }
  }
  const reasoning = asRecord(body.reasoning);
  const effort = asString(reasoning.effort);
  const thinking: ThinkingMode = effort && effort !== 'none' ? (asString(reasoning.summary) ? 'visible' : 'hidden') : 'off';
  return {
    model: asString(body.model) ?? '',
    system,
    messages,
    toolsOffered: asArray(body.tools).length > 0 && body.tool_choice !== 'none',
    thinking,
    maxOutputTokens: asNumber(body.max_output_tokens),
  };
}

function validateResponses(body: JsonRecord): MockReply | undefined {
  if (typeof body.model !== 'string' || body.model === '') return invalid("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (body.input !== undefined && typeof body.input !== 'string' && !Array.isArray(body.input))
    return invalid("Invalid type for 'input': expected one of a string or array of input items.", 'input', 'invalid_type');
  if (body.previous_response_id == null && body.conversation == null && Array.isArray(body.input)) {
    const calls = new Set<string>();
    for (const raw of body.input) {
      const item = asRecord(raw);
      if (item.type === 'function_call') calls.add(asString(item.call_id) ?? '');
      if (item.type === 'function_call_output') {
        const cid = asString(item.call_id) ?? '';
        if (!calls.has(cid)) return invalid(`No tool call found for function call output with call_id ${cid}.`, 'input');
      }
    }
  }
  return undefined;
}

export function openaiResponses(ctx: RequestContext): MockReply {
  const body = asRecord(ctx.body);
  const bad = validateResponses(body);
  if (bad) return bad;
  const plan = buildPlan(responsesToNeutral(body), ctx.shape);
  if (plan.errorStatus) return errorReply(vendorError('openai', plan.errorStatus));
  const model = body.model as string;
  const respId = ctx.ids.next('resp_', 48);
  const createdAt = Math.floor(Date.now() / 1000);
  const incomplete = plan.finish === 'length';

  const u = plan.usage;
  const inputTokens = u.input + u.cacheRead + u.cacheWrite;
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: u.cacheRead, cache_write_tokens: u.cacheWrite },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: inputTokens + u.output,
  };

  // Final output items.
  interface Item {
    kind: 'reasoning' | 'message' | 'function_call';
    item: JsonRecord;
  }
  const items: Item[] = [];
  if (plan.reasoning) {
    items.push({
      kind: 'reasoning',
      item: {
        id: ctx.ids.next('rs_', 48),
        type: 'reasoning',
        summary: plan.reasoningVisible ? [{ type: 'summary_text', text: plan.reasoning }] : [],
      },
    });
  }
  if (plan.text) {
    items.push({
      kind: 'message',
      item: {
        id: ctx.ids.next('msg_', 48),
        type: 'message',
        status: incomplete ? 'incomplete' : 'completed',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: plan.text }],
        role: 'assistant',
      },
    });
  }
  for (const c of plan.toolCalls) {
    items.push({
      kind: 'function_call',
      item: {
        id: ctx.ids.next('fc_', 48),
        type: 'function_call',
        status: 'completed',
        arguments: c.argsJson,
        call_id: ctx.ids.next('call_', 24),
        name: c.name,
      },
    });
  }

  const reasoningReq = asRecord(body.reasoning);
  const response = (status: string, output: JsonRecord[], withUsage: boolean): JsonRecord => ({
    id: respId,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: reasoningReq.effort ?? null, summary: reasoningReq.summary ?? null },
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: isRecord(body.text) ? body.text : { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: withUsage ? usage : null,
    user: null,
    metadata: body.metadata ?? {},
  });
  const finalStatus = incomplete ? 'incomplete' : 'completed';
  const finalOutput = items.map((i) => i.item);

  if (body.stream !== true) return jsonReply(response(finalStatus, finalOutput, true));

  const events: StreamEvent[] = [];
  let seq = 0;
  const ev = (type: string, payload: JsonRecord, paced = false): void => {
    events.push({ data: sseEvent({ type, ...payload, sequence_number: seq++ }, type), paced });
  };
  ev('response.created', { response: response('in_progress', [], false) });
  ev('response.in_progress', { response: response('in_progress', [], false) });
  items.forEach(({ kind, item }, outputIndex) => {
    const itemId = item.id as string;
    if (kind === 'reasoning') {
      ev('response.output_item.added', { item: { id: itemId, type: 'reasoning', summary: [] }, output_index: outputIndex });
      if (plan.reasoningVisible) {
        const base = { item_id: itemId, output_index: outputIndex, summary_index: 0 };
        ev('response.reasoning_summary_part.added', { ...base, part: { type: 'summary_text', text: '' } });
        for (const d of plan.reasoningChunks) ev('response.reasoning_summary_text.delta', { ...base, delta: d }, true);
        ev('response.reasoning_summary_text.done', { ...base, text: plan.reasoning });
        ev('response.reasoning_summary_part.done', { ...base, part: { type: 'summary_text', text: plan.reasoning } });
      }
    } else if (kind === 'message') {
      ev('response.output_item.added', {
        item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' },
        output_index: outputIndex,
      });
      const base = { content_index: 0, item_id: itemId, output_index: outputIndex };
      ev('response.content_part.added', { ...base, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
      for (const d of plan.textChunks) ev('response.output_text.delta', { ...base, delta: d, logprobs: [] }, true);
      ev('response.output_text.done', { ...base, logprobs: [], text: plan.text });
      ev('response.content_part.done', {
        ...base,
        part: { type: 'output_text', annotations: [], logprobs: [], text: plan.text },
      });
    } else {
      ev('response.output_item.added', {
        item: { ...item, status: 'in_progress', arguments: '' },
        output_index: outputIndex,
      });
      for (const d of awkwardFragments(item.arguments as string))
        ev('response.function_call_arguments.delta', { delta: d, item_id: itemId, output_index: outputIndex }, true);
      ev('response.function_call_arguments.done', {
        arguments: item.arguments,
        item_id: itemId,
        output_index: outputIndex,
      });
    }
    ev('response.output_item.done', { item, output_index: outputIndex });
  });
  ev(incomplete ? 'response.incomplete' : 'response.completed', { response: response(finalStatus, finalOutput, true) });

  return streamReply(events, plan, (status, sent) => {
    const e = asRecord(asRecord(openaiError(status).body).error);
    const code = (e.code as string | null) ?? (e.type as string);
    return [
      sseEvent({ type: 'error', sequence_number: sent, error: { type: e.type, code, message: e.message, param: null } }, 'error'),
      sseEvent(
        {
          type: 'response.failed',
          sequence_number: sent + 1,
          response: { ...response('failed', [], false), error: { code, message: e.message } },
        },
        'response.failed',
      ),
    ];
  });
}

// ---------- embeddings ----------

export function openaiEmbeddings(ctx: RequestContext): MockReply {
  const body = asRecord(ctx.body);
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter');
  if (body.input === undefined || body.input === null) return invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const fmt = body.encoding_format;
  if (fmt !== undefined && fmt !== 'float' && fmt !== 'base64')
    // A hostile value (an object whose toString is not a function) is a 400 like any other, never a crash of the fake.
    return invalid(
      `Invalid value: '${typeof fmt === 'string' ? fmt : JSON.stringify(fmt)}'. Supported values are: 'float' and 'base64'.`,
      'encoding_format',
      'invalid_value',
    );
  const dims = asNumber(body.dimensions) ?? 1536;
  if (!Number.isInteger(dims) || dims < 1 || dims > 3072) return invalid(`Invalid value for 'dimensions': ${dims}.`, 'dimensions', 'invalid_value');

  const inputs: { key: string; tokens: number }[] = [];
  const raw = body.input;
  const badInput = invalid("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  if (typeof raw === 'string') {
    if (raw === '') return badInput;
    inputs.push({ key: raw, tokens: countWords(raw) });
  } else if (Array.isArray(raw)) {
    if (raw.length === 0) return badInput;
    if (raw.every((x) => typeof x === 'number')) {
      inputs.push({ key: raw.join(','), tokens: raw.length });
    } else {
      for (const x of raw) {
        if (typeof x === 'string' && x !== '') inputs.push({ key: x, tokens: countWords(x) });
        else if (Array.isArray(x) && x.length > 0 && x.every((n) => typeof n === 'number')) inputs.push({ key: x.join(','), tokens: x.length });
        else return badInput;
      }
    }
  } else return badInput;

  let tokens = 0;
  const data = inputs.map((inp, index) => {
    tokens += inp.tokens;
    const v = embedVector(inp.key, dims);
    return { object: 'embedding', index, embedding: fmt === 'base64' ? float32ToBase64(v) : toNumberArray(v) };
  });
  return jsonReply({ object: 'list', data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

// ---------- models ----------

export function openaiModels(id?: string): MockReply {
  if (id !== undefined) return jsonReply({ id, object: 'model', created: MODEL_CREATED, owned_by: 'system' });
  return jsonReply({
    object: 'list',
    data: OPENAI_MODELS.map((m) => ({ id: m, object: 'model', created: MODEL_CREATED, owned_by: 'system' })),
  });
}
