import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';
import { logOf, rerank, DOCS, QUERY } from '../endpoints/support/rerank';

jest.setTimeout(120_000);

interface Log {
  requestId: string;
  status: number;
  endpoint: string | null;
  units: Record<string, number> | null;
  cost: number;
}

/**
 * The families' units priced by PUT /api/prices and billed through the relay, end to end (standalone): the log's
 * cost is units × the unit price, and the user's balance goes down by exactly that.
 */
describe('unit prices bill the endpoint families (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let client: OpenAI;
  let key: string;
  let userId: number;

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone();
    admin = adminClient(sys.url, sys.adminKey);
    const channels = [
      { name: 'oa', type: 'openai', keys: ['k-oa'], models: ['dall-e-3', 'tts-1', 'whisper-1'] },
      { name: 'co', type: 'cohere', keys: ['k-co'], models: ['rerank-v3.5'] },
    ];
    for (const c of channels) expect((await admin.post('/api/channels', { baseUrl: mock.url, ...c })).status).toBe(201);
    const prices: Record<string, object> = {
      'dall-e-3': { perImageBySize: { '1024x1024': 0.04, 'hd:1792x1024': 0.12 } },
      'tts-1': { speechPerMillionChars: 15 },
      'whisper-1': { audioInputPerMinute: 0.006 },
      'rerank-v3.5': { perSearchUnit: 0.002 },
    };
    for (const [model, units] of Object.entries(prices)) expect((await admin.put(`/api/prices/${model}`, { input: 0, output: 0, ...units })).status).toBe(200);
    const user = await admin.post<{ id: number }>('/api/users', { name: 'units-payer', balance: 10 });
    userId = user.body.id;
    key = String((await admin.post<{ key: string }>('/api/tokens', { name: 'units', userId })).body.key);
    client = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(async () => (await client.images.generate({ model: 'dall-e-3', prompt: 'warm-up' })).data?.length === 1, 10_000, 'routable');
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const balance = async () => (await admin.get<{ balance: number }>(`/api/users/${userId}`)).body.balance;
  /** The balance after every debit so far has landed (usage records are applied asynchronously). */
  const settledBalance = (expected: number) =>
    eventually(async () => (Math.abs((await balance()) - expected) < 1e-9 ? true : null), 10_000, `balance ${expected}`);

  it('an hd 1792x1024 image costs its quality:size price; the balance drops by exactly that', async () => {
    // the warm-up's standard 1024x1024 image cost 0.04 of the 10
    await settledBalance(10 - 0.04);
    const { response } = await client.images.generate({ model: 'dall-e-3', prompt: 'a lighthouse', size: '1792x1024', quality: 'hd' }).withResponse();
    const log = await logOf(admin, response.headers.get('x-request-id')!);
    expect(log as unknown as Log).toMatchObject({ status: 200, endpoint: 'images.generations', units: { images: 1 }, cost: 0.12 });
    await settledBalance(10 - 0.04 - 0.12);
  });

  it('speech costs its characters at the per-million price', async () => {
    const input = 'Hello from the gateway. '.repeat(10); // 240 characters
    const { response } = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input, response_format: 'wav' }).withResponse();
    const log = (await logOf(admin, response.headers.get('x-request-id')!)) as unknown as Log;
    expect(log).toMatchObject({ status: 200, endpoint: 'audio.speech', units: { characters: input.length } });
    expect(log.cost).toBeCloseTo((input.length * 15) / 1e6, 9);
  });

  it('a rerank costs its search units', async () => {
    const r = await rerank(sys.url, key, { model: 'rerank-v3.5', query: QUERY, documents: DOCS });
    expect(r.status).toBe(200);
    const log = (await logOf(admin, r.requestId)) as unknown as Log;
    expect(log).toMatchObject({ endpoint: 'rerank', units: { searchUnits: 1 } });
    expect(log.cost).toBeCloseTo(0.002, 9);
  });
});

describe('unit prices bill transcriptions by the minute (standalone)', () => {
  it('a transcription costs its audio seconds at the per-minute price', async () => {
    const mock = await startMockUpstream();
    const sys = await startStandalone();
    try {
      const admin = adminClient(sys.url, sys.adminKey);
      expect((await admin.post('/api/channels', { baseUrl: mock.url, name: 'oa', type: 'openai', keys: ['k'], models: ['whisper-1'] })).status).toBe(201);
      expect((await admin.put('/api/prices/whisper-1', { input: 0, output: 0, audioInputPerMinute: 0.006 })).status).toBe(200);
      const key = String((await admin.post<{ key: string }>('/api/tokens', { name: 'audio' })).body.key);
      const client = new OpenAI({ apiKey: key, baseURL: `${sys.url}/v1`, maxRetries: 0 });
      const file = await toFile(readFileSync(join(__dirname, '../../../libs/protocols/fixtures/audio/speech.wav')), 'speech.wav', { type: 'audio/wav' });
      const { response } = await eventually(
        () =>
          client.audio.transcriptions
            .create({ model: 'whisper-1', file, response_format: 'srt' })
            .withResponse()
            .catch(() => null),
        10_000,
        'routable',
      );
      const log = (await logOf(admin, response.headers.get('x-request-id')!)) as unknown as Log;
      expect(log).toMatchObject({ status: 200, endpoint: 'audio.transcriptions' });
      expect(log.units?.audioSeconds).toBeGreaterThan(1);
      // micro-dollars, rounded half up once (SPEC §6)
      expect(log.cost).toBe(Math.round((log.units!.audioSeconds * 6000) / 60 + 1e-9) / 1e6);
    } finally {
      await sys.stop();
      await mock.close();
    }
  });
});
