/**
 * Internal stream events → Anthropic Messages SSE (for the client), §5.4 / §9.8 B:
 * one open block at a time, block indices sequential, message_delta deferred until usage is known.
 */
import type { IrStopReason, IrStreamError, IrStreamEvent } from '../core/ir.types';
import { encodeToolCallId, idBase } from '../core/ids.util';
import { tryParseJson } from '../core/json.util';
import { reasoningSlotValue, thinkingStateOf } from '../core/reasoning-carrier.util';
import { encodeSseEvent } from '../core/sse-encoder';
import type { StreamEncoder } from '../core/stream.types';
import { toAnthropicStop } from '../core/stop-reason.map';
import { usageToAnthropic } from '../core/usage.map';
import { anthropicErrorType } from '../errors/error-types.map';
import type { ConvertContext, Usage } from '../protocol.types';
import { anthropicCitation, anthropicWebSearchBlocks } from './anthropic-response.encoder';

interface ToolState {
  id: string;
  name: string;
  thoughtSignature?: string;
  /** Arguments not yet written (buffered tools only). */
  pending: string;
  /** All arguments seen (to tell whether the JSON is complete). */
  seen: string;
  status: 'buffered' | 'streaming' | 'closed';
  ended: boolean;
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'thinking'; index: number; text: string } | { kind: 'tool'; index: number; tool: number };

export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private closed = false;
  private nextBlock = 0;
  private open: OpenBlock | null = null;
  private readonly tools = new Map<number, ToolState>();
  private readonly order: number[] = [];
  private usage: Usage | null = null;
  private stop: IrStopReason | null = null;
  private stopSequence: string | null = null;

  constructor(private readonly ctx: ConvertContext) {}

  encode(ev: IrStreamEvent): string {
    if (this.closed) return '';
    switch (ev.type) {
      case 'start':
        return '';
      case 'usage':
        this.usage = ev.usage;
        return '';
      case 'text_delta':
        return (
          this.ensureStarted() +
          this.openKind('text') +
          this.emit({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: ev.text } })
        );
      case 'thinking_delta': {
        let out = this.ensureStarted() + this.openKind('thinking');
        const open = this.open as Extract<OpenBlock, { kind: 'thinking' }>;
        open.text += ev.text;
        out += this.emit({ type: 'content_block_delta', index: open.index, delta: { type: 'thinking_delta', thinking: ev.text } });
        return out;
      }
      case 'thinking_end': {
        let out = this.ensureStarted();
        if (this.open?.kind === 'thinking') {
          const signature = reasoningSlotValue({ type: 'thinking', text: this.open.text, ...thinkingStateOf(ev) }, 'anthropic-signature');
          if (signature) out += this.emit({ type: 'content_block_delta', index: this.open.index, delta: { type: 'signature_delta', signature } });
          out += this.closeOpen();
        } else if (ev.redactedData) {
          out += this.closeOpen();
          const index = this.nextBlock++;
          out += this.emit({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: ev.redactedData } });
          out += this.emit({ type: 'content_block_stop', index });
        }
        return out;
      }
      case 'tool_call_start':
        return this.ensureStarted() + this.toolStart(ev.index, ev.id, ev.name, ev.thoughtSignature);
      case 'tool_call_delta':
        return this.toolDelta(ev.index, ev.arguments);
      case 'tool_call_end':
        return this.toolEnd(ev.index);
      case 'web_search':
        return this.ensureStarted() + this.closeOpen() + this.webSearch(ev.search);
      case 'citations': {
        // Citations belong to a text block: the one still open (the answer's last), if any.
        if (this.open?.kind !== 'text') return '';
        const index = this.open.index;
        return ev.citations
          .map((c) => this.emit({ type: 'content_block_delta', index, delta: { type: 'citations_delta', citation: anthropicCitation(c) } }))
          .join('');
      }
      case 'finish':
        this.stop = ev.reason;
        this.stopSequence = ev.stopSequence ?? null;
        return '';
      default:
        return '';
    }
  }

  /** The search's call and results as whole blocks, as Anthropic streams its own server tool's. */
  private webSearch(search: Parameters<typeof anthropicWebSearchBlocks>[0]): string {
    let out = '';
    for (const block of anthropicWebSearchBlocks(search)) {
      const index = this.nextBlock++;
      if (block.type === 'server_tool_use') {
        out += this.emit({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        out += this.emit({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
      } else {
        out += this.emit({ type: 'content_block_start', index, content_block: block });
      }
      out += this.emit({ type: 'content_block_stop', index });
    }
    return out;
  }

  end(): string {
    if (this.closed) return '';
    let out = this.ensureStarted() + this.closeOpen();
    for (const k of this.order) {
      const t = this.tools.get(k)!;
      if (t.status === 'buffered') {
        t.ended = true;
        out += this.startBufferedTool(k, t);
      }
      if (t.status === 'streaming') out += this.closeOpen();
    }
    const usage = this.usage ? usageToAnthropic(this.usage) : { output_tokens: 0 };
    out += this.emit({
      type: 'message_delta',
      delta: { stop_reason: toAnthropicStop(this.stop ?? 'stop'), stop_sequence: this.stopSequence },
      usage,
    });
    out += this.emit({ type: 'message_stop' });
    this.closed = true;
    return out;
  }

  abort(error: IrStreamError): string {
    if (this.closed) return '';
    this.closed = true;
    return this.emit({ type: 'error', error: { type: anthropicErrorType(error.status, error.type, error.code), message: error.message } });
  }

  private emit(data: Record<string, unknown>): string {
    return encodeSseEvent('anthropic', data);
  }

  private ensureStarted(): string {
    if (this.started) return '';
    this.started = true;
    const u = this.usage ? usageToAnthropic(this.usage) : undefined;
    return this.emit({
      type: 'message_start',
      message: {
        id: `msg_${idBase(this.ctx)}`,
        type: 'message',
        role: 'assistant',
        model: this.ctx.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: u?.input_tokens ?? 0,
          cache_creation_input_tokens: u?.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: u?.cache_read_input_tokens ?? 0,
          output_tokens: 0,
        },
      },
    });
  }

  private openKind(kind: 'text' | 'thinking'): string {
    if (this.open?.kind === kind) return '';
    const out = this.closeOpen();
    const index = this.nextBlock++;
    if (kind === 'text') {
      this.open = { kind: 'text', index };
      return out + this.emit({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    }
    this.open = { kind: 'thinking', index, text: '' };
    return out + this.emit({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
  }

  private closeOpen(): string {
    if (!this.open) return '';
    const open = this.open;
    this.open = null;
    if (open.kind === 'tool') {
      const t = this.tools.get(open.tool);
      if (t) t.status = 'closed';
    }
    return this.emit({ type: 'content_block_stop', index: open.index });
  }

  private toolStart(k: number, id: string, name: string, thoughtSignature: string | undefined): string {
    const t: ToolState = { id, name, pending: '', seen: '', status: 'buffered', ended: false };
    if (thoughtSignature) t.thoughtSignature = thoughtSignature;
    this.tools.set(k, t);
    this.order.push(k);
    if (this.open?.kind === 'tool') {
      const cur = this.tools.get(this.open.tool)!;
      // Real Anthropic never interleaves blocks: only move on once the open call's JSON is whole.
      if (!cur.ended && tryParseJson(cur.seen) === undefined) return '';
    }
    return this.closeOpen() + this.flushBuffered();
  }

  private toolDelta(k: number, args: string): string {
    const t = this.tools.get(k);
    if (!t || t.status === 'closed') return '';
    t.seen += args;
    if (t.status === 'buffered') {
      t.pending += args;
      return '';
    }
    return this.emit({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'input_json_delta', partial_json: args } });
  }

  private toolEnd(k: number): string {
    const t = this.tools.get(k);
    if (!t) return '';
    t.ended = true;
    if (t.status !== 'streaming') return '';
    return this.closeOpen() + this.flushBuffered();
  }

  /** Opens buffered tools in order; fully received ones are written whole and closed. */
  private flushBuffered(): string {
    let out = '';
    for (const k of this.order) {
      const t = this.tools.get(k)!;
      if (t.status !== 'buffered') continue;
      if (this.open) break;
      out += this.startBufferedTool(k, t);
      if (t.ended) out += this.closeOpen();
      else break;
    }
    return out;
  }

  private startBufferedTool(k: number, t: ToolState): string {
    let out = this.closeOpen();
    const index = this.nextBlock++;
    this.open = { kind: 'tool', index, tool: k };
    t.status = 'streaming';
    out += this.emit({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: encodeToolCallId(t.id, t.thoughtSignature), name: t.name, input: {} },
    });
    if (t.pending) {
      out += this.emit({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: t.pending } });
      t.pending = '';
    }
    return out;
  }
}
