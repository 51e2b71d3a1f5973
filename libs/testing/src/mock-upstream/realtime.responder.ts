import { parseDirectives } from './directive.parser';
import { isRecord, type JsonRecord } from './json.util';
import type { IdSource } from './mock-reply.types';
import { countWords, DEFAULT_REPLY } from './reply-plan.builder';

/**
 * One Realtime (GA) session of the mock, as OpenAI runs it over its WebSocket (reference §4.4): `session.created` on
 * connect; `session.update`, `conversation.item.create`, `input_audio_buffer.append|commit|clear` and
 * `response.create` answered with the server events the real API sends, the response ending in `response.done` with
 * its `usage`. Pure: events in, events out; the server frames and paces them.
 *
 * Replies follow the mock's chat rules: `Echo: <last user text>` (directives removed), one token per word; audio
 * input is pcm16 at 24 kHz, 10 tokens a second; a `[cache:N]` directive reports N cached input tokens.
 */
export interface RealtimeOut {
  event: JsonRecord;
  /** a content delta, paced by the `[delay:N]` directive */
  paced?: boolean;
}

const AUDIO_BYTES_PER_SECOND = 24_000 * 2;
const AUDIO_TOKENS_PER_SECOND = 10;

interface Item {
  id: string;
  role: 'user' | 'assistant' | 'system';
  text: string;
  audioTokens: number;
}

export class RealtimeMockSession {
  private readonly items: Item[] = [];
  private audioBytes = 0;
  private instructions = '';
  private modalities: string[] = ['audio'];
  readonly id: string;

  constructor(
    readonly model: string,
    private readonly ids: IdSource,
  ) {
    this.id = ids.next('sess_', 24);
  }

  private ev(type: string, fields: JsonRecord): JsonRecord {
    return { type, event_id: this.ids.next('event_', 22), ...fields };
  }

  private session(): JsonRecord {
    return {
      type: 'realtime',
      object: 'realtime.session',
      id: this.id,
      model: this.model,
      output_modalities: this.modalities,
      instructions: this.instructions,
      tools: [],
      tool_choice: 'auto',
      max_output_tokens: 'inf',
      audio: {
        input: { format: { type: 'audio/pcm', rate: 24000 }, transcription: null, noise_reduction: null, turn_detection: null },
        output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
      },
      expires_at: Math.floor(Date.now() / 1000) + 1800,
    };
  }

  opened(): RealtimeOut[] {
    return [{ event: this.ev('session.created', { session: this.session() }) }];
  }

  /** A frame from the client. */
  receive(data: string): RealtimeOut[] {
    let e: unknown;
    try {
      e = JSON.parse(data);
    } catch {
      return [
        this.error(
          'invalid_request_error',
          'invalid_json',
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't sending valid JSON.)",
          null,
        ),
      ];
    }
    if (!isRecord(e) || typeof e.type !== 'string')
      return [this.error('invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'type'.", 'type')];
    const eventId = typeof e.event_id === 'string' ? e.event_id : null;
    switch (e.type) {
      case 'session.update': {
        const s = isRecord(e.session) ? e.session : {};
        if (typeof s.instructions === 'string') this.instructions = s.instructions;
        if (Array.isArray(s.output_modalities)) this.modalities = s.output_modalities.filter((m): m is string => typeof m === 'string');
        return [{ event: this.ev('session.updated', { session: this.session() }) }];
      }
      case 'conversation.item.create': {
        const item = isRecord(e.item) ? e.item : {};
        const role = item.role === 'assistant' || item.role === 'system' ? item.role : 'user';
        const parts = Array.isArray(item.content) ? item.content.filter(isRecord) : [];
        const text = parts.map((p) => (typeof p.text === 'string' ? p.text : typeof p.transcript === 'string' ? p.transcript : '')).join(' ');
        const added = this.addItem(role, text, 0);
        return [
          { event: this.ev('conversation.item.added', { previous_item_id: null, item: added }) },
          { event: this.ev('conversation.item.done', { previous_item_id: null, item: added }) },
        ];
      }
      case 'input_audio_buffer.append':
        this.audioBytes += typeof e.audio === 'string' ? Buffer.from(e.audio, 'base64').length : 0;
        return [];
      case 'input_audio_buffer.clear':
        this.audioBytes = 0;
        return [{ event: this.ev('input_audio_buffer.cleared', {}) }];
      case 'input_audio_buffer.commit': {
        if (this.audioBytes === 0)
          return [
            this.error('invalid_request_error', 'input_audio_buffer_commit_empty', 'Error committing input audio buffer: buffer too small.', null, eventId),
          ];
        const tokens = Math.ceil((this.audioBytes / AUDIO_BYTES_PER_SECOND) * AUDIO_TOKENS_PER_SECOND);
        this.audioBytes = 0;
        const added = this.addItem('user', '', tokens);
        return [
          { event: this.ev('input_audio_buffer.committed', { previous_item_id: null, item_id: added.id }) },
          { event: this.ev('conversation.item.added', { previous_item_id: null, item: added }) },
          { event: this.ev('conversation.item.done', { previous_item_id: null, item: added }) },
        ];
      }
      case 'response.create':
        return this.respond(isRecord(e.response) ? e.response : {});
      case 'response.cancel':
        return [this.error('invalid_request_error', 'response_cancel_not_active', 'Cancellation failed: no active response found', null, eventId)];
      default:
        return [
          this.error(
            'invalid_request_error',
            'invalid_value',
            `Invalid value: '${e.type}'. Supported values are: 'session.update', 'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', 'conversation.item.create', 'conversation.item.retrieve', 'conversation.item.truncate', 'conversation.item.delete', 'response.create', 'response.cancel', and 'output_audio_buffer.clear'.`,
            'type',
            eventId,
          ),
        ];
    }
  }

  /** What the real API answers to a binary frame: Realtime events are JSON text. */
  binary(): RealtimeOut[] {
    return [this.error('invalid_request_error', 'invalid_json', 'Binary frames are not supported; send JSON text events.', null)];
  }

  private addItem(role: Item['role'], text: string, audioTokens: number): JsonRecord {
    const item: Item = { id: this.ids.next('item_', 22), role, text, audioTokens };
    this.items.push(item);
    const content = audioTokens ? [{ type: 'input_audio', transcript: null }] : [{ type: role === 'assistant' ? 'output_text' : 'input_text', text }];
    return { id: item.id, object: 'realtime.item', type: 'message', status: 'completed', role, content };
  }

  private error(type: string, code: string, message: string, param: string | null, eventId: string | null = null): RealtimeOut {
    return { event: this.ev('error', { error: { type, code, message, param, event_id: eventId } }) };
  }

  private respond(opts: JsonRecord): RealtimeOut[] {
    const lastUser = [...this.items].reverse().find((i) => i.role === 'user' && i.text);
    const d = parseDirectives(lastUser?.text ?? '');
    let text = d.text ? `Echo: ${d.text}` : DEFAULT_REPLY;
    const modalities = Array.isArray(opts.output_modalities) ? opts.output_modalities : this.modalities;
    const audio = modalities.includes('audio');
    const instructions = typeof opts.instructions === 'string' ? opts.instructions : this.instructions;
    const textIn = countWords(instructions) + this.items.reduce((n, i) => n + countWords(i.text), 0);
    const audioIn = this.items.reduce((n, i) => n + i.audioTokens, 0);
    const inputTokens = Math.max(1, textIn + audioIn);
    const cached = d.cache ? Math.min(d.cache.read, inputTokens) : 0;
    let words: string[] = text.match(/\s*\S+/g) ?? [text];
    // `max_output_tokens` cuts the answer (one token per word, audio counted as the words it says) and marks it incomplete.
    const max = typeof opts.max_output_tokens === 'number' ? Math.max(1, Math.floor(opts.max_output_tokens / (audio ? 3 : 1))) : undefined;
    const cut = max !== undefined && words.length > max;
    if (cut) {
      words = words.slice(0, max);
      text = words.join('');
    }
    const textOut = words.length;
    // 20 ms of silence per word, as the voice would say it
    const audioOut = audio ? textOut * 2 : 0;
    const responseId = this.ids.next('resp_', 22);
    const itemId = this.ids.next('item_', 22);
    const base = { response_id: responseId, item_id: itemId, output_index: 0, content_index: 0 };
    const response = (status: string, output: JsonRecord[], usage: JsonRecord | null): JsonRecord => ({
      object: 'realtime.response',
      id: responseId,
      status,
      status_details: status === 'incomplete' ? { type: 'incomplete', reason: 'max_output_tokens' } : null,
      output,
      conversation_id: 'conv_' + this.id.slice(5),
      output_modalities: audio ? ['audio'] : ['text'],
      max_output_tokens: 'inf',
      audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy' } },
      usage,
      metadata: null,
    });
    const item = (status: string, content: JsonRecord[]): JsonRecord => ({
      id: itemId,
      object: 'realtime.item',
      type: 'message',
      status,
      role: 'assistant',
      content,
    });
    const donePart: JsonRecord = audio ? { type: 'output_audio', transcript: text } : { type: 'output_text', text };
    const out: RealtimeOut[] = [
      { event: this.ev('response.created', { response: response('in_progress', [], null) }) },
      { event: this.ev('response.output_item.added', { response_id: responseId, output_index: 0, item: item('in_progress', []) }) },
      {
        event: this.ev('response.content_part.added', { ...base, part: audio ? { type: 'output_audio', transcript: '' } : { type: 'output_text', text: '' } }),
      },
    ];
    for (const w of words) {
      if (audio) {
        out.push({ event: this.ev('response.output_audio.delta', { ...base, delta: Buffer.alloc(960).toString('base64') }), paced: true });
        out.push({ event: this.ev('response.output_audio_transcript.delta', { ...base, delta: w }) });
      } else out.push({ event: this.ev('response.output_text.delta', { ...base, delta: w }), paced: true });
    }
    if (audio) {
      out.push({ event: this.ev('response.output_audio.done', base) });
      out.push({ event: this.ev('response.output_audio_transcript.done', { ...base, transcript: text }) });
    } else out.push({ event: this.ev('response.output_text.done', { ...base, text }) });
    out.push({ event: this.ev('response.content_part.done', { ...base, part: donePart }) });
    const finished = item('completed', [donePart]);
    out.push({ event: this.ev('response.output_item.done', { response_id: responseId, output_index: 0, item: finished }) });
    this.items.push({ id: itemId, role: 'assistant', text, audioTokens: 0 });
    const usage = {
      total_tokens: inputTokens + textOut + audioOut,
      input_tokens: inputTokens,
      output_tokens: textOut + audioOut,
      input_token_details: {
        text_tokens: inputTokens - audioIn,
        audio_tokens: audioIn,
        image_tokens: 0,
        cached_tokens: cached,
        cached_tokens_details: { text_tokens: cached, audio_tokens: 0, image_tokens: 0 },
      },
      output_token_details: { text_tokens: textOut, audio_tokens: audioOut },
    };
    out.push({ event: this.ev('response.done', { response: response(cut ? 'incomplete' : 'completed', [finished], usage) }) });
    return out;
  }

  /** The `[delay:N]` of the last user text: the pause between content deltas. */
  delayMs(): number {
    const lastUser = [...this.items].reverse().find((i) => i.role === 'user' && i.text);
    return parseDirectives(lastUser?.text ?? '').delayMs ?? 0;
  }
}
