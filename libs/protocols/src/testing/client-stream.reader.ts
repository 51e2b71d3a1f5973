/**
 * Test helper: reads a client-side SSE transcript the way the official SDKs do, asserting the
 * invariants of §1.1, §2.5, §3.3, §5.4 and §6.5, and summarises what the user would see.
 * Throws an Error naming the broken invariant.
 */
import { asArray, asNumber, asObject, asString, isObject, objectsOf, tryParseJson, type JsonObject } from '../core/json.util';
import { fromAnthropicStop, fromGeminiFinish, fromOpenAiFinish, fromResponsesStatus, toOpenAiFinish } from '../core/stop-reason.map';
import { usageFromAnthropic, usageFromGemini, usageFromOpenAiChat, usageFromResponses } from '../core/usage.map';
import type { Usage, WireProtocol } from '../protocol.types';

export interface ToolCallSummary {
  id: string;
  name: string;
  args: unknown;
  thoughtSignature?: string;
}

export interface StreamSummary {
  text: string;
  thinking: string;
  toolCalls: ToolCallSummary[];
  finish: string | null;
  usage: Usage | null;
  /** Reasoning signatures as delivered (Anthropic signature / encrypted_content / thoughtSignature). */
  signatures: string[];
  error: { message: string; status?: number; type?: string } | null;
  model: string | null;
}

function fail(msg: string): never {
  throw new Error(`stream invariant violated: ${msg}`);
}

function parseJsonArgs(text: string, where: string): unknown {
  if (text === '') return {};
  const v = tryParseJson(text);
  if (v === undefined) fail(`${where}: tool arguments are not valid JSON: ${text}`);
  return v;
}

function empty(): StreamSummary {
  return { text: '', thinking: '', toolCalls: [], finish: null, usage: null, signatures: [], error: null, model: null };
}

/** Splits "event: x\ndata: y\n\n" frames, asserting the exact framing of the protocol. */
function frames(raw: string, sep: string, named: boolean): { event?: string; data: string }[] {
  if (raw.length > 0 && !raw.endsWith(sep)) fail('the last event is not terminated');
  const out: { event?: string; data: string }[] = [];
  for (const block of raw.split(sep)) {
    if (block === '') continue;
    const lines = block.split(sep === '\r\n\r\n' ? '\r\n' : '\n');
    if (named) {
      if (lines.length !== 2 || !lines[0].startsWith('event: ') || !lines[1].startsWith('data: ')) fail(`bad named frame: ${JSON.stringify(block)}`);
      out.push({ event: lines[0].slice(7), data: lines[1].slice(6) });
    } else {
      if (lines.length !== 1 || !lines[0].startsWith('data: ')) fail(`bad data-only frame: ${JSON.stringify(block)}`);
      out.push({ data: lines[0].slice(6) });
    }
  }
  return out;
}

export function readClientStream(protocol: WireProtocol, raw: string): StreamSummary {
  switch (protocol) {
    case 'openai-chat':
      return readChat(raw);
    case 'anthropic':
      return readAnthropic(raw);
    case 'gemini':
      return readGemini(raw);
    case 'openai-responses':
      return readResponses(raw);
    default:
      fail(`no stream reader for ${protocol}`);
  }
}

function readChat(raw: string): StreamSummary {
  const s = empty();
  const evs = frames(raw, '\n\n', false);
  if (evs.length === 0 || evs[evs.length - 1].data !== '[DONE]') fail('chat stream must end with data: [DONE]');
  if (evs.filter((e) => e.data === '[DONE]').length !== 1) fail('[DONE] must appear exactly once');
  let sawRole = false;
  let finishes = 0;
  const tools = new Map<number, { id: string; name: string; args: string }>();
  let blocks: unknown[] = [];
  for (const e of evs.slice(0, -1)) {
    const c = asObject(tryParseJson(e.data));
    if (!c) fail('chunk is not a JSON object');
    if (c['error'] !== undefined) {
      const err = asObject(c['error']) ?? {};
      if (typeof err['message'] !== 'string' || typeof err['type'] !== 'string') fail('in-stream error needs message and type');
      s.error = { message: err['message'], type: err['type'] };
      continue;
    }
    if (s.error) fail('chunk after an in-stream error');
    if (c['object'] !== 'chat.completion.chunk') fail('object must be chat.completion.chunk');
    const choices = asArray(c['choices']);
    if (!choices) fail('choices must be an array in every chunk (§2.5)');
    s.model = asString(c['model']) ?? s.model;
    if (c['usage'] !== undefined && c['usage'] !== null) {
      if (choices.length !== 0) fail('usage chunk must have choices: []');
      s.usage = usageFromOpenAiChat(c['usage']);
    }
    for (const ch of objectsOf(choices)) {
      if (asNumber(ch['index']) !== 0) fail('choice index must be 0');
      const d = asObject(ch['delta']);
      if (!d) fail('delta must be an object');
      if (d['role'] === 'assistant') sawRole = true;
      if (!sawRole) fail('first delta must carry role (missing role for choice 0)');
      if (finishes > 0) fail('delta after finish_reason');
      if (typeof d['content'] === 'string') s.text += d['content'];
      if (typeof d['reasoning_content'] === 'string') s.thinking += d['reasoning_content'];
      if (Array.isArray(d['thinking_blocks'])) blocks = d['thinking_blocks'];
      for (const tc of objectsOf(d['tool_calls'])) {
        const idx = asNumber(tc['index']);
        if (idx === undefined) fail('tool call delta without index');
        const fn = asObject(tc['function']) ?? {};
        const known = tools.get(idx);
        if (!known) {
          if (typeof tc['id'] !== 'string' || tc['type'] !== 'function' || typeof fn['name'] !== 'string' || typeof fn['arguments'] !== 'string') {
            fail('first delta of a tool call needs id, type, function.name and function.arguments');
          }
          tools.set(idx, { id: tc['id'], name: fn['name'], args: fn['arguments'] });
        } else {
          if (tc['id'] !== undefined && tc['id'] !== known.id) fail('changed tool call identity (id)');
          if (fn['name'] !== undefined && fn['name'] !== known.name) fail('changed tool call identity (name)');
          if (typeof fn['arguments'] === 'string') known.args += fn['arguments'];
        }
      }
      const fr = ch['finish_reason'];
      if (fr !== null && fr !== undefined) {
        finishes++;
        s.finish = toOpenAiFinish(fromOpenAiFinish(asString(fr)));
      }
    }
  }
  if (!s.error) {
    if (!sawRole) fail('no role delta');
    if (finishes !== 1) fail(`exactly one finish_reason expected, got ${finishes}`);
  }
  for (const [, t] of [...tools.entries()].sort((a, b) => a[0] - b[0])) s.toolCalls.push({ id: t.id, name: t.name, args: parseJsonArgs(t.args, 'chat') });
  for (const b of objectsOf(blocks)) {
    const sig = asString(b['signature']) ?? asString(b['data']);
    if (sig) s.signatures.push(sig);
  }
  return s;
}

function readAnthropic(raw: string): StreamSummary {
  const s = empty();
  const evs = frames(raw, '\n\n', true);
  if (raw.includes('[DONE]')) fail('Anthropic streams never carry [DONE]');
  let usageRaw: JsonObject = {};
  let started = false;
  let stopped = false;
  let deltaSeen = false;
  let nextIndex = 0;
  let open: { index: number; type: string; json: string; id: string; name: string; sig: string } | null = null;
  for (const e of evs) {
    const d = asObject(tryParseJson(e.data));
    if (!d) fail('data is not JSON');
    if (d['type'] !== e.event) fail(`event name ${e.event} must equal data.type ${String(d['type'])}`);
    if (stopped) fail('event after message_stop');
    if (e.event === 'error') {
      const err = asObject(d['error']) ?? {};
      s.error = { message: asString(err['message']) ?? '', type: asString(err['type']) ?? '' };
      continue;
    }
    if (s.error) fail('event after error');
    if (e.event === 'ping') continue;
    if (!started && e.event !== 'message_start') fail(`Unexpected event order, got ${e.event} before "message_start"`);
    switch (e.event) {
      case 'message_start': {
        if (started) fail('second message_start');
        started = true;
        const m = asObject(d['message']) ?? {};
        if (!Array.isArray(m['content'])) fail('message.content must be an array');
        const u = asObject(m['usage']);
        if (!u) fail('message.usage must be an object');
        usageRaw = { ...u };
        s.model = asString(m['model']) ?? null;
        break;
      }
      case 'content_block_start': {
        if (open) fail(`block ${open.index} still open when ${String(d['index'])} starts (interleaving)`);
        if (deltaSeen) fail('content block after message_delta');
        const idx = asNumber(d['index']);
        if (idx !== nextIndex) fail(`block index ${String(idx)} is not sequential (expected ${nextIndex})`);
        nextIndex++;
        const b = asObject(d['content_block']) ?? {};
        const type = asString(b['type']) ?? '';
        open = { index: idx, type, json: '', id: asString(b['id']) ?? '', name: asString(b['name']) ?? '', sig: asString(b['signature']) ?? '' };
        if (type === 'text') s.text += asString(b['text']) ?? '';
        if (type === 'redacted_thinking') s.signatures.push(asString(b['data']) ?? '');
        break;
      }
      case 'content_block_delta': {
        if (!open || asNumber(d['index']) !== open.index) fail('delta for a block that is not open');
        const delta = asObject(d['delta']) ?? {};
        const dt = delta['type'];
        const ok =
          (dt === 'text_delta' && open.type === 'text') ||
          (dt === 'input_json_delta' && open.type === 'tool_use') ||
          ((dt === 'thinking_delta' || dt === 'signature_delta') && open.type === 'thinking');
        if (!ok) fail(`Mismatched content block type: ${String(dt)} into ${open.type}`);
        if (dt === 'text_delta') s.text += asString(delta['text']) ?? '';
        if (dt === 'thinking_delta') s.thinking += asString(delta['thinking']) ?? '';
        if (dt === 'signature_delta') open.sig += asString(delta['signature']) ?? '';
        if (dt === 'input_json_delta') {
          open.json += asString(delta['partial_json']) ?? '';
        }
        break;
      }
      case 'content_block_stop': {
        if (!open || asNumber(d['index']) !== open.index) fail('stop for a block that is not open');
        if (open.type === 'tool_use') {
          const args = parseJsonArgs(open.json, 'anthropic');
          if (!isObject(args)) fail('tool input must be an object');
          s.toolCalls.push({ id: open.id, name: open.name, args });
        }
        if (open.type === 'thinking' && open.sig) s.signatures.push(open.sig);
        open = null;
        break;
      }
      case 'message_delta': {
        if (open) fail('message_delta while a block is open');
        const u = asObject(d['usage']);
        if (!u) fail('message_delta must carry a usage object (§5.4)');
        for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) usageRaw[k] = v;
        const delta = asObject(d['delta']) ?? {};
        s.finish = toOpenAiFinish(fromAnthropicStop(asString(delta['stop_reason'])));
        deltaSeen = true;
        break;
      }
      case 'message_stop':
        if (!deltaSeen) fail('message_stop before message_delta');
        stopped = true;
        break;
      default:
        fail(`unknown event ${String(e.event)}`);
    }
  }
  if (!s.error && !stopped) fail('stream ended without message_stop');
  s.usage = usageFromAnthropic(usageRaw);
  return s;
}

function readGemini(raw: string): StreamSummary {
  const s = empty();
  if (/^event:/m.test(raw)) fail('Gemini streams must not have event: lines');
  const evs = frames(raw, '\r\n\r\n', false);
  let sawCall = false;
  let finishRaw: string | null = null;
  for (const e of evs) {
    if (e.data === '[DONE]') fail('Gemini streams never carry [DONE]');
    const d = asObject(tryParseJson(e.data));
    if (!d) fail('data is not one-line JSON');
    if (d['error'] !== undefined) {
      const err = asObject(d['error']) ?? {};
      if (typeof err['code'] !== 'number') fail('in-stream error code must be a number');
      s.error = { message: asString(err['message']) ?? '', status: err['code'], type: asString(err['status']) ?? '' };
      continue;
    }
    if (s.error) fail('chunk after error');
    if (finishRaw !== null) fail('chunk after finishReason');
    s.model = asString(d['modelVersion']) ?? s.model;
    const cand = objectsOf(d['candidates'])[0];
    if (!cand) fail('chunk without candidates');
    for (const p of objectsOf(asObject(cand['content'])?.['parts'])) {
      const sig = asString(p['thoughtSignature']);
      const fc = asObject(p['functionCall']);
      if (fc) {
        if (!isObject(fc['args'])) fail('functionCall.args must be an object');
        sawCall = true;
        const tc: ToolCallSummary = { id: asString(fc['id']) ?? '', name: asString(fc['name']) ?? '', args: fc['args'] };
        if (sig) tc.thoughtSignature = sig;
        s.toolCalls.push(tc);
      } else if (typeof p['text'] === 'string') {
        if (p['thought'] === true) {
          s.thinking += p['text'];
          if (sig) s.signatures.push(sig);
        } else s.text += p['text'];
      }
    }
    if (typeof cand['finishReason'] === 'string') finishRaw = cand['finishReason'];
    if (d['usageMetadata'] !== undefined) s.usage = usageFromGemini(d['usageMetadata']);
  }
  if (!s.error && finishRaw === null) fail('no finishReason');
  if (finishRaw !== null) s.finish = toOpenAiFinish(fromGeminiFinish(finishRaw, sawCall));
  return s;
}

function readResponses(raw: string): StreamSummary {
  const s = empty();
  const evs = frames(raw, '\n\n', true);
  if (raw.includes('[DONE]')) fail('Responses streams never carry [DONE]');
  let seq = 0;
  const items = new Map<number, { type: string; id: string; parts: Set<number> }>();
  let terminal = false;
  let streamedText = '';
  for (const e of evs) {
    const d = asObject(tryParseJson(e.data));
    if (!d) fail('data is not JSON');
    if (d['type'] !== e.event) fail(`event name ${e.event} must equal data.type`);
    if (asNumber(d['sequence_number']) !== seq) fail(`sequence_number ${String(d['sequence_number'])} should be ${seq}`);
    seq++;
    if (terminal) fail('event after the terminal event');
    const type = e.event!;
    if (seq === 1 && type !== 'response.created' && type !== 'error') fail('response.created must come first');
    const oi = asNumber(d['output_index']);
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        s.model = asString(asObject(d['response'])?.['model']) ?? s.model;
        break;
      case 'response.output_item.added': {
        const item = asObject(d['item']) ?? {};
        if (oi === undefined || items.has(oi)) fail('output_item.added needs a fresh output_index');
        items.set(oi, { type: asString(item['type']) ?? '', id: asString(item['id']) ?? '', parts: new Set() });
        break;
      }
      case 'response.content_part.added': {
        const it = items.get(oi ?? -1);
        if (!it) fail(`missing output at index ${String(oi)}`);
        if (asObject(d['part'])?.['type'] !== 'output_text') fail('content part must be output_text');
        it.parts.add(asNumber(d['content_index']) ?? -1);
        break;
      }
      case 'response.output_text.delta': {
        const it = items.get(oi ?? -1);
        if (!it) fail(`missing output at index ${String(oi)}`);
        if (!it.parts.has(asNumber(d['content_index']) ?? -1)) fail(`missing content at index ${String(d['content_index'])}`);
        if (d['item_id'] !== it.id) fail('item_id mismatch');
        streamedText += asString(d['delta']) ?? '';
        break;
      }
      case 'response.reasoning_summary_text.delta':
      case 'response.function_call_arguments.delta': {
        const it = items.get(oi ?? -1);
        if (!it) fail(`missing output at index ${String(oi)}`);
        if (d['item_id'] !== it.id) fail('item_id mismatch');
        if (type === 'response.reasoning_summary_text.delta') s.thinking += asString(d['delta']) ?? '';
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        terminal = true;
        const r = asObject(d['response']) ?? {};
        const output = objectsOf(r['output']);
        let text = '';
        for (const item of output) {
          if (item['type'] === 'message') {
            for (const c of objectsOf(item['content'])) text += asString(c['text']) ?? '';
          } else if (item['type'] === 'function_call') {
            s.toolCalls.push({
              id: asString(item['call_id']) ?? '',
              name: asString(item['name']) ?? '',
              args: parseJsonArgs(asString(item['arguments']) ?? '', 'responses'),
            });
          } else if (item['type'] === 'reasoning') {
            const enc = asString(item['encrypted_content']);
            if (enc) s.signatures.push(enc);
          }
        }
        if (text !== streamedText) fail('final output text differs from the streamed deltas');
        s.text = text;
        s.usage = usageFromResponses(r['usage']);
        s.finish = toOpenAiFinish(fromResponsesStatus(asString(r['status']), asString(asObject(r['incomplete_details'])?.['reason']), s.toolCalls.length > 0));
        s.model = asString(r['model']) ?? s.model;
        break;
      }
      case 'error': {
        const err = asObject(d['error']) ?? d;
        s.error = { message: asString(err['message']) ?? '', type: asString(err['type']) ?? '' };
        break;
      }
      case 'response.failed':
        if (!s.error) fail('response.failed without a preceding error event');
        terminal = true;
        break;
      default:
        break;
    }
  }
  if (!terminal) fail('stream ended without a terminal response event');
  if (s.error) s.text = streamedText;
  return s;
}
