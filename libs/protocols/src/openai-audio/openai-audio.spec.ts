import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createStreamTranslator } from '../conversion/stream-translator';
import type { Operation } from '../protocol.types';
import type { AccountedRequest } from '../registry/protocol.descriptor';
import { protocolDescriptor, streamsOf } from '../registry/protocol.registry';
import { FIXTURES_DIR, fixtureJson, fixtureText, randomSplits } from '../testing/fixtures.loader';

const audio = protocolDescriptor('openai-audio');
const accounting = audio.accounting!;
const wav = readFileSync(join(FIXTURES_DIR, 'audio', 'speech.wav'));

/** A request as the edge gives it: an upload's fields and the file's size and head. */
const upload = (operation: Operation, body: Record<string, unknown>, file: Buffer | null = wav, contentType = 'audio/wav'): AccountedRequest => ({
  operation,
  body,
  uploads: file ? [{ field: 'file', bytes: file.length, contentType, head: file.subarray(0, 65536) }] : [],
});
const speech = (body: Record<string, unknown>): AccountedRequest => ({ operation: 'audio.speech', body });

describe('openai-audio accounting: transcriptions and translations bill audio seconds', () => {
  it('reserves the upload’s own length in seconds, and tokens for the token-priced models', () => {
    const est = accounting.estimate(upload('audio.transcribe', { model: 'whisper-1' }));
    expect(est.units).toEqual({ audioSeconds: 4.085 });
    expect(est.promptTokens).toBe(Math.ceil(4.085 * 20));
    expect(est.outputTokens).toBe(Math.ceil(4.085 * 8));
  });

  it('reserves an unreadable format by its size (32 kbit/s)', () => {
    const m4a = Buffer.alloc(80_000, 7);
    expect(accounting.estimate(upload('audio.translate', { model: 'whisper-1' }, m4a, 'audio/mp4')).units).toEqual({ audioSeconds: 20 });
  });

  it('bills what whisper reports (usage.seconds), and verbose_json’s duration', () => {
    const req = upload('audio.transcribe', { model: 'whisper-1' });
    expect(accounting.measure(fixtureJson('audio/transcription.whisper-1.json'), req)).toEqual({ usage: null, units: { audioSeconds: 5 } });
    expect(accounting.measure(fixtureJson('audio/transcription.verbose.json'), req)).toEqual({ usage: null, units: { audioSeconds: 4.085 } });
  });

  it('bills gpt-4o-transcribe’s tokens, with the seconds heard from the file', () => {
    const m = accounting.measure(fixtureJson('audio/transcription.gpt-4o-transcribe.json'), upload('audio.transcribe', { model: 'gpt-4o-transcribe' }));
    expect(m.usage).toEqual({ promptTokens: 14, completionTokens: 45, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(m.units).toEqual({ audioSeconds: 4.085 });
  });

  it('answers text, srt and vtt as bytes billed by the file’s length; json and verbose_json as JSON', () => {
    for (const f of ['text', 'srt', 'vtt']) {
      const req = upload('audio.transcribe', { model: 'whisper-1', response_format: f });
      expect(accounting.answer!(req)).toBe('bytes');
      expect(accounting.measureBytes!(req)).toEqual({ usage: null, units: { audioSeconds: 4.085 } });
    }
    for (const f of [undefined, 'json', 'verbose_json']) expect(accounting.answer!(upload('audio.transcribe', { response_format: f }))).toBe('json');
  });
});

describe('openai-audio accounting: speech bills characters', () => {
  it('counts code points of input (not UTF-16 units), and reserves tokens for gpt-4o-mini-tts', () => {
    const req = speech({ model: 'tts-1', input: 'héllo 👋', voice: 'alloy' });
    expect(accounting.measureBytes!(req)).toEqual({ usage: null, units: { characters: 7 } });
    const est = accounting.estimate(speech({ model: 'gpt-4o-mini-tts', input: 'x'.repeat(100), voice: 'alloy', instructions: 'calm' }));
    expect(est).toEqual({ promptTokens: 52, outputTokens: 200, units: { characters: 100 } });
    expect(accounting.answer!(req)).toBe('bytes');
  });
});

describe('openai-audio validation (400 naming the field, before anything is reserved)', () => {
  const check = audio.validate!;
  it.each<[string, string, AccountedRequest]>([
    ['no file', 'file', upload('audio.transcribe', { model: 'whisper-1' }, null)],
    ['no model', 'model', upload('audio.transcribe', {})],
    ['no input', 'input', speech({ model: 'tts-1', voice: 'alloy' })],
    ['input over 4096 characters', 'input', speech({ model: 'tts-1', voice: 'alloy', input: 'a'.repeat(4097) })],
    ['no voice', 'voice', speech({ model: 'tts-1', input: 'hi' })],
  ])('%s → 400 naming %s', (_what, param, req) => {
    expect(() => check(req)).toThrow(expect.objectContaining({ name: 'ProtocolError', status: 400, param }) as Error);
  });

  it('accepts complete requests (4096 characters, a custom voice by id)', () => {
    expect(() => check(upload('audio.translate', { model: 'whisper-1' }))).not.toThrow();
    expect(() => check(speech({ model: 'tts-1', voice: { id: 'voice_123' }, input: '字'.repeat(4096) }))).not.toThrow();
  });
});

describe('openai-audio streams', () => {
  const ctx = { upstreamModel: 'm', requestedModel: 'm', stream: true, requestId: 'r', clientBody: {} };

  it('streams speech by stream_format "sse" and transcriptions by the form field stream=true', () => {
    expect(streamsOf('openai-audio', { stream_format: 'sse' }, 'audio.speech')).toBe(true);
    expect(streamsOf('openai-audio', { stream_format: 'audio' }, 'audio.speech')).toBe(false);
    expect(streamsOf('openai-audio', { stream: 'true' }, 'audio.transcribe')).toBe(true);
    expect(streamsOf('openai-audio', { stream: 'false' }, 'audio.transcribe')).toBe(false);
  });

  it.each(['transcription', 'speech'])('relays the %s stream byte for byte and reads the usage of its .done event, however split', (name) => {
    const sse = fixtureText(`audio/${name}.stream.sse`);
    const usage = name === 'speech' ? { promptTokens: 11, completionTokens: 230 } : { promptTokens: 14, completionTokens: 6 };
    for (const seed of [1, 2, 3]) {
      const t = createStreamTranslator('openai-audio', 'openai-audio', ctx);
      const out =
        randomSplits(sse, seed)
          .map((p) => t.push(p))
          .join('') + t.end();
      expect(out).toBe(sse);
      expect(t.usage).toMatchObject(usage);
      expect(t.upstreamError).toBeNull();
    }
  });

  it('takes an error event as the stream failing', () => {
    const t = createStreamTranslator('openai-audio', 'openai-audio', ctx);
    t.push('data: {"type":"transcript.text.delta","delta":"Hel"}\n\ndata: {"type":"error","error":{"message":"audio could not be decoded"}}\n\n');
    t.end();
    expect(t.upstreamError).toEqual({ status: 500, message: 'audio could not be decoded' });
  });
});
