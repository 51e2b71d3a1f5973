import type { IrStreamEvent } from '../core/ir.types';
import { asObject } from '../core/json.util';
import type { SseEvent } from '../core/sse-parser';
import type { StreamDecoder } from '../core/stream.types';
import { audioTokenUsage } from './openai-audio.accounting';

/**
 * What the gateway reads of an audio stream relayed as it came: transcription (`transcript.text.delta` … `.done`) and
 * speech (`speech.audio.delta` … `.done`). The `.done` events carry the tokens the upstream bills (gpt-4o-transcribe,
 * gpt-4o-mini-tts); an `error` event means the stream failed. Neither stream ends with `[DONE]`.
 */
export class OpenAiAudioStreamDecoder implements StreamDecoder {
  decode(ev: SseEvent): IrStreamEvent[] {
    let data: Record<string, unknown> | undefined;
    try {
      data = asObject(JSON.parse(ev.data));
    } catch {
      data = undefined;
    }
    if (!data) return [{ type: 'start' }];
    switch (data['type']) {
      case 'transcript.text.delta':
        return [{ type: 'text_delta', text: typeof data['delta'] === 'string' ? data['delta'] : '' }];
      case 'transcript.text.done':
      case 'speech.audio.done': {
        const usage = audioTokenUsage(data['usage']);
        return usage ? [{ type: 'usage', usage }, { type: 'done' }] : [{ type: 'done' }];
      }
      case 'error': {
        const err = asObject(data['error']) ?? data;
        const message = typeof err['message'] === 'string' ? err['message'] : 'upstream stream error';
        return [{ type: 'error', error: { status: 500, message } }];
      }
      default:
        return [{ type: 'start' }];
    }
  }

  finish(): IrStreamEvent[] {
    return [];
  }
}
