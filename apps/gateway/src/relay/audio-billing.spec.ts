import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceEntry } from '@switchboard/contracts';
import { computeCostMicros } from '@switchboard/pricing';
import { protocolDescriptor } from '@switchboard/protocols';
import { measureFromRequest, measureJson, NO_USAGE, type Measured } from './family-accounting';
import { accountedRequest, type InboundCall } from './inbound';

// What an audio call costs, from the call as the edge parsed it to the cost formula (what UsageRecorder.bill runs):
// the unit prices are SPEC §8's audioInputPerMinute ($0.006 for whisper-1) and speechPerMillionChars ($15 for tts-1).
const wav = readFileSync(join(__dirname, '../../../../libs/protocols/fixtures/audio/speech.wav'));
const price = (over: Partial<PriceEntry>): PriceEntry => ({
  model: 'm',
  inputMicros: 0,
  outputMicros: 0,
  cacheReadMicros: 0,
  cacheWriteMicros: 0,
  perRequestMicros: 0,
  ...over,
});
const whisper = price({ model: 'whisper-1', audioInputPerMinuteMicros: 6_000 });
const tts = price({ model: 'tts-1', speechPerMillionCharsMicros: 15_000_000 });

const upload = (body: Record<string, unknown>): InboundCall => ({
  protocol: 'openai-audio',
  operation: 'audio.transcribe',
  endpoint: 'audio.transcriptions',
  model: 'whisper-1',
  stream: false,
  body: { model: 'whisper-1', ...body },
  raw: Buffer.alloc(0),
  files: [{ field: 'file', filename: 'speech.wav', contentType: 'audio/wav', bytes: wav.length, data: wav, head: wav.subarray(0, 65536) }],
});
const speech: InboundCall = {
  protocol: 'openai-audio',
  operation: 'audio.speech',
  endpoint: 'audio.speech',
  model: 'tts-1',
  stream: false,
  body: { model: 'tts-1', voice: 'alloy', input: 'x'.repeat(1000) },
  raw: Buffer.alloc(0),
};

const cost = (p: PriceEntry, m: Measured | null) => computeCostMicros(m?.usage ?? NO_USAGE, p, 1, m?.units);

describe('audio billing (accounting → computeCostMicros)', () => {
  it('a whisper JSON answer costs its reported seconds at the per-minute price', () => {
    const m = measureJson(upload({}), { text: 'hi', usage: { type: 'duration', seconds: 5 } });
    expect(m?.units).toEqual({ audioSeconds: 5 });
    expect(cost(whisper, m)).toBe(500); // 5 s × $0.006 / 60 s
  });

  it('an srt answer (bytes) costs the file’s own 4.085 s, and the reservation covers it', () => {
    const call = upload({ response_format: 'srt' });
    const m = measureFromRequest(call);
    expect(m?.units).toEqual({ audioSeconds: 4.085 });
    expect(cost(whisper, m)).toBe(409); // 4.085 s × 6000 µ$ / 60 = 408.5 → 409
    const est = protocolDescriptor('openai-audio').accounting!.estimate(accountedRequest(call));
    expect(computeCostMicros({ ...NO_USAGE, promptTokens: est.promptTokens }, whisper, 1, est.units)).toBeGreaterThanOrEqual(409);
  });

  it('speech costs its characters at the per-million price', () => {
    const m = measureFromRequest(speech);
    expect(m?.units).toEqual({ characters: 1000 });
    expect(cost(tts, m)).toBe(15_000); // 1000 × $15 / 1e6
  });
});
