/** OpenAI Completions SSE chunks (upstream) → internal stream events: choice 0's text, its finish, the usage chunk. */
import type { IrStreamEvent } from '../core/ir.types';
import { asNumber, asString, isObject, objectsOf, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';
import { openAiIdentity, openAiStreamError } from '../core/openai-envelope.util';

export class OpenAiCompletionsStreamDecoder implements StreamDecoder {
  private started = false;
  private finished = false;

  decode(ev: SseEvent): IrStreamEvent[] {
    const data = ev.data.trim();
    if (data === '[DONE]') return [{ type: 'done' }];
    const chunk = tryParseJson(data);
    if (!isObject(chunk)) return [];
    const err = chunk['error'];
    if ((err !== undefined && err !== null) || ev.event === 'error') {
      return [openAiStreamError(err)];
    }
    const out: IrStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      out.push({ type: 'start', ...openAiIdentity(chunk) });
    }
    const choice = objectsOf(chunk['choices']).find((c) => (asNumber(c['index']) ?? 0) === 0);
    if (choice) {
      const text = asString(choice['text']);
      if (text) out.push({ type: 'text_delta', text });
      const finish = asString(choice['finish_reason']);
      if (finish && !this.finished) {
        this.finished = true;
        out.push({ type: 'finish', reason: fromOpenAiFinish(finish) });
      }
    }
    const usage = usageFromOpenAiChat(chunk['usage']);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }

  finish(): IrStreamEvent[] {
    return [];
  }
}
