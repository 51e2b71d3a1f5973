import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { connect } from 'nats';
import { mockSpeechAudio, mockTranscript, startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startCluster, startStandalone, type System } from '../../support/harness';
import { INFRA, requireInfra } from '../../support/infra';

jest.setTimeout(180_000);

const FIXTURES = path.join(__dirname, '../../../libs/protocols/fixtures/audio');
const WAV_PATH = path.join(FIXTURES, 'speech.wav');
const WAV = fs.readFileSync(WAV_PATH);
/** speech.wav plays 4.085 s (16 kHz, 16-bit mono): what the gateway bills when the answer does not say. */
const WAV_SECONDS = 4.085;
const MODELS = ['whisper-1', 'gpt-4o-transcribe', 'tts-1', 'gpt-4o-mini-tts', 'whisper-failover'];

/** A WAV of `bytes` (a valid header over silence), e.g. a 20 MB upload. */
function bigWav(bytes: number): Buffer {
  const wav = Buffer.alloc(bytes);
  WAV.copy(wav, 0, 0, 44);
  wav.writeUInt32LE(bytes - 8, 4);
  wav.writeUInt32LE(bytes - 44, 40);
  return wav;
}

/** The spool directories an upload left in the gateway's temporary directory. */
const spools = (tmp: string) => fs.readdirSync(tmp).filter((n) => n.startsWith('switchboard-upload-'));

/** Peak and current RSS of a process (kB), from /proc; writing 5 to clear_refs resets the peak (Linux ≥ 4.0). */
function rssKb(pid: number): { peak: number; now: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

async function openAiChannels(admin: ReturnType<typeof adminClient>, a: MockUpstream, b: MockUpstream): Promise<void> {
  // `a` is preferred; `b` is where a failed attempt's upload is replayed.
  for (const [name, mock, priority] of [
    ['audio-a', a, 10],
    ['audio-b', b, 0],
  ] as const) {
    const r = await admin.post('/api/channels', { name, type: 'openai', baseUrl: mock.url, keys: [name], models: MODELS, priority });
    expect(r.status).toBe(201);
  }
}

describe('OpenAI audio through the gateway (standalone)', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let sys: System;
  let client: OpenAI;
  let admin: ReturnType<typeof adminClient>;
  let tmp: string;

  const logOf = (requestId: string) =>
    eventually(
      async () => {
        const r = await admin.get(`/api/logs/${requestId}`);
        return r.status === 200 ? r.body : null;
      },
      5_000,
      `log ${requestId}`,
    );

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-audio-tmp-'));
    [a, b] = await Promise.all([startMockUpstream(), startMockUpstream()]);
    // Its own TMPDIR: the spool directories seen are this gateway's alone.
    sys = await startStandalone({ UNPRICED_MODEL_POLICY: 'free', TMPDIR: tmp, CHANNEL_CHECK_INTERVAL_MS: '0' });
    admin = adminClient(sys.url, sys.adminKey);
    await openAiChannels(admin, a, b);
    const tok = await admin.post('/api/tokens', { name: 'audio' });
    client = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await Promise.all([a?.close(), b?.close()]);
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  beforeEach(() => {
    a.reset();
    b.reset();
  });

  it('transcribes a file sent with fs.createReadStream (json): the upstream gets the same bytes, the log the endpoint', async () => {
    const { data, response } = await client.audio.transcriptions.create({ file: fs.createReadStream(WAV_PATH), model: 'whisper-1' }).withResponse();
    expect(data.text).toBe(mockTranscript(WAV));
    expect(data.usage).toEqual({ type: 'duration', seconds: 5 });
    expect(a.requests).toHaveLength(1);
    expect(a.requests[0].headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ protocol: 'openai-audio', model: 'whisper-1', status: 200 });
  });

  it.each([
    ['text', `${mockTranscript(WAV)}\n`],
    ['srt', `1\n00:00:00,000 --> 00:00:04,085\n${mockTranscript(WAV)}\n\n`],
    ['vtt', `WEBVTT\n\n00:00:00.000 --> 00:00:04.085\n${mockTranscript(WAV)}\n\n`],
  ] as const)('answers response_format %s as the upstream’s text/plain bytes', async (format, expected) => {
    const { data, response } = await client.audio.transcriptions
      .create({ file: await toFile(WAV, 'speech.wav', { type: 'audio/wav' }), model: 'whisper-1', response_format: format })
      .withResponse();
    expect(data).toBe(expected);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('answers verbose_json with its duration, segments and words', async () => {
    const r = await client.audio.transcriptions.create({
      file: await toFile(WAV, 'speech.wav'),
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(r).toMatchObject({ task: 'transcribe', language: 'english', duration: WAV_SECONDS, text: mockTranscript(WAV) });
    expect(r.segments?.[0]).toMatchObject({ start: 0, end: WAV_SECONDS });
    expect(r.words?.[0]).toMatchObject({ word: 'Heard', start: 0 });
  });

  it('gpt-4o-transcribe reports tokens, and streams transcript.text.delta … transcript.text.done through the SDK', async () => {
    const json = await client.audio.transcriptions.create({ file: await toFile(WAV, 'speech.wav'), model: 'gpt-4o-transcribe' });
    expect(json.usage).toMatchObject({ type: 'tokens', input_tokens: 41 });
    const stream = await client.audio.transcriptions.create({ file: await toFile(WAV, 'speech.wav'), model: 'gpt-4o-transcribe', stream: true });
    let text = '';
    const types: string[] = [];
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'transcript.text.delta') text += ev.delta;
      if (ev.type === 'transcript.text.done') expect(ev.usage).toMatchObject({ type: 'tokens', input_tokens: 41 });
    }
    expect(text).toBe(mockTranscript(WAV));
    expect(types.at(-1)).toBe('transcript.text.done');
    expect(types.filter((t) => t === 'transcript.text.delta').length).toBeGreaterThan(3);
  });

  it('relays whisper-1’s whole answer to stream=true (whisper-1 does not stream), JSON or subtitles', async () => {
    const form = (format: string) => {
      const f = new FormData();
      f.append('model', 'whisper-1');
      f.append('stream', 'true');
      f.append('response_format', format);
      f.append('file', new Blob([WAV], { type: 'audio/wav' }), 'speech.wav');
      return f;
    };
    const post = (format: string) =>
      fetch(`${sys.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}` }, body: form(format) });
    const json = await post('json');
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ text: mockTranscript(WAV), usage: { type: 'duration', seconds: 5 } });
    const vtt = await post('vtt');
    expect(vtt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await vtt.text()).toContain('WEBVTT');
  });

  it('translates (whisper-1) to English', async () => {
    const r = await client.audio.translations.create({ file: fs.createReadStream(WAV_PATH), model: 'whisper-1' });
    expect(r.text).toBe(`(English) ${mockTranscript(WAV)}`);
  });

  it.each([
    ['mp3', 'audio/mpeg'],
    ['wav', 'audio/wav'],
  ] as const)('speaks %s: the bytes arrive as the upstream sent them, with its content type', async (format, type) => {
    const input = 'The quick brown fox jumps over the lazy dog.';
    const { data, response } = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input, response_format: format }).withResponse();
    expect(Buffer.from(await data.arrayBuffer()).equals(mockSpeechAudio(input, format))).toBe(true);
    expect(response.headers.get('content-type')).toBe(type);
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ protocol: 'openai-audio', model: 'tts-1', status: 200, stream: false });
  });

  it('speaks as SSE (stream_format "sse"): speech.audio.delta chunks that add up to the audio, then speech.audio.done with usage', async () => {
    const input = 'Streaming speech, chunk by chunk.';
    const res = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input, response_format: 'pcm', stream_format: 'sse' });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; audio?: string; usage?: unknown });
    const audio = Buffer.concat(events.filter((e) => e.type === 'speech.audio.delta').map((e) => Buffer.from(e.audio!, 'base64')));
    expect(audio.equals(mockSpeechAudio(input, 'pcm'))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'speech.audio.done', usage: { input_tokens: 9 } });
  });

  it('ends a speech stream the upstream cut with an error event of its own (no [DONE]), and logs the break', async () => {
    a.setFault({ match: { model: 'gpt-4o-mini-tts' }, dropAfterChunks: 2 });
    const { data: res, response } = await client.audio.speech
      .create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input: 'x'.repeat(300), stream_format: 'sse' })
      .withResponse();
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => JSON.parse(e.replace(/^data: /, '')) as { type: string; error?: { message: string } });
    expect(events.map((e) => e.type)).toEqual(['speech.audio.delta', 'speech.audio.delta', 'error']);
    expect(events[2].error?.message).toMatch(/upstream stream ended early/);
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log.error).toMatch(/upstream stream ended early/);
  });

  it('refuses, before any upstream, a form without its file, speech without input or voice, and input over 4096 characters', async () => {
    const form = new FormData();
    form.append('model', 'whisper-1');
    const noFile = await fetch(`${sys.url}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}` }, body: form });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { param: string } }).error.param).toBe('file');
    const refused = async (body: Record<string, unknown>) => {
      const e = (await client.audio.speech.create(body as never).catch((x: unknown) => x)) as InstanceType<typeof OpenAI.BadRequestError>;
      expect(e).toBeInstanceOf(OpenAI.BadRequestError);
      return e.param;
    };
    expect(await refused({ model: 'tts-1', voice: 'alloy' })).toBe('input');
    expect(await refused({ model: 'tts-1', input: 'hello' })).toBe('voice');
    expect(await refused({ model: 'tts-1', voice: 'alloy', input: 'a'.repeat(4097) })).toBe('input');
    expect(a.requests.length + b.requests.length).toBe(0);
  });

  it('fails over: the upload the first channel refused is replayed whole to the second', async () => {
    a.setFault({ match: { model: 'whisper-failover' }, status: 500 });
    const r = await client.audio.transcriptions.create({ file: fs.createReadStream(WAV_PATH), model: 'whisper-failover', response_format: 'srt' });
    expect(r).toContain(mockTranscript(WAV));
    expect(a.requests.filter((q) => q.model === 'whisper-failover').length).toBeGreaterThanOrEqual(1);
    expect(b.requests.filter((q) => q.model === 'whisper-failover')).toHaveLength(1);
  });

  it('relays a 20 MB upload without holding it in memory, and removes its spool afterwards', async () => {
    const pid = sys.procs[0].child.pid!;
    const warm = bigWav(2 * 1024 * 1024);
    expect((await client.audio.transcriptions.create({ file: await toFile(warm, 'warm.wav'), model: 'whisper-1' })).text).toBe(mockTranscript(warm));
    const big = bigWav(20 * 1024 * 1024);
    const file = await toFile(big, 'big.wav', { type: 'audio/wav' });
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const before = rssKb(pid);
    const r = await client.audio.transcriptions.create({ file, model: 'whisper-1', response_format: 'verbose_json' });
    const after = rssKb(pid);
    expect(r.text).toBe(mockTranscript(big));
    expect(r.duration).toBeCloseTo((big.length - 44) / 32_000, 2);
    const grewMb = (after.peak - before.now) / 1024;
    process.stdout.write(
      `20 MB upload: gateway RSS ${(before.now / 1024).toFixed(1)} MB before, peak ${(after.peak / 1024).toFixed(1)} MB (+${grewMb.toFixed(1)} MB)\n`,
    );
    // held whole the upload adds ≈ +107 MB (measured with spooling off); streamed, +0.6 to +29.4 MB in CI runs: the
    // socket's and the file stream's dead 64 KB chunks until V8's next GC (bench/README, "the 20 MB upload")
    expect(grewMb).toBeLessThan(50);
    // removed once every attempt is over (just after the answer)
    await eventually(async () => spools(tmp).length === 0, 5_000, 'the spool is removed');
  });
});

describe('OpenAI audio uploads at their bounds (standalone, MAX_UPLOAD_BYTES = 2 MiB)', () => {
  let mock: MockUpstream;
  let sys: System;
  let client: OpenAI;
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-audio-tmp-'));
    mock = await startMockUpstream();
    sys = await startStandalone({ UNPRICED_MODEL_POLICY: 'free', TMPDIR: tmp, MAX_UPLOAD_BYTES: String(2 * 1024 * 1024) });
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'a', type: 'openai', baseUrl: mock.url, keys: ['k'], models: ['whisper-1'] })).status).toBe(201);
    const tok = await admin.post('/api/tokens', { name: 'audio' });
    client = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('answers 413 to an upload over MAX_UPLOAD_BYTES, and sends nothing upstream', async () => {
    const e = (await client.audio.transcriptions
      .create({ file: await toFile(bigWav(3 * 1024 * 1024), 'big.wav'), model: 'whisper-1' })
      .catch((x: unknown) => x)) as InstanceType<typeof OpenAI.APIError>;
    expect(e).toBeInstanceOf(OpenAI.APIError);
    expect(e.status).toBe(413);
    expect(e.message).toContain('MAX_UPLOAD_BYTES');
    expect(mock.requests).toHaveLength(0);
    await eventually(async () => spools(tmp).length === 0, 5_000, 'no spool left');
  });

  it('answers 413 to a chunked upload (no declared length) once it grows past the limit, spool removed', async () => {
    const boundary = 'sbaudiochunked';
    const req = http.request(`${sys.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n`);
    req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
    for (let i = 0; i < 6; i++) req.write(Buffer.alloc(512 * 1024, i));
    req.end(`\r\n--${boundary}--\r\n`);
    const r = await answered;
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ error: { message: expect.stringContaining('MAX_UPLOAD_BYTES') as string } });
    await eventually(async () => spools(tmp).length === 0, 5_000, 'no spool left');
    expect(mock.requests).toHaveLength(0);
  });

  it('leaves no temporary file behind when the client disconnects mid-upload', async () => {
    const boundary = 'sbaudioboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nwhisper-1\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    );
    const req = http.request(`${sys.url}/v1/audio/transcriptions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${client.apiKey}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 1_900_000),
      },
    });
    req.on('error', () => undefined);
    req.write(head);
    // past the 1 MiB memory share: the gateway has started spooling to disk
    req.write(bigWav(1_500_000));
    await eventually(async () => spools(tmp).length === 1, 5_000, 'the upload is spooled');
    req.destroy();
    await eventually(async () => spools(tmp).length === 0, 5_000, 'the spool is removed');
    expect(mock.requests).toHaveLength(0);
    // the gateway still serves the next upload
    expect((await client.audio.transcriptions.create({ file: await toFile(WAV, 'a.wav'), model: 'whisper-1' })).text).toBe(mockTranscript(WAV));
  });
});

/** Usage records as the gateways publish them on JetStream, read with an ordered consumer of the usage stream. */
async function usageRecords(): Promise<Record<string, unknown>[]> {
  const nc = await connect({ servers: INFRA.nats.url });
  try {
    const consumer = await nc.jetstream().consumers.get('SWITCHBOARD_USAGE');
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const m = await consumer.next({ expires: 1_000 });
      if (!m) return out;
      const data = m.json<{ records?: Record<string, unknown>[] }>();
      out.push(...(data.records ?? [data]));
    }
  } finally {
    await nc.close();
  }
}

describe('OpenAI audio through the gateway (cluster): the usage record carries the endpoint and units', () => {
  let mock: MockUpstream;
  let sys: (System & { dropDatabase(): Promise<void> }) | undefined;
  let client: OpenAI;
  let run = true;

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster({ env: { UNPRICED_MODEL_POLICY: 'free', CHANNEL_CHECK_INTERVAL_MS: '0' } });
    const admin = adminClient(sys.url, sys.adminKey);
    expect((await admin.post('/api/channels', { name: 'a', type: 'openai', baseUrl: mock.url, keys: ['k'], models: MODELS })).status).toBe(201);
    const tok = await admin.post('/api/tokens', { name: 'audio' });
    client = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  it('bills whisper’s reported seconds, a text transcript by the file’s own length, and speech by its characters', async () => {
    if (!run) return;
    const ids: string[] = [];
    const transcribe = async (response_format: 'json' | 'text') => {
      const { response } = await eventually(
        () => client.audio.transcriptions.create({ file: fs.createReadStream(WAV_PATH), model: 'whisper-1', response_format }).withResponse(),
        10_000,
        'whisper-1 routable',
      );
      ids.push(response.headers.get('x-request-id')!);
    };
    await transcribe('json');
    await transcribe('text');
    const input = 'Bonjour, ça va? 👋';
    const { response } = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input }).withResponse();
    ids.push(response.headers.get('x-request-id')!);
    // streams: the tokens of their .done event, the units of the request
    const sse = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'alloy', input, stream_format: 'sse', response_format: 'pcm' });
    await sse.text();
    ids.push(sse.headers.get('x-request-id')!);
    const { data: stream, response: streamed } = await client.audio.transcriptions
      .create({ file: fs.createReadStream(WAV_PATH), model: 'gpt-4o-transcribe', stream: true })
      .withResponse();
    for await (const ev of stream) void ev;
    ids.push(streamed.headers.get('x-request-id')!);
    const records = await eventually(
      async () => {
        const all = await usageRecords();
        const mine = ids.map((id) => all.find((r) => r.requestId === id));
        return mine.every(Boolean) ? (mine as Record<string, unknown>[]) : null;
      },
      15_000,
      'usage records published',
    );
    expect(records[0]).toMatchObject({ protocol: 'openai-audio', endpoint: 'audio.transcriptions', status: 200, units: { audioSeconds: 5 } });
    expect(records[1]).toMatchObject({ endpoint: 'audio.transcriptions', units: { audioSeconds: WAV_SECONDS } });
    expect(records[2]).toMatchObject({ endpoint: 'audio.speech', units: { characters: [...input].length } });
    expect(records[3]).toMatchObject({ endpoint: 'audio.speech', stream: true, promptTokens: 5, completionTokens: 22, units: { characters: 17 } });
    expect(records[4]).toMatchObject({ endpoint: 'audio.transcriptions', stream: true, promptTokens: 41, units: { audioSeconds: WAV_SECONDS } });
  });
});
