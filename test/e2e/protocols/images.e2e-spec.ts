import OpenAI, { toFile } from 'openai';
import { startMockUpstream, type MockUpstream, type RecordedRequest } from '@switchboard/testing';
import { adminClient, eventually, startStandalone, type System } from '../../support/harness';

jest.setTimeout(120_000);

/** A small real PNG (8×8 red): what an app uploads to edit. */
const RED_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC', 'base64');
/** A PNG-signed file of `size` bytes: past the 1 MiB in-memory share, an upload is spooled to disk. */
const bigPng = (size: number) => Buffer.concat([RED_PNG, Buffer.alloc(size - RED_PNG.length, 7)]);
const isPng = (b64: string) => Buffer.from(b64, 'base64').subarray(1, 4).toString('latin1') === 'PNG';
const UPLOAD_LIMIT = 2 * 1024 * 1024;

interface Log {
  requestId: string;
  status: number;
  protocol: string;
  model: string;
  channelId: number | null;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** OpenAI Images through standalone with the official SDK: OpenAI channels as they are, Gemini channels converted. */
describe('images (standalone)', () => {
  let mock: MockUpstream;
  let sys: System;
  let admin: ReturnType<typeof adminClient>;
  let client: OpenAI;
  let poor: OpenAI;
  const channelIds: Record<string, number> = {};

  const requestsTo = (path: string): RecordedRequest[] => mock.requests.filter((r) => r.path.includes(path));

  beforeAll(async () => {
    mock = await startMockUpstream();
    sys = await startStandalone({ MAX_UPLOAD_BYTES: String(UPLOAD_LIMIT) });
    admin = adminClient(sys.url, sys.adminKey);
    const channels = [
      { name: 'openai-images', type: 'openai', keys: ['oai'], models: ['dall-e-2', 'dall-e-3', 'gpt-image-1'] },
      { name: 'gemini-images', type: 'gemini', keys: ['gem'], models: ['imagen-4.0-generate-001', 'gemini-2.5-flash-image'] },
      // Failover: the first (higher priority) answers 500, the second serves the same upload.
      { name: 'fo-first', type: 'openai', keys: ['fo-first'], models: ['fo-edit'], modelMapping: { 'fo-edit': 'dall-e-2' }, priority: 10 },
      { name: 'fo-second', type: 'openai', keys: ['fo-second'], models: ['fo-edit'], modelMapping: { 'fo-edit': 'dall-e-2' }, priority: 0 },
    ];
    for (const c of channels) {
      const r = await admin.post<{ id: number }>('/api/channels', { baseUrl: mock.url, ...c });
      expect(r.status).toBe(201);
      channelIds[c.name] = r.body.id;
    }
    for (const m of ['dall-e-2', 'dall-e-3', 'imagen-4.0-generate-001', 'fo-edit'])
      expect((await admin.put(`/api/prices/${m}`, { input: 1, output: 1 })).status).toBe(200);
    // Token-priced like OpenAI's list: $5/M text input, $40/M output image tokens.
    for (const m of ['gpt-image-1', 'gemini-2.5-flash-image']) expect((await admin.put(`/api/prices/${m}`, { input: 5, output: 40 })).status).toBe(200);
    const tok = await admin.post('/api/tokens', { name: 'images' });
    client = new OpenAI({ apiKey: String(tok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    const user = await admin.post('/api/users', { name: 'images-poor', balance: 0.1 });
    const poorTok = await admin.post('/api/tokens', { name: 'images-poor', userId: user.body.id });
    poor = new OpenAI({ apiKey: String(poorTok.body.key), baseURL: `${sys.url}/v1`, maxRetries: 0 });
    await eventually(async () => (await client.images.generate({ model: 'dall-e-2', prompt: 'warm-up' })).data?.length === 1, 10_000, 'images routable');
  });

  afterAll(async () => {
    await sys?.stop();
    await mock?.close();
  });

  const logOf = (id: string) =>
    eventually(
      async () => {
        const r = await admin.get<Log>(`/api/logs/${id}`);
        return r.status === 200 ? r.body : null;
      },
      10_000,
      `the log of ${id}`,
    );

  it('generates with b64_json and with url (dall-e-3: its revised prompt), relayed as OpenAI answered', async () => {
    mock.reset();
    const b64 = await client.images.generate({ model: 'dall-e-2', prompt: 'a red kite', n: 2, size: '512x512', response_format: 'b64_json' });
    expect(b64.data).toHaveLength(2);
    expect(b64.data!.every((d) => isPng(d.b64_json!))).toBe(true);
    const url = await client.images.generate({ model: 'dall-e-3', prompt: 'a blue kite', size: '1792x1024', quality: 'hd' });
    expect(url.data![0].url).toMatch(/^https:\/\/oaidalleapiprodscus\.blob\.core\.windows\.net\//);
    expect(url.data![0].revised_prompt).toContain('a blue kite');
    const sent = requestsTo('/v1/images/generations');
    expect(sent.map((r) => r.body)).toEqual([
      { model: 'dall-e-2', prompt: 'a red kite', n: 2, size: '512x512', response_format: 'b64_json' },
      { model: 'dall-e-3', prompt: 'a blue kite', size: '1792x1024', quality: 'hd' },
    ]);
  });

  it('gpt-image-1: b64_json with its own fields, billed by the tokens its usage reports', async () => {
    const { data, response } = await client.images
      .generate({ model: 'gpt-image-1', prompt: 'a small green robot waving', quality: 'low', output_format: 'png', background: 'transparent' })
      .withResponse();
    expect(data.data).toHaveLength(1);
    expect(data).toMatchObject({ quality: 'low', background: 'transparent', output_format: 'png', usage: { output_tokens: 272 } });
    const log = await logOf(response.headers.get('x-request-id')!);
    expect(log).toMatchObject({ status: 200, protocol: 'openai-images', model: 'gpt-image-1', promptTokens: data.usage!.input_tokens, completionTokens: 272 });
    // $5/M × input + $40/M × 272 output tokens
    expect(log.cost).toBeCloseTo((data.usage!.input_tokens * 5 + 272 * 40) / 1e6, 6);
  });

  it('gpt-image-1 streams partial images, then the completed image, as OpenAI sends them', async () => {
    const stream = await client.images.generate({ model: 'gpt-image-1', prompt: 'a lighthouse', stream: true, partial_images: 2 });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types).toEqual(['image_generation.partial_image', 'image_generation.partial_image', 'image_generation.completed']);
  });

  it('edits a real PNG with a mask (the upload reaches the upstream byte for byte), and makes variations', async () => {
    mock.reset();
    const mask = Buffer.from(RED_PNG);
    mask[mask.length - 20] ^= 1; // a different file, still PNG-signed
    const edited = await client.images.edit({
      model: 'dall-e-2',
      image: await toFile(RED_PNG, 'red.png', { type: 'image/png' }),
      mask: await toFile(mask, 'mask.png', { type: 'image/png' }),
      prompt: 'make it blue',
      n: 2,
      size: '256x256',
      response_format: 'b64_json',
    });
    expect(edited.data).toHaveLength(2);
    const [edit] = requestsTo('/v1/images/edits');
    expect(edit.files?.map((f) => [f.field, f.filename, f.contentType])).toEqual([
      ['image', 'red.png', 'image/png'],
      ['mask', 'mask.png', 'image/png'],
    ]);
    expect(edit.files![0].bytes.equals(RED_PNG)).toBe(true);
    expect(edit.files![1].bytes.equals(mask)).toBe(true);
    expect(edit.body).toEqual({ model: 'dall-e-2', prompt: 'make it blue', n: '2', size: '256x256', response_format: 'b64_json' });

    const variation = await client.images.createVariation({ model: 'dall-e-2', image: await toFile(RED_PNG, 'red.png', { type: 'image/png' }), n: 1 });
    expect(variation.data![0].url).toMatch(/^https:\/\//);
    expect(requestsTo('/v1/images/variations')[0].files![0].bytes.equals(RED_PNG)).toBe(true);
  });

  it('gpt-image-1 edits several images (each image[] part stays a file) and streams the edit', async () => {
    mock.reset();
    const blue = Buffer.from(RED_PNG);
    blue[blue.length - 20] ^= 2;
    const images = [await toFile(RED_PNG, 'one.png', { type: 'image/png' }), await toFile(blue, 'two.png', { type: 'image/png' })];
    const edited = await client.images.edit({ model: 'gpt-image-1', image: images, prompt: 'combine them', quality: 'low' });
    expect(edited.data).toHaveLength(1);
    expect(edited.usage?.input_tokens_details?.image_tokens).toBe(2 * 323);
    const [sent] = requestsTo('/v1/images/edits');
    expect(sent.files?.map((f) => [f.field, f.filename])).toEqual([
      ['image[]', 'one.png'],
      ['image[]', 'two.png'],
    ]);
    expect(sent.files![1].bytes.equals(blue)).toBe(true);

    const stream = await client.images.edit({
      model: 'gpt-image-1',
      image: await toFile(RED_PNG, 'one.png', { type: 'image/png' }),
      prompt: 'stream it',
      stream: true,
      partial_images: 1,
    });
    const types: string[] = [];
    for await (const ev of stream) types.push(ev.type);
    expect(types).toEqual(['image_edit.partial_image', 'image_edit.completed']);
  });

  it('refuses before any upstream call: no prompt, n out of range, no image, a file that is not an image', async () => {
    mock.reset();
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as InstanceType<typeof OpenAI.BadRequestError>,
      );
    const noPrompt = await refusal(client.images.generate({ model: 'dall-e-2' } as OpenAI.ImageGenerateParams));
    expect(noPrompt).toBeInstanceOf(OpenAI.BadRequestError);
    expect(noPrompt).toMatchObject({ status: 400, param: 'prompt' });
    expect(await refusal(client.images.generate({ model: 'dall-e-2', prompt: 'x', n: 11 }))).toMatchObject({ status: 400, param: 'n' });
    const notImage = await refusal(
      client.images.edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(Buffer.from('just some text'), 'notes.txt', { type: 'text/plain' }) }),
    );
    expect(notImage).toMatchObject({ status: 400, param: 'image' });
    expect(notImage!.message).toContain("unsupported mimetype ('text/plain')");
    const form = new FormData();
    form.append('model', 'dall-e-2');
    form.append('prompt', 'no file');
    const r = await fetch(`${sys.url}/v1/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}` }, body: form });
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ error: { param: 'image', type: 'invalid_request_error' } });
    expect(mock.requests).toHaveLength(0);
  });

  it('an upstream refusal (content policy) reaches the client as OpenAI wrote it', async () => {
    const err = await client.images.generate({ model: 'dall-e-3', prompt: 'mock:content_policy please' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err).toMatchObject({ status: 400, code: 'content_policy_violation' });
  });

  it('an upload over MAX_UPLOAD_BYTES is a 413 in OpenAI shape, never sent upstream', async () => {
    mock.reset();
    const err = await client.images
      .edit({ model: 'dall-e-2', prompt: 'x', image: await toFile(bigPng(UPLOAD_LIMIT + 100_000), 'big.png', { type: 'image/png' }) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err).toMatchObject({ status: 413, error: { type: 'invalid_request_error', message: expect.stringContaining('MAX_UPLOAD_BYTES') } });
    expect(mock.requests).toHaveLength(0);
  });

  it('failover replays the multipart upload (spooled to disk) to the second channel with the same bytes', async () => {
    mock.reset();
    mock.setFault({ match: { key: 'fo-first' }, status: 500 });
    const file = bigPng(1_500_000);
    const edited = await client.images.edit({
      model: 'fo-edit',
      image: await toFile(file, 'big.png', { type: 'image/png' }),
      prompt: 'replay me',
      response_format: 'b64_json',
    });
    expect(edited.data).toHaveLength(1);
    const attempts = requestsTo('/v1/images/edits');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts[0].key).toBe('fo-first');
    expect(attempts.at(-1)!.key).toBe('fo-second');
    for (const a of attempts) {
      expect(a.files?.map((f) => [f.field, f.filename, f.bytes.length])).toEqual([['image', 'big.png', file.length]]);
      expect(a.files![0].bytes.equals(file)).toBe(true);
      expect(a.body).toMatchObject({ model: 'dall-e-2', prompt: 'replay me' });
    }
    mock.clearFaults();
  });

  it('a quota too small for n images is a 429 before any upstream call', async () => {
    mock.reset();
    // 10 high-quality images bound to 41 600 output tokens × $40/M ≈ $1.66: more than the $0.10 balance.
    const err = await poor.images.generate({ model: 'gpt-image-1', prompt: 'ten robots', n: 10, quality: 'high', size: '1024x1024' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'insufficient_quota' });
    expect(mock.requests).toHaveLength(0);
    const one = await poor.images.generate({ model: 'gpt-image-1', prompt: 'one robot', quality: 'low', size: '1024x1024' });
    expect(one.data).toHaveLength(1);
  });

  describe('a Gemini channel', () => {
    it('Imagen serves images.generate through :predict, answered in OpenAI shape (n, size → aspect ratio)', async () => {
      mock.reset();
      const { data, response } = await client.images
        .generate({ model: 'imagen-4.0-generate-001', prompt: 'a paper crane', n: 2, size: '1792x1024' })
        .withResponse();
      expect(data.data).toHaveLength(2);
      expect(data.data!.every((d) => isPng(d.b64_json!))).toBe(true);
      expect(data.data![0].b64_json).not.toBe(data.data![1].b64_json);
      const [sent] = mock.requests;
      expect(sent.path).toBe('/v1beta/models/imagen-4.0-generate-001:predict');
      expect(sent.body).toEqual({ instances: [{ prompt: 'a paper crane' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } });
      expect(await logOf(response.headers.get('x-request-id')!)).toMatchObject({
        status: 200,
        protocol: 'openai-images',
        channelId: channelIds['gemini-images'],
      });
    });

    it('a native image model serves it through :generateContent; url asked of bytes is a data: URL', async () => {
      mock.reset();
      const r = await client.images.generate({ model: 'gemini-2.5-flash-image', prompt: 'a teapot', size: '1024x1536', response_format: 'url' });
      expect(r.data).toHaveLength(1);
      expect(r.data![0].url).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
      expect(r.usage).toMatchObject({ output_tokens_details: { image_tokens: 1290 } });
      expect(mock.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash-image:generateContent');
      expect(mock.requests[0].body).toMatchObject({ generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '2:3' } } });
    });

    it('a Gemini refusal (every image filtered) is a 400 content_policy_violation; edits are refused as unsupported', async () => {
      const err = await client.images.generate({ model: 'imagen-4.0-generate-001', prompt: 'mock:content_policy' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ status: 400, code: 'content_policy_violation' });
      mock.reset();
      const edit = await client.images
        .edit({ model: 'imagen-4.0-generate-001', prompt: 'x', image: await toFile(RED_PNG, 'red.png', { type: 'image/png' }) })
        .catch((e: unknown) => e);
      expect(edit).toMatchObject({ status: 400, message: expect.stringContaining('images.edits') });
      expect(mock.requests).toHaveLength(0);
    });
  });
});
