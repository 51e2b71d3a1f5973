/** Small builders shared by the request decoders. */
import type { IrCacheControl, IrMessage, IrPart, IrTextPart, IrToolResultPart } from './ir.types';
import { asObject, asString } from './json.util';
import { stripCacheMarker } from './media.util';

export function cacheControlOf(v: unknown): IrCacheControl | undefined {
  const o = asObject(v);
  if (!o || o['type'] !== 'ephemeral') return undefined;
  const ttl = asString(o['ttl']);
  return ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
}

/** Text part with the seed's `<cache>` marker handled; an explicit cache_control wins. */
export function textPart(text: string, wireCacheControl?: unknown): IrTextPart {
  const stripped = stripCacheMarker(text);
  const part: IrTextPart = { type: 'text', text: stripped.text };
  const cc = cacheControlOf(wireCacheControl) ?? stripped.cacheControl;
  if (cc) part.cacheControl = cc;
  return part;
}

export function setCacheControlOnLast(parts: IrPart[], cc: IrCacheControl | undefined): void {
  if (!cc) return;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    if (p.type === 'text' || p.type === 'image' || p.type === 'file' || p.type === 'tool_call' || p.type === 'tool_result') {
      p.cacheControl = cc;
      return;
    }
  }
}

/** Appends parts to the conversation, merging into the previous message when the role repeats. */
export function pushParts(messages: IrMessage[], role: 'user' | 'assistant', parts: IrPart[]): void {
  if (parts.length === 0) return;
  const last = messages[messages.length - 1];
  if (last && last.role === role) last.parts.push(...parts);
  else messages.push({ role, parts });
}

export function isToolResult(p: IrPart): p is IrToolResultPart {
  return p.type === 'tool_result';
}

/**
 * Strict-alternation normal form for Anthropic and Gemini (§10.3, §10.4, §10.7):
 * consecutive same-role messages merged, tool results first in their user message,
 * empty text removed, empty messages dropped.
 */
export function normalizeConversation(messages: IrMessage[]): IrMessage[] {
  const out: IrMessage[] = [];
  for (const m of messages) {
    const parts = m.parts.filter((p) => !(p.type === 'text' && p.text.trim().length === 0 && !p.thoughtSignature));
    if (parts.length === 0) continue;
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.parts.push(...parts);
    else out.push({ role: m.role, parts: [...parts] });
  }
  for (const m of out) {
    if (m.role === 'user' && m.parts.some(isToolResult)) {
      m.parts = [...m.parts.filter(isToolResult), ...m.parts.filter((p) => !isToolResult(p))];
    }
  }
  return out;
}
