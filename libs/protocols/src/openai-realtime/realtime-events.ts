import { asObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import { renderError } from '../errors/render-error';
import type { GatewayError, Usage } from '../protocol.types';

/**
 * OpenAI Realtime frames as the gateway reads them (reference §4.4): the usage of each `response.done` (the only
 * billing a session has; byte metering would undercharge) and the client's `response.create` (admitted against the
 * quota before it is forwarded). Everything else passes through unread.
 */

/** Audio deltas are large base64 frames: only frames that can be a `response.done` are parsed. */
const RESPONSE_DONE = Buffer.from('"response.done"');
const RESPONSE_CREATE = Buffer.from('"response.create"');

function parseObject(frame: Buffer): Record<string, unknown> | null {
  try {
    return asObject(JSON.parse(frame.toString('utf8'))) ?? null;
  } catch {
    return null;
  }
}

/**
 * `response.done.response.usage` in OpenAI semantics: `input_tokens` holds the cached ones
 * (`input_token_details.cached_tokens`), `output_tokens` text and audio. Null for any other frame, or a
 * `response.done` without usage (a cancelled response before any token).
 */
export function realtimeResponseUsage(frame: Buffer): Usage | null {
  if (!frame.includes(RESPONSE_DONE)) return null;
  const e = parseObject(frame);
  if (!e || e['type'] !== 'response.done') return null;
  const u = asObject(asObject(e['response'])?.['usage']);
  if (!u) return null;
  const input = tokenCount(u['input_tokens']);
  const cached = Math.min(input, tokenCount(asObject(u['input_token_details'])?.['cached_tokens']));
  return { promptTokens: input, completionTokens: tokenCount(u['output_tokens']), cacheReadTokens: cached, cacheWriteTokens: 0, reasoningTokens: 0 };
}

/** A client `response.create`: its `event_id` (echoed in a refusal) and the output budget it names, if any. */
export interface ResponseCreate {
  eventId: string | null;
  /** `response.max_output_tokens` when a number (`"inf"` or absent: null) */
  maxOutputTokens: number | null;
}

export function realtimeResponseCreate(frame: Buffer): ResponseCreate | null {
  if (!frame.includes(RESPONSE_CREATE)) return null;
  const e = parseObject(frame);
  if (!e || e['type'] !== 'response.create') return null;
  const max = asObject(e['response'])?.['max_output_tokens'];
  return {
    eventId: typeof e['event_id'] === 'string' ? e['event_id'] : null,
    maxOutputTokens: typeof max === 'number' && Number.isFinite(max) && max >= 0 ? Math.floor(max) : null,
  };
}

/** The session's `max_output_tokens` a client `session.update` sets (a number, `"inf"` → null, absent → undefined). */
export function realtimeSessionMaxOutput(frame: Buffer): number | null | undefined {
  if (!frame.includes('"session.update"')) return undefined;
  const e = parseObject(frame);
  if (!e || e['type'] !== 'session.update') return undefined;
  const s = asObject(e['session']);
  if (!s || !('max_output_tokens' in s || 'max_response_output_tokens' in s)) return undefined;
  const max = s['max_output_tokens'] ?? s['max_response_output_tokens'];
  return typeof max === 'number' && Number.isFinite(max) && max >= 0 ? Math.floor(max) : null;
}

/**
 * A gateway refusal inside a session, as the Realtime API sends its own: an `error` server event with OpenAI's error
 * object and the `event_id` of the client event it refuses.
 */
export function realtimeErrorEvent(err: GatewayError, eventId: string, clientEventId: string | null): string {
  const body = renderError('openai-realtime', err, eventId).body as { error: Record<string, unknown> };
  return JSON.stringify({ type: 'error', event_id: eventId, error: { ...body.error, event_id: clientEventId } });
}
