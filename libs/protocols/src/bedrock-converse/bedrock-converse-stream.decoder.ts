/**
 * ConverseStream events (upstream) → internal stream events. The provider's framer turns the binary event stream into
 * SSE named by each frame's `:event-type` (its payload the event body), so exceptions arrive as events too.
 */
import type { IrStopReason, IrStreamEvent } from '../core/ir.types';
import { asNumber, asObject, asString, isObject, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromConverseStop, usageFromConverse } from './bedrock-converse-response.decoder';

type Block = { kind: 'text' } | { kind: 'thinking'; signature: string; redacted: string } | { kind: 'tool'; index: number; sawArgs: boolean };

/** ConverseStream's modeled exceptions, by event name, and the HTTP status each stands for. */
export const CONVERSE_STREAM_EXCEPTIONS: Readonly<Record<string, number>> = {
  throttlingException: 429,
  validationException: 400,
  internalServerException: 500,
  serviceUnavailableException: 503,
  modelStreamErrorException: 424,
  modelTimeoutException: 504,
};

export class ConverseStreamDecoder implements StreamDecoder {
  private readonly blocks = new Map<number, Block>();
  private nextTool = 0;
  /** messageStop comes before the usage (metadata): the finish waits for it so encoders see usage first. */
  private pendingFinish: IrStopReason | undefined;
  private started = false;

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = tryParseJson(ev.data);
    if (!isObject(data)) return [];
    const out: IrStreamEvent[] = [];
    const name = ev.event ?? '';
    if (!this.started && name !== 'metadata' && !(name in CONVERSE_STREAM_EXCEPTIONS)) {
      this.started = true;
      out.push({ type: 'start' });
    }
    switch (name) {
      case 'messageStart':
        break;
      case 'contentBlockStart': {
        const index = asNumber(data['contentBlockIndex']) ?? this.blocks.size;
        const toolUse = asObject(asObject(data['start'])?.['toolUse']);
        if (toolUse) {
          const tool = this.nextTool++;
          this.blocks.set(index, { kind: 'tool', index: tool, sawArgs: false });
          out.push({ type: 'tool_call_start', index: tool, id: asString(toolUse['toolUseId']) ?? `tooluse_${tool}`, name: asString(toolUse['name']) ?? '' });
        }
        break;
      }
      case 'contentBlockDelta': {
        const index = asNumber(data['contentBlockIndex']) ?? 0;
        const delta = asObject(data['delta']) ?? {};
        const text = asString(delta['text']);
        const reasoning = asObject(delta['reasoningContent']);
        const toolUse = asObject(delta['toolUse']);
        // Text and reasoning blocks have no start event: the first delta opens them.
        if (text !== undefined) {
          if (!this.blocks.has(index)) this.blocks.set(index, { kind: 'text' });
          if (text) out.push({ type: 'text_delta', text });
        } else if (reasoning) {
          let block = this.blocks.get(index);
          if (!block) this.blocks.set(index, (block = { kind: 'thinking', signature: '', redacted: '' }));
          if (block.kind !== 'thinking') break;
          const t = asString(reasoning['text']);
          if (t) out.push({ type: 'thinking_delta', text: t });
          block.signature += asString(reasoning['signature']) ?? '';
          block.redacted += asString(reasoning['redactedContent']) ?? '';
        } else if (toolUse) {
          const block = this.blocks.get(index);
          const input = asString(toolUse['input']);
          if (block?.kind === 'tool' && input) {
            block.sawArgs = true;
            out.push({ type: 'tool_call_delta', index: block.index, arguments: input });
          }
        }
        break;
      }
      case 'contentBlockStop': {
        const index = asNumber(data['contentBlockIndex']) ?? -1;
        const block = this.blocks.get(index);
        if (block) out.push(...this.close(block));
        this.blocks.delete(index);
        break;
      }
      case 'messageStop':
        out.push(...this.closeAll());
        this.pendingFinish = fromConverseStop(asString(data['stopReason']));
        break;
      case 'metadata': {
        const usage = usageFromConverse(data['usage']);
        if (usage) out.push({ type: 'usage', usage });
        if (this.pendingFinish) {
          out.push({ type: 'finish', reason: this.pendingFinish }, { type: 'done' });
          this.pendingFinish = undefined;
        }
        break;
      }
      default: {
        const status = CONVERSE_STREAM_EXCEPTIONS[name];
        if (status !== undefined || /exception$/i.test(name)) {
          const message = asString(data['message']) ?? asString(data['Message']) ?? name;
          out.push({ type: 'error', error: { status: status ?? 500, message } });
        }
      }
    }
    return out;
  }

  finish(): IrStreamEvent[] {
    const out = this.closeAll();
    if (this.pendingFinish) out.push({ type: 'finish', reason: this.pendingFinish });
    this.pendingFinish = undefined;
    return out;
  }

  private closeAll(): IrStreamEvent[] {
    const out: IrStreamEvent[] = [];
    for (const block of this.blocks.values()) out.push(...this.close(block));
    this.blocks.clear();
    return out;
  }

  private close(block: Block): IrStreamEvent[] {
    if (block.kind === 'thinking') {
      const end: IrStreamEvent = { type: 'thinking_end' };
      if (block.signature) end.signature = block.signature;
      if (block.redacted) end.redactedData = block.redacted;
      return [end];
    }
    if (block.kind === 'tool') {
      // A tool without arguments streams no input delta: its arguments are "{}".
      const out: IrStreamEvent[] = block.sawArgs ? [] : [{ type: 'tool_call_delta', index: block.index, arguments: '{}' }];
      out.push({ type: 'tool_call_end', index: block.index });
      return out;
    }
    return [];
  }
}
