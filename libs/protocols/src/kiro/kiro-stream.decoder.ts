/**
 * Kiro's event stream (as SSE text: `event:` the `:event-type`, `data:` its JSON payload; the provider's framer turns
 * the binary AWS frames into that) → internal stream events (§3.4). Kiro sends no stop reason and usage only in the
 * newer `metadataEvent`: the stop reason is `tool_use` when a tool was called, else `end_turn`, and usage without
 * `metadataEvent` is estimated from `contextUsageEvent`'s share of the context window.
 */
import type { IrStreamEvent, IrStreamError } from '../core/ir.types';
import { asBoolean, asNumber, asObject, asString, isObject, tryParseJson, type JsonObject } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { tokenCount } from '../core/usage.map';
import { countTextTokens } from '../accounting/token-count.util';
import type { ConvertContext, Usage } from '../protocol.types';

/** The event the framer writes for an `exception`/`error` frame: `{ code, message }`. */
export const KIRO_EXCEPTION_EVENT = 'exception';
/** Context window the usage estimate assumes (Kiro's Claude models: 200K; some accounts get 1M, then it over-counts). */
const CONTEXT_WINDOW = 200_000;

const EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  throttlingException: 429,
  validationException: 400,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
  serviceQuotaExceededException: 429,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

interface ToolState {
  index: number;
  sawArgs: boolean;
  ended: boolean;
}

export class KiroStreamDecoder implements StreamDecoder {
  private started = false;
  private thinking: { signature: string } | null = null;
  private readonly tools = new Map<string, ToolState>();
  private usage: Usage | null = null;
  private contextPercent: number | null = null;
  private output = '';
  private failed = false;

  constructor(private readonly ctx?: ConvertContext) {}

  decode(ev: SseEvent): IrStreamEvent[] {
    if (this.failed) return [];
    const parsed = tryParseJson(ev.data);
    if (!isObject(parsed)) return [];
    const { name, payload } = unwrap(ev.event, parsed);
    const out: IrStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start' });
    }
    switch (name) {
      case 'assistantResponseEvent': {
        const text = asString(payload['content']);
        if (text) {
          out.push(...this.endThinking(), { type: 'text_delta', text });
          this.output += text;
        }
        break;
      }
      case 'reasoningContentEvent': {
        const text = asString(payload['text']);
        this.thinking ??= { signature: '' };
        if (text) {
          out.push({ type: 'thinking_delta', text });
          this.output += text;
        }
        this.thinking.signature += asString(payload['signature']) ?? '';
        const redacted = asString(payload['redactedContent']);
        if (redacted) out.push({ type: 'thinking_end', redactedData: redacted });
        break;
      }
      case 'toolUseEvent':
        out.push(...this.endThinking(), ...this.toolUse(payload));
        break;
      case 'contextUsageEvent': {
        const pct = asNumber(payload['contextUsagePercentage']);
        if (pct !== undefined && pct >= 0) this.contextPercent = pct;
        break;
      }
      case 'metadataEvent': {
        const u = asObject(payload['tokenUsage']);
        if (u) {
          const cacheRead = tokenCount(u['cacheReadInputTokens']);
          const cacheWrite = tokenCount(u['cacheWriteInputTokens']);
          this.usage = {
            // Kiro's uncached input already holds what was written to the cache; reads come on top (§3.4).
            promptTokens: tokenCount(u['uncachedInputTokens']) + cacheRead,
            completionTokens: tokenCount(u['outputTokens']),
            cacheReadTokens: cacheRead,
            cacheWriteTokens: cacheWrite,
            reasoningTokens: 0,
          };
          out.push({ type: 'usage', usage: this.usage });
        }
        break;
      }
      case 'invalidStateEvent':
        out.push(
          this.fail({
            status: 400,
            message: asString(payload['message']) ?? asString(payload['reason']) ?? 'Kiro reported an invalid state',
            type: 'invalid_request_error',
          }),
        );
        break;
      case KIRO_EXCEPTION_EVENT: {
        const code = asString(payload['code']) ?? 'internalServerException';
        out.push(this.fail({ status: EXCEPTION_STATUS[code] ?? 502, message: asString(payload['message']) ?? code, code }));
        break;
      }
      default:
        break; // messageMetadataEvent, meteringEvent (credits), followupPromptEvent, codeEvent…
    }
    return out;
  }

  finish(): IrStreamEvent[] {
    if (this.failed || !this.started) return [];
    const out: IrStreamEvent[] = [...this.endThinking()];
    let called = false;
    for (const t of this.tools.values()) {
      called = true;
      if (!t.ended) out.push(...this.endTool(t));
    }
    if (!this.usage && this.contextPercent !== null) {
      const completion = countTextTokens(this.output);
      const total = Math.round((CONTEXT_WINDOW * this.contextPercent) / 100);
      out.push({
        type: 'usage',
        usage: { promptTokens: Math.max(0, total - completion), completionTokens: completion, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      });
    }
    out.push({ type: 'finish', reason: called ? 'tool_calls' : 'stop' });
    return out;
  }

  private toolUse(p: JsonObject): IrStreamEvent[] {
    const id = asString(p['toolUseId']);
    if (!id) return [];
    const out: IrStreamEvent[] = [];
    let t = this.tools.get(id);
    if (!t) {
      t = { index: this.tools.size, sawArgs: false, ended: false };
      this.tools.set(id, t);
      const name = asString(p['name']) ?? '';
      out.push({ type: 'tool_call_start', index: t.index, id, name: this.ctx?.upstreamToolNames?.[name] ?? name });
    }
    if (t.ended) return out;
    const input = p['input'];
    const fragment = typeof input === 'string' ? input : isObject(input) ? JSON.stringify(input) : '';
    if (fragment) {
      t.sawArgs = true;
      this.output += fragment;
      out.push({ type: 'tool_call_delta', index: t.index, arguments: fragment });
    }
    if (asBoolean(p['stop']) === true) out.push(...this.endTool(t));
    return out;
  }

  private endTool(t: ToolState): IrStreamEvent[] {
    t.ended = true;
    const out: IrStreamEvent[] = [];
    // A tool without arguments streams none: the client still gets an object.
    if (!t.sawArgs) out.push({ type: 'tool_call_delta', index: t.index, arguments: '{}' });
    out.push({ type: 'tool_call_end', index: t.index });
    return out;
  }

  private endThinking(): IrStreamEvent[] {
    if (!this.thinking) return [];
    const signature = this.thinking.signature;
    this.thinking = null;
    return [signature ? { type: 'thinking_end', signature } : { type: 'thinking_end' }];
  }

  private fail(error: IrStreamError): IrStreamEvent {
    this.failed = true;
    return { type: 'error', error };
  }
}

const KNOWN = new Set([
  'assistantResponseEvent',
  'reasoningContentEvent',
  'toolUseEvent',
  'contextUsageEvent',
  'metadataEvent',
  'meteringEvent',
  'messageMetadataEvent',
  'invalidStateEvent',
  'followupPromptEvent',
  'codeEvent',
]);

/** Payloads come top-level or wrapped as `{ "<eventName>": {…} }` (kiro.rs accepts both); an unnamed one is recognised by its keys. */
function unwrap(event: string | undefined, data: JsonObject): { name: string; payload: JsonObject } {
  const keys = Object.keys(data);
  if (keys.length === 1 && KNOWN.has(keys[0]) && isObject(data[keys[0]])) return { name: keys[0], payload: data[keys[0]] as JsonObject };
  if (event && event !== 'message') return { name: event, payload: data };
  if ('toolUseId' in data) return { name: 'toolUseEvent', payload: data };
  if ('content' in data) return { name: 'assistantResponseEvent', payload: data };
  if ('tokenUsage' in data) return { name: 'metadataEvent', payload: data };
  if ('contextUsagePercentage' in data) return { name: 'contextUsageEvent', payload: data };
  return { name: event ?? '', payload: data };
}
