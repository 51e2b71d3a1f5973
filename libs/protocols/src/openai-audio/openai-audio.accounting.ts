import { asObject } from '../core/json.util';
import { tokenCount } from '../core/usage.map';
import { ProtocolError } from '../protocol.error';
import type { BillableUnits, Usage } from '../protocol.types';
import type { AccountedRequest, FamilyAccounting } from '../registry/protocol.descriptor';
import { audioDurationSeconds, estimatedSeconds } from './audio-duration';

/** OpenAI's limit on speech `input` (characters); one-api caps it the same way. */
export const MAX_SPEECH_INPUT_CHARS = 4096;

/** Transcript formats answered as plain text (`text/plain`, SubRip, WebVTT), not JSON. */
const TEXT_FORMATS = new Set(['text', 'srt', 'vtt']);

/*
 * Reservation ratios for the token-priced models (gpt-4o(-mini)-transcribe, gpt-4o-mini-tts), chosen above what they
 * report so the reservation covers the bill: gpt-4o-transcribe hears ≈ 10–17 audio tokens a second and writes ≈ 3 text
 * tokens a second of speech; gpt-4o-mini-tts speaks ≈ 1.4 audio tokens a character.
 */
const AUDIO_TOKENS_PER_SECOND = 20;
const TEXT_TOKENS_PER_SECOND = 8;
const SPEECH_TOKENS_PER_CHAR = 2;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Characters as OpenAI counts them: code points, not UTF-16 units. */
const characters = (s: string): number => [...s].length;
const speaks = (req: AccountedRequest) => req.operation === 'audio.speech';

/** The uploaded audio's own length: its header, else an estimate from its size; 0 without a file. */
export function uploadSeconds(req: AccountedRequest): number {
  const file = req.uploads?.find((u) => u.field === 'file');
  if (!file) return 0;
  return (file.head && audioDurationSeconds(file.head, file.bytes)) || estimatedSeconds(file.bytes);
}

function speechUnits(req: AccountedRequest): BillableUnits | null {
  const n = characters(text(req.body.input));
  return n ? { characters: n } : null;
}

/** Token usage as OpenAI's audio endpoints report it (`{ type: 'tokens', input_tokens, output_tokens }`, or speech's without a type). */
export function audioTokenUsage(u: unknown): Usage | null {
  const o = asObject(u);
  if (!o || o['type'] === 'duration' || (o['input_tokens'] === undefined && o['output_tokens'] === undefined)) return null;
  const cached = asObject(o['input_token_details'])?.['cached_tokens'];
  return {
    promptTokens: tokenCount(o['input_tokens']),
    completionTokens: tokenCount(o['output_tokens']),
    cacheReadTokens: tokenCount(cached),
    cacheWriteTokens: 0,
    reasoningTokens: 0,
  };
}

/** Seconds a transcript's answer says it heard: what the upstream billed (`usage.seconds`), else `verbose_json.duration`. */
function reportedSeconds(answer: Record<string, unknown>): number | null {
  const usage = asObject(answer['usage']);
  for (const v of [usage?.['type'] === 'duration' ? usage['seconds'] : undefined, answer['duration']]) {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  }
  return null;
}

/**
 * Transcriptions and translations bill the audio's seconds (`audioInputPerMinute`) and, for token-priced models, the
 * tokens the upstream reports; speech bills the characters of `input` (`speechPerMillionChars`) and reported tokens.
 * A model is priced in one or the other; the record carries both counts.
 */
export const OPENAI_AUDIO_ACCOUNTING: FamilyAccounting = {
  estimate(req) {
    if (speaks(req)) {
      const units = speechUnits(req);
      const chars = units?.characters ?? 0;
      return {
        promptTokens: Math.ceil(characters(text(req.body.input) + text(req.body.instructions)) / 2),
        outputTokens: chars * SPEECH_TOKENS_PER_CHAR,
        units,
      };
    }
    const seconds = uploadSeconds(req);
    return {
      promptTokens: Math.ceil(seconds * AUDIO_TOKENS_PER_SECOND + characters(text(req.body.prompt)) / 2),
      outputTokens: Math.ceil(seconds * TEXT_TOKENS_PER_SECOND),
      units: seconds ? { audioSeconds: seconds } : null,
    };
  },

  measure(answer, req) {
    const usage = audioTokenUsage(answer['usage']);
    if (speaks(req)) return { usage, units: speechUnits(req) };
    const seconds = reportedSeconds(answer) ?? uploadSeconds(req);
    return { usage, units: seconds ? { audioSeconds: seconds } : null };
  },

  // Audio bytes, a text/srt/vtt transcript, or a stream (whose tokens its events report): the request tells the units.
  measureBytes(req) {
    if (speaks(req)) return { usage: null, units: speechUnits(req) };
    const seconds = uploadSeconds(req);
    return { usage: null, units: seconds ? { audioSeconds: seconds } : null };
  },

  answer(req) {
    if (speaks(req)) return 'bytes';
    return TEXT_FORMATS.has(text(req.body.response_format)) ? 'bytes' : 'json';
  },
};

/** What OpenAI refuses with a 400 before reading the audio: refused at the edge, so nothing is reserved or sent. */
export function validateAudioRequest(req: AccountedRequest): void {
  const refuse = (message: string, param: string): never => {
    throw new ProtocolError(message, { status: 400, param });
  };
  if (!text(req.body.model)) refuse("The 'model' field is required.", 'model');
  if (!speaks(req)) {
    if (!req.uploads?.some((u) => u.field === 'file')) refuse("The 'file' field is required (the audio file, as a form upload).", 'file');
    return;
  }
  const input = req.body.input;
  if (typeof input !== 'string' || input === '') refuse("The 'input' field is required (the text to speak).", 'input');
  if (characters(input as string) > MAX_SPEECH_INPUT_CHARS) refuse(`The 'input' field is longer than ${MAX_SPEECH_INPUT_CHARS} characters.`, 'input');
  const voice = req.body.voice;
  // A built-in voice by name, or a custom voice as `{ id }`.
  if (!(typeof voice === 'string' ? voice : asObject(voice)?.['id'])) refuse("The 'voice' field is required.", 'voice');
}
