/** GPT image streams (`stream: true`): partial images, then `*.completed` with the usage that bills the call. */
import { asObject, asString, tryParseJson } from '../core/json.util';
import type { IrStreamEvent } from '../core/ir.types';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import type { Usage } from '../protocol.types';
import { usageFromImages } from './images.accounting';

const addUsage = (a: Usage, b: Usage): Usage => ({
  promptTokens: a.promptTokens + b.promptTokens,
  completionTokens: a.completionTokens + b.completionTokens,
  cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  reasoningTokens: a.reasoningTokens + b.reasoningTokens,
});

export function imagesStreamDecoder(): StreamDecoder {
  // n images end in n `completed` events, each with its own usage: the call bills their sum.
  let total: Usage | null = null;
  return {
    decode(event: SseEvent): IrStreamEvent[] {
      const data = asObject(tryParseJson(event.data));
      if (!data) return [];
      const type = asString(data.type) ?? event.event ?? '';
      if (type === 'error' || data.error !== undefined) {
        const err = asObject(data.error) ?? data;
        return [{ type: 'error', error: { status: 500, message: asString(err.message) ?? 'upstream error', type: asString(err.type) } }];
      }
      if (type === 'image_generation.completed' || type === 'image_edit.completed') {
        const usage = usageFromImages(data.usage);
        if (!usage) return [{ type: 'start' }];
        total = total ? addUsage(total, usage) : usage;
        return [{ type: 'usage', usage: total }];
      }
      // Partial images carry no usage; seen, so a stream of them is not an empty stream.
      return [{ type: 'start' }];
    },
    finish: () => [],
  };
}
