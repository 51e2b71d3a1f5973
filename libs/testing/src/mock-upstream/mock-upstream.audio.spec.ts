import OpenAI, { toFile } from 'openai';
import { mockSpeechAudio, mockTranscript, startMockUpstream, type MockUpstream } from '../index';

// The mock's OpenAI audio endpoints as the SDK (and a raw form) sees them: each response_format's shape, the errors
// OpenAI gives, real audio bytes, and the SSE variants with their in-stream error.
describe('mock upstream: OpenAI audio', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  const wav = mockSpeechAudio('a short sample', 'wav');

  beforeAll(async () => {
    mock = await startMockUpstream();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  const file = () => toFile(wav, 'a.wav', { type: 'audio/wav' });

  it('hears the file it was sent and reports whisper-1’s duration (rounded up to the second)', async () => {
    const r = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1' });
    expect(r).toEqual({ text: mockTranscript(wav), usage: { type: 'duration', seconds: 1 } });
    const verbose = await client.audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'verbose_json' });
    expect(verbose.duration).toBe(0.84); // 14 characters × 60 ms of 24 kHz 16-bit mono
  });

  it('refuses what OpenAI refuses, in its error shape', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    const res = await fetch(`${mock.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: 'Bearer sk-test' }, body: form });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'file' } });
    const srt = await client.audio.transcriptions.create({ file: await file(), model: 'gpt-4o-transcribe', response_format: 'srt' }).catch((e: unknown) => e);
    expect(srt).toMatchObject({ status: 400, param: 'response_format' });
    const sse = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi', stream_format: 'sse' }).catch((e: unknown) => e);
    expect(sse).toMatchObject({ status: 400, param: 'stream_format' });
  });

  it('speaks a valid WAV (RIFF header sized to its data) and MPEG frames', async () => {
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'a short sample', response_format: 'wav' });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(bytes.toString('latin1', 0, 4) + bytes.toString('latin1', 8, 12)).toBe('RIFFWAVE');
    expect(bytes.readUInt32LE(40)).toBe(bytes.length - 44);
    const mp3 = Buffer.from(await (await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' })).arrayBuffer());
    expect([mp3[0], mp3[1]]).toEqual([0xff, 0xfb]);
  });

  it('streams a transcription and ends a faulted stream with an error event (no [DONE])', async () => {
    const events: string[] = [];
    for await (const ev of await client.audio.transcriptions.create({ file: await file(), model: 'gpt-4o-mini-transcribe', stream: true }))
      events.push(ev.type);
    expect(events.at(-1)).toBe('transcript.text.done');
    mock.setFault({ streamErrorAfterChunks: 2 });
    const res = await fetch(`${mock.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'x'.repeat(300), stream_format: 'sse' }),
    });
    const text = await res.text();
    expect(text).toMatch(/"type":"error","error":\{"message":"[^"]+","type":"server_error"/);
    expect(text).not.toContain('[DONE]');
    expect(text).not.toContain('speech.audio.done');
  });
});
