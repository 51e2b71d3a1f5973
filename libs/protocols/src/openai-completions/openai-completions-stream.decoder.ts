/** OpenAI Completions SSE chunks (upstream) → internal stream events: choice 0's text, its finish, the usage chunk. */
import type { IrStreamEvent } from '../core/ir.types';
import { asNumber, asObject, asString, isObject, objectsOf, tryParseJson } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { fromOpenAiFinish } from '../core/stop-reason.map';
import { usageFromOpenAiChat } from '../core/usage.map';

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
      const e = asObject(err) ?? {};
      const type = asString(e['type']);
      const code = asString(e['code']);
      return [
        {
          type: 'error',
          error: {
            status: asNumber(e['status']) ?? (typeof e['code'] === 'number' ? e['code'] : 500),
            message: asString(e['message']) ?? (typeof err === 'string' ? err : 'Upstream stream error'),
            ...(type ? { type } : {}),
            ...(code ? { code } : {}),
          },
        },
      ];
    }
    const out: IrStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      const start: IrStreamEvent = { type: 'start' };
      const id = asString(chunk['id']);
      if (id) start.id = id;
      const model = asString(chunk['model']);
      if (model) start.model = model;
      const created = asNumber(chunk['created']);
      if (created !== undefined) start.created = created;
      out.push(start);
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
