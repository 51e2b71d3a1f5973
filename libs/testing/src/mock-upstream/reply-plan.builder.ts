import { parseDirectives } from './directive.parser';
import type { JsonRecord } from './json.util';

/** Vendor-neutral view of a chat request: what the reply logic needs, nothing more. */
export interface NeutralToolCall {
  id?: string;
  name: string;
  argsJson: string;
}

export interface NeutralToolResult {
  id?: string;
  name?: string;
  text: string;
}

export interface NeutralMessage {
  role: 'user' | 'assistant';
  texts: string[];
  toolCalls: NeutralToolCall[];
  toolResults: NeutralToolResult[];
}

export type ThinkingMode = 'off' | 'hidden' | 'visible';

export interface NeutralRequest {
  model: string;
  system: string[];
  messages: NeutralMessage[];
  toolsOffered: boolean;
  /** What the request itself asks for (reasoning_effort, thinking, thinkingConfig…). */
  thinking: ThinkingMode;
  maxOutputTokens?: number;
}

export interface PlannedToolCall {
  name: string;
  args: JsonRecord;
  argsJson: string;
}

export interface ReplyUsage {
  /** Uncached prompt tokens (Anthropic `input_tokens`). */
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** All output tokens, reasoning and tool calls included. */
  output: number;
  reasoning: number;
}

export interface ReplyPlan {
  text: string;
  textChunks: string[];
  /** Reasoning text; empty when thinking is off. Vendors show it only when `reasoningVisible`. */
  reasoning: string;
  reasoningChunks: string[];
  reasoningVisible: boolean;
  toolCalls: PlannedToolCall[];
  finish: 'stop' | 'length' | 'tool_calls';
  usage: ReplyUsage;
  /** Pause between content chunks when streaming. */
  delayMs: number;
  /** `[error:NNN]` directive: answer with the vendor's error for this status instead. */
  errorStatus?: number;
}

export interface ShapeHint {
  chunks?: number;
  delayMs?: number;
}

export const DEFAULT_REPLY = 'Hello! This is the Switchboard mock upstream.';
const FILLER = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit'];
const MAX_DEFAULT_CHUNKS = 8;

/** The mock's tokenizer: one token per whitespace-separated word. */
export function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

export function toolCallTokens(argsJson: string): number {
  return 1 + countWords(argsJson);
}

export function promptTokens(req: Pick<NeutralRequest, 'system' | 'messages'>): number {
  let n = 0;
  for (const s of req.system) n += countWords(s);
  for (const m of req.messages) {
    for (const t of m.texts) n += countWords(t);
    for (const c of m.toolCalls) n += toolCallTokens(c.argsJson);
    for (const r of m.toolResults) n += countWords(r.text);
  }
  return Math.max(1, n);
}

export function lastUserText(req: NeutralRequest): string {
  for (let i = req.messages.length - 1; i >= 0; i--) {
    const m = req.messages[i];
    if (m.role === 'user' && m.texts.length > 0) return m.texts.join(' ');
  }
  return '';
}

export function buildPlan(req: NeutralRequest, hint: ShapeHint): ReplyPlan {
  const d = parseDirectives(lastUserText(req));
  const last = req.messages[req.messages.length - 1];
  let text = '';
  let toolCalls: PlannedToolCall[] = [];
  if (last && last.role === 'user' && last.toolResults.length > 0) {
    text = describeToolResults(req, last.toolResults);
  } else if (d.calls.length > 0 && req.toolsOffered) {
    toolCalls = d.calls.map((c) => ({ name: c.name, args: c.args, argsJson: JSON.stringify(c.args) }));
  } else {
    text = d.text ? `Echo: ${d.text}` : DEFAULT_REPLY;
  }

  const thinking: ThinkingMode = d.think ? 'visible' : req.thinking;
  const reasoning = thinking === 'off' ? '' : `Let me think about this step by step before I answer.${d.text ? ` The user wrote: ${d.text}` : ''}`;

  const chunks = d.chunks ?? hint.chunks;
  let finish: ReplyPlan['finish'] = toolCalls.length > 0 ? 'tool_calls' : 'stop';
  let words: string[] = text ? (text.match(/\s*\S+/g) ?? []) : [];
  if (text && chunks !== undefined && words.length < chunks) {
    for (let i = 0; words.length < chunks; i++) words.push(` ${FILLER[i % FILLER.length]}`);
  }
  const max = req.maxOutputTokens;
  if (text && max !== undefined && max >= 1 && words.length > max) {
    words = words.slice(0, max);
    finish = 'length';
  }
  text = words.join('');
  let textChunks = text ? group(words, chunks ?? clamp(words.length, 2, MAX_DEFAULT_CHUNKS)) : [];
  if (d.thinkTags && text) {
    // Streamed in small pieces, so the tags themselves arrive cut apart.
    text = `<think>\n${thinkTagsReasoning(d.text)}\n</think>\n\n${text}`;
    textChunks = text.match(/[\s\S]{1,5}/g) ?? [];
  }

  const reasoningWords = countWords(reasoning);
  let output = countWords(text) + reasoningWords;
  for (const c of toolCalls) output += toolCallTokens(c.argsJson);

  return {
    text,
    textChunks,
    reasoning,
    reasoningChunks: reasoning ? group(reasoning.match(/\s*\S+/g) ?? [], 3) : [],
    reasoningVisible: thinking === 'visible',
    toolCalls,
    finish,
    usage: {
      input: promptTokens(req),
      cacheRead: d.cache?.read ?? 0,
      cacheWrite: d.cache?.write ?? 0,
      output,
      reasoning: thinking === 'off' ? 0 : reasoningWords,
    },
    delayMs: d.delayMs ?? hint.delayMs ?? 0,
    errorStatus: d.errorStatus,
  };
}

/** The reasoning a `[think-tags]` reply writes between its `<think>` tags. */
export function thinkTagsReasoning(userText: string): string {
  return `I should echo what the user wrote${userText ? `: ${userText}` : ''}.`;
}

function describeToolResults(req: NeutralRequest, results: NeutralToolResult[]): string {
  const names = new Map<string, string>();
  for (const m of req.messages) for (const c of m.toolCalls) if (c.id) names.set(c.id, c.name);
  return results.map((r) => `The tool ${r.name ?? (r.id ? names.get(r.id) : undefined) ?? 'tool'} returned ${r.text}.`).join(' ');
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, n));
}

/**
 * Splits word pieces into exactly `n` chunks when there are enough pieces; a single word is split by
 * characters so that even a one-word reply streams in more than one chunk.
 */
function group(words: string[], n: number): string[] {
  if (words.length === 0) return [];
  if (words.length < n) {
    if (words.length === 1 && words[0].length >= n) return splitChars(words[0], n);
    return words.slice();
  }
  const out: string[] = [];
  const base = Math.floor(words.length / n);
  let extra = words.length % n;
  let i = 0;
  for (let k = 0; k < n; k++) {
    const size = base + (extra-- > 0 ? 1 : 0);
    out.push(words.slice(i, i + size).join(''));
    i += size;
  }
  return out;
}

function splitChars(s: string, n: number): string[] {
  const out: string[] = [];
  const size = Math.ceil(s.length / n);
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}

/**
 * Cuts a JSON string at awkward places, as real OpenAI streams do: every few characters (so inside
 * strings) and right after every backslash (so inside escape sequences).
 */
export function awkwardFragments(json: string): string[] {
  const out: string[] = [];
  let cur = '';
  const sizes = [2, 5, 3, 7];
  let k = 0;
  for (let i = 0; i < json.length; i++) {
    cur += json[i];
    if (json[i] === '\\' || cur.length >= sizes[k % sizes.length]) {
      out.push(cur);
      cur = '';
      k++;
    }
  }
  if (cur) out.push(cur);
  return out;
}
