import { createHash } from 'node:crypto';
import { errorReply, jsonReply, type MockReply, type StreamReply } from '../mock-reply.types';
import { openaiError } from '../vendor-error.bodies';
import type { FamilyContext, FamilyRoute } from './family-route';

/*
 * OpenAI's audio endpoints as its API answers them (shared/reference/providers-and-endpoints.md §4.2):
 * transcriptions and translations read a multipart `file`; whisper-1 answers every response_format (text, srt and vtt
 * as text/plain) and reports `usage: { type: 'duration', seconds }`; gpt-4o(-mini)-transcribe answer json or text,
 * report tokens, and stream `transcript.text.delta` … `transcript.text.done` with `stream=true`. Translations report no
 * usage. Speech answers audio bytes (a sine tone as WAV or raw PCM, silent MPEG frames as MP3) or, with
 * `stream_format: "sse"` (not tts-1*), `speech.audio.delta` … `speech.audio.done` with token usage.
 */

const TEXT = 'text/plain; charset=utf-8';
const SSE = 'text/event-stream; charset=utf-8';
const TOKEN_MODELS = /gpt-4o(-mini)?-transcribe|gpt-transcribe/;
const SPEECH_CONTENT_TYPES: Record<string, string> = { mp3: 'audio/mpeg', wav: 'audio/wav', pcm: 'audio/pcm' };

const invalid = (message: string, param: string | null = null, code: string | null = null): MockReply =>
  errorReply(openaiError(400, message, { type: 'invalid_request_error', param, code }));
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** Seconds in a WAV upload (its fmt byte rate and data size); other formats as if 128 kbit/s. */
export function mockAudioSeconds(bytes: Buffer): number {
  const data = bytes.indexOf('data', 12, 'latin1');
  if (bytes.toString('latin1', 0, 4) === 'RIFF' && data > 0 && bytes.length >= 32) {
    const byteRate = bytes.readUInt32LE(28);
    if (byteRate) return Math.round(((bytes.length - data - 8) / byteRate) * 1000) / 1000;
  }
  return Math.round((bytes.length / 16_000) * 1000) / 1000;
}

/** What the mock "hears" in a file: a sentence naming its size and digest, so a test can tell the bytes arrived intact. */
export function mockTranscript(bytes: Buffer): string {
  return `Heard ${bytes.length} bytes of audio, sha256 ${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.`;
}

const clock = (s: number, sep: string) => {
  const ms = Math.round(s * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}${sep}${p(ms % 1000, 3)}`;
};

function transcribe(ctx: FamilyContext, task: 'transcribe' | 'translate'): MockReply {
  const body = ctx.body as Record<string, unknown>;
  const file = ctx.files.find((f) => f.field === 'file');
  if (!file) return invalid("you must provide a 'file' field", 'file');
  const model = str(body.model);
  if (!model) return invalid('you must provide a model parameter', 'model');
  const format = str(body.response_format) || 'json';
  const tokens = task === 'transcribe' && TOKEN_MODELS.test(model);
  if (tokens && format !== 'json' && format !== 'text') {
    return invalid(
      `response_format '${format}' is not compatible with model '${model}'. Use 'json' or 'text' instead.`,
      'response_format',
      'unsupported_value',
    );
  }
  if (!['json', 'text', 'srt', 'verbose_json', 'vtt'].includes(format)) return invalid(`Invalid value: '${format}'.`, 'response_format', 'invalid_value');
  const seconds = mockAudioSeconds(file.bytes);
  const text = task === 'translate' ? `(English) ${mockTranscript(file.bytes)}` : mockTranscript(file.bytes);
  const audioTokens = Math.ceil(seconds * 10);
  const outputTokens = text.split(/\s+/).length;
  const usage = tokens
    ? {
        type: 'tokens',
        input_tokens: audioTokens,
        input_token_details: { text_tokens: 0, audio_tokens: audioTokens },
        output_tokens: outputTokens,
        total_tokens: audioTokens + outputTokens,
      }
    : { type: 'duration', seconds: Math.ceil(seconds) };
  if (tokens && (body.stream === 'true' || body.stream === true)) return transcriptStream(text, usage);
  switch (format) {
    case 'text':
      return bytes(TEXT, `${text}\n`);
    case 'srt':
      return bytes(TEXT, `1\n${clock(0, ',')} --> ${clock(seconds, ',')}\n${text}\n\n`);
    case 'vtt':
      return bytes(TEXT, `WEBVTT\n\n${clock(0, '.')} --> ${clock(seconds, '.')}\n${text}\n\n`);
    case 'verbose_json': {
      const segment = {
        id: 0,
        seek: 0,
        start: 0,
        end: seconds,
        text: ` ${text}`,
        tokens: [50364, 50414],
        temperature: 0,
        avg_logprob: -0.21,
        compression_ratio: 0.94,
        no_speech_prob: 0.01,
      };
      const words = list(body.timestamp_granularities).includes('word')
        ? text.split(' ').map((word, i, all) => ({ word, start: (seconds * i) / all.length, end: (seconds * (i + 1)) / all.length }))
        : undefined;
      const answer: Record<string, unknown> = { task, language: 'english', duration: seconds, text, segments: [segment] };
      if (words) answer.words = words;
      if (task === 'transcribe') answer.usage = usage;
      return jsonReply(answer);
    }
    default:
      return jsonReply(task === 'transcribe' ? { text, usage } : { text });
  }
}

const bytes = (contentType: string, body: string | Buffer): MockReply => ({
  kind: 'bytes',
  status: 200,
  contentType,
  body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
});

function sse(events: unknown[]): StreamReply {
  return {
    kind: 'stream',
    contentType: SSE,
    framing: 'sse',
    events: events.map((e) => ({ data: `data: ${JSON.stringify(e)}\n\n`, paced: true })),
    delayMs: 0,
    // No `[DONE]` in these streams: an error event ends them.
    inStreamError: (status) => [`data: ${JSON.stringify({ type: 'error', error: (openaiError(status).body as { error: unknown }).error })}\n\n`],
  };
}

function transcriptStream(text: string, usage: Record<string, unknown>): StreamReply {
  const words = text.split(' ');
  return sse([...words.map((w, i) => ({ type: 'transcript.text.delta', delta: i ? ` ${w}` : w })), { type: 'transcript.text.done', text, usage }]);
}

/** 16-bit mono PCM at 24 kHz (what OpenAI's `pcm` is): a 440 Hz tone, 60 ms a character of input. */
function pcmTone(input: string): Buffer {
  const samples = Math.round(24_000 * Math.min(10, 0.06 * [...input].length));
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24_000)), i * 2);
  return pcm;
}

function wav(pcm: Buffer): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + pcm.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(24_000, 24);
  h.writeUInt32LE(48_000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([h, pcm]);
}

/** MPEG-1 Layer III frames, 128 kbit/s 44.1 kHz, whose zero side information decodes as silence (26 ms each). */
function silentMp3(seconds: number): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x64]);
  return Buffer.concat(Array.from({ length: Math.max(1, Math.round((seconds * 44_100) / 1152)) }, () => frame));
}

/** The audio the mock speaks for `input` in `format` (mp3, wav, pcm): tests compare what the gateway relays with it. */
export function mockSpeechAudio(input: string, format = 'mp3'): Buffer {
  const pcm = pcmTone(input);
  if (format === 'wav') return wav(pcm);
  if (format === 'pcm') return pcm;
  return silentMp3(pcm.length / 48_000);
}

function speech(ctx: FamilyContext): MockReply {
  const body = ctx.body as Record<string, unknown>;
  const model = str(body.model);
  if (!model) return invalid('you must provide a model parameter', 'model');
  const input = body.input;
  if (typeof input !== 'string' || !input) return invalid("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if ([...input].length > 4096)
    return invalid("Invalid 'input': string too long. Expected a string with maximum length 4096.", 'input', 'string_above_max_length');
  if (!body.voice) return invalid("Missing required parameter: 'voice'.", 'voice', 'missing_required_parameter');
  const format = str(body.response_format) || 'mp3';
  const contentType = SPEECH_CONTENT_TYPES[format];
  if (!contentType) return invalid(`mock upstream: response_format '${format}' is not simulated (mp3, wav, pcm are)`, 'response_format');
  const audio = mockSpeechAudio(input, format);
  if (body.stream_format !== 'sse') return bytes(contentType, audio);
  if (/^tts-1/.test(model)) return invalid(`stream_format 'sse' is not supported for model '${model}'.`, 'stream_format', 'unsupported_value');
  const chunks: Buffer[] = [];
  for (let at = 0; at < audio.length; at += 16_384) chunks.push(audio.subarray(at, at + 16_384));
  const inputTokens = Math.ceil([...input].length / 4);
  const outputTokens = Math.ceil((audio.length / 48_000) * 21);
  return sse([
    ...chunks.map((c) => ({ type: 'speech.audio.delta', audio: c.toString('base64') })),
    { type: 'speech.audio.done', usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens } },
  ]);
}

export const OPENAI_AUDIO_ROUTES: Readonly<Record<string, FamilyRoute>> = {
  'POST /v1/audio/transcriptions': {
    vendor: 'openai',
    streams: (body) => (body.stream === 'true' || body.stream === true) && TOKEN_MODELS.test(str(body.model)),
    respond: (ctx) => transcribe(ctx, 'transcribe'),
  },
  'POST /v1/audio/translations': { vendor: 'openai', respond: (ctx) => transcribe(ctx, 'translate') },
  'POST /v1/audio/speech': { vendor: 'openai', streams: (body) => body.stream_format === 'sse', respond: speech },
};
