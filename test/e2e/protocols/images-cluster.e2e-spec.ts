import { connect, JSONCodec, type NatsConnection } from 'nats';
import OpenAI, { toFile } from 'openai';
import { Subjects, type UsageRecord } from '@switchboard/contracts';
import { startMockUpstream, type MockUpstream } from '@switchboard/testing';
import { adminClient, eventually, startCluster, type System } from '../../support/harness';
import { INFRA, requireInfra } from '../../support/infra';

jest.setTimeout(180_000);

const RED_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC', 'base64');

/**
 * Images through the five services on NATS: the SDK's calls served by an OpenAI and a Gemini channel, and the usage
 * records the gateway publishes carry the endpoint family and the images made (read off the bus as billing reads them).
 */
describe('images (cluster)', () => {
  let run = true;
  let mock: MockUpstream;
  let sys: System & { dropDatabase(): Promise<void> };
  let nc: NatsConnection;
  let client: OpenAI;
  const records = new Map<string, UsageRecord>();

  beforeAll(async () => {
    run = await requireInfra('postgres', 'redis', 'nats');
    if (!run) return;
    mock = await startMockUpstream();
    sys = await startCluster({ env: { CHANNEL_CHECK_INTERVAL_MS: '0', MAX_UPLOAD_BYTES: String(1024 * 1024) } });
    nc = await connect({ servers: INFRA.nats.url });
    const codec = JSONCodec<{ records?: UsageRecord[] } & Partial<UsageRecord>>();
    for (const subject of [Subjects.UsageRecorded, Subjects.UsageRecordedBatch]) {
      nc.subscribe(subject, {
        callback: (_e, m) => {
          const data = codec.decode(m.data);
          for (const r of data.records ?? [data as UsageRecord]) records.set(r.requestId, r);
        },
      });
    }
    const admin = adminClient(sys.url, sys.adminKey);
    for (const c of [
      { name: 'oai', type: 'openai', keys: ['oai'], models: ['dall-e-2', 'gpt-image-1'] },
      { name: 'gem', type: 'gemini', keys: ['gem'], models: ['imagen-4.0-generate-001'] },
    ])
      expect((await admin.post('/api/channels', { baseUrl: mock.url, ...c })).status).toBe(201);
    for (const m of ['dall-e-2', 'gpt-image-1', 'imagen-4.0-generate-001'])
      expect((await admin.put(`/api/prices/${m}`, { input: 5, output: 40 })).status).toBe(200);
    client = new OpenAI({ apiKey: String((await admin.post('/api/tokens', { name: 'images' })).body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(
      async () => (await client.images.generate({ model: 'dall-e-2', prompt: 'warm-up' }).catch(() => null))?.data?.length === 1,
      15_000,
      'routable',
    );
  });

  afterAll(async () => {
    await nc?.close();
    await sys?.stop();
    await sys?.dropDatabase();
    await mock?.close();
  });

  const recordOf = (requestId: string | null) => eventually(async () => Promise.resolve(records.get(requestId!)), 15_000, `the record of ${requestId}`);

  it('generations (OpenAI b64 and Gemini Imagen) and an edit with a file: answered, recorded with endpoint and units', async () => {
    if (!run) return;
    const oai = await client.images.generate({ model: 'dall-e-2', prompt: 'two kites', n: 2, size: '512x512', response_format: 'b64_json' }).withResponse();
    expect(oai.data.data).toHaveLength(2);
    expect(await recordOf(oai.response.headers.get('x-request-id'))).toMatchObject({
      status: 200,
      protocol: 'openai-images',
      upstreamProtocol: 'openai-images',
      endpoint: 'images.generations',
      units: { images: 2 },
    });

    const gem = await client.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'a crane', n: 3, size: '1024x1792' }).withResponse();
    expect(gem.data.data).toHaveLength(3);
    expect(mock.requests.at(-1)!.body).toMatchObject({ parameters: { sampleCount: 3, aspectRatio: '9:16' } });
    expect(await recordOf(gem.response.headers.get('x-request-id'))).toMatchObject({
      upstreamProtocol: 'gemini',
      endpoint: 'images.generations',
      units: { images: 3 },
    });

    const edit = await client.images
      .edit({ model: 'gpt-image-1', prompt: 'make it blue', image: await toFile(RED_PNG, 'red.png', { type: 'image/png' }), quality: 'low' })
      .withResponse();
    expect(edit.data.data).toHaveLength(1);
    expect(mock.requests.at(-1)!.files![0].bytes.equals(RED_PNG)).toBe(true);
    expect(await recordOf(edit.response.headers.get('x-request-id'))).toMatchObject({
      endpoint: 'images.edits',
      units: { images: 1 },
      promptTokens: edit.data.usage!.input_tokens,
      completionTokens: 272,
    });
  });

  it('a streamed gpt-image-1 generation is billed from its completed events, with the images asked', async () => {
    if (!run) return;
    const { data: stream, response } = await client.images
      .generate({ model: 'gpt-image-1', prompt: 'two lamps', n: 2, quality: 'high', size: '1024x1024', stream: true })
      .withResponse();
    let completed = 0;
    for await (const ev of stream) if (ev.type === 'image_generation.completed') completed++;
    expect(completed).toBe(2);
    expect(await recordOf(response.headers.get('x-request-id'))).toMatchObject({
      stream: true,
      status: 200,
      endpoint: 'images.generations',
      units: { images: 2 },
      completionTokens: 2 * 4160,
    });
  });

  it('an upload over MAX_UPLOAD_BYTES is a 413 from the cluster gateway too', async () => {
    if (!run) return;
    const big = Buffer.concat([RED_PNG, Buffer.alloc(1024 * 1024, 1)]);
    const err = await client.images
      .edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(big, 'big.png', { type: 'image/png' }) })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 413, error: { type: 'invalid_request_error' } });
  });
});
