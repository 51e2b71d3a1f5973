import { buildUpstreamCall, isUpstreamCallFailure } from './upstream-call.builder';
import type { InboundRequest, UpstreamCall, UpstreamChannel } from './upstream-call.types';

// OpenAI audio calls to each channel type that serves them: where they go, how they are authenticated, and that an
// upload is rebuilt as a form (the model mapped, arrays as `key[]`, the file kept as a file).
const channel = (over: Partial<UpstreamChannel> = {}): UpstreamChannel => ({
  id: 1,
  type: 'openai',
  baseUrl: 'https://up.example',
  modelMapping: {},
  paramOverride: {},
  headers: {},
  statusCodeMapping: {},
  ...over,
});

const wav = new Blob([new Uint8Array([82, 73, 70, 70, 1, 2, 3])], { type: 'audio/wav' });
const transcription: InboundRequest = {
  protocol: 'openai-audio',
  operation: 'audio.transcribe',
  endpoint: 'audio.transcriptions',
  model: 'whisper-1',
  stream: false,
  body: { model: 'whisper-1', response_format: 'srt', timestamp_granularities: ['word', 'segment'] },
  raw: Buffer.alloc(0),
  files: [{ field: 'file', filename: 'a.wav', contentType: 'audio/wav', bytes: wav.size, blob: wav }],
};
const speech: InboundRequest = {
  protocol: 'openai-audio',
  operation: 'audio.speech',
  endpoint: 'audio.speech',
  model: 'tts-1',
  stream: false,
  body: { model: 'tts-1', input: 'hi', voice: 'alloy' },
  raw: Buffer.from('{"model":"tts-1","input":"hi","voice":"alloy"}'),
};

const built = (c: UpstreamChannel, call: InboundRequest, model = call.model): UpstreamCall => {
  const r = buildUpstreamCall(c, 'sk-up', call, model, 'req-1');
  if (isUpstreamCallFailure(r)) throw new Error(r.message);
  return r;
};

describe('audio upstream calls', () => {
  it('openai: /v1/audio/transcriptions with a form (model mapped, arrays as key[], the file as a file), no JSON content type', async () => {
    const r = built(channel({ modelMapping: { 'whisper-1': 'whisper-large' } }), transcription);
    expect(r.url).toBe('https://up.example/v1/audio/transcriptions');
    expect(r.headers).toMatchObject({ authorization: 'Bearer sk-up' });
    expect(r.headers['content-type']).toBeUndefined();
    expect(r.body).toBeInstanceOf(FormData);
    const form = r.body as FormData;
    expect(form.get('model')).toBe('whisper-large');
    expect(form.get('response_format')).toBe('srt');
    expect(form.getAll('timestamp_granularities[]')).toEqual(['word', 'segment']);
    const file = form.get('file') as File;
    expect(file.name).toBe('a.wav');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(Buffer.from([82, 73, 70, 70, 1, 2, 3]));
  });

  it('openai: speech goes to /v1/audio/speech as the client’s JSON bytes', () => {
    const r = built(channel(), speech);
    expect(r.url).toBe('https://up.example/v1/audio/speech');
    expect(r.body).toBe(speech.raw);
  });

  it('azure: the deployment path with its api-version and the api-key header', () => {
    const r = built(channel({ type: 'azure', baseUrl: 'https://res.openai.azure.com' }), transcription);
    expect(r.url).toBe('https://res.openai.azure.com/openai/deployments/whisper-1/audio/transcriptions?api-version=2024-10-21');
    expect(r.headers['api-key']).toBe('sk-up');
    expect(built(channel({ type: 'azure', baseUrl: 'https://res.openai.azure.com' }), speech).url).toContain('/openai/deployments/tts-1/audio/speech?');
  });

  it('an OpenAI-compatible preset serves audio only when the channel declares the endpoint', () => {
    const groq = channel({ type: 'groq', baseUrl: 'https://api.groq.com' });
    expect(buildUpstreamCall(groq, 'k', transcription, 'whisper-1', 'r')).toMatchObject({ failure: 'unsupported' });
    const declared = built({ ...groq, endpoints: ['audio.transcriptions'] }, transcription);
    expect(declared.url).toBe('https://api.groq.com/openai/v1/audio/transcriptions');
  });
});
