import OpenAI, { toFile } from 'openai';
import { startMockUpstream, type MockUpstream } from '../index';
import { mockPngSeed } from './families/mock-image.util';

/** The mock's image endpoints answer as OpenAI and Gemini do, errors included (reference §4.1, §6.1, §6.2). */
describe('mock upstream: images', () => {
  let mock: MockUpstream;
  let client: OpenAI;
  const png = () => Buffer.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC', 'base64'));

  beforeAll(async () => {
    mock = await startMockUpstream();
    client = new OpenAI({ apiKey: 'sk-test', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  });
  afterEach(() => mock.reset());
  afterAll(() => mock.close());

  const gemini = (path: string, body: unknown) =>
    fetch(`${mock.url}${path}`, { method: 'POST', headers: { 'x-goog-api-key': 'g', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as Record<string, any> }),
    );

  it('generations: dall-e answers urls by default, real PNGs for b64_json that differ per image; gpt-image b64 with usage', async () => {
    expect((await client.images.generate({ model: 'dall-e-2', prompt: 'a cat' })).data![0].url).toMatch(/^https:\/\//);
    const b64 = await client.images.generate({ model: 'dall-e-2', prompt: 'a cat', n: 2, response_format: 'b64_json' });
    const files = b64.data!.map((d) => Buffer.from(d.b64_json!, 'base64'));
    expect(files.map((f) => mockPngSeed(f))).toEqual(['dall-e-2|generations|a cat||0', 'dall-e-2|generations|a cat||1']);
    const gpt = await client.images.generate({ model: 'gpt-image-1', prompt: 'a cat', quality: 'high', size: '1536x1024' });
    expect(gpt).toMatchObject({ quality: 'high', size: '1536x1024', usage: { output_tokens: 6240 } });
  });

  it("OpenAI's 400s: no prompt, dall-e-3 n > 1, the safety system, no image, a non-image file, an image[] sent as text", async () => {
    const bad = (p: Promise<unknown>) => p.catch((e: unknown) => e);
    expect(await bad(client.images.generate({ model: 'dall-e-3' } as OpenAI.ImageGenerateParams))).toMatchObject({ status: 400, param: 'prompt' });
    expect(await bad(client.images.generate({ model: 'dall-e-3', prompt: 'x', n: 2 }))).toMatchObject({ status: 400, code: 'integer_above_max_value' });
    expect(await bad(client.images.generate({ model: 'dall-e-3', prompt: 'mock:content_policy' }))).toMatchObject({ code: 'content_policy_violation' });
    const text = await toFile(Buffer.from('hello'), 'a.txt', { type: 'text/plain' });
    expect(await bad(client.images.edit({ model: 'dall-e-2', prompt: 'x', image: text }))).toMatchObject({
      status: 400,
      param: 'image',
      code: 'invalid_image_file',
    });
    const form = new FormData();
    form.append('prompt', 'x');
    form.append('image[]', 'not a file');
    const r = await fetch(`${mock.url}/v1/images/edits`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: form });
    expect(await r.json()).toMatchObject({ error: { message: "Invalid type for 'image[0]': expected a file, but got a string instead." } });
    const none = new FormData();
    none.append('prompt', 'x');
    const r2 = await fetch(`${mock.url}/v1/images/edits`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: none });
    expect(await r2.json()).toMatchObject({ error: { param: 'image', code: 'missing_required_parameter' } });
  });

  it('records the files of an upload as received', async () => {
    await client.images.createVariation({ image: await toFile(png(), 'v.png', { type: 'image/png' }) });
    expect(mock.requests[0].files).toEqual([{ field: 'image', filename: 'v.png', contentType: 'image/png', bytes: png() }]);
  });

  it('Imagen :predict: samples, a filtered prompt as raiFilteredReason, its 400s', async () => {
    const ok = await gemini('/v1beta/models/imagen-4.0-generate-001:predict', {
      instances: [{ prompt: 'a fox' }],
      parameters: { sampleCount: 2, aspectRatio: '16:9' },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.predictions).toHaveLength(2);
    expect(ok.body.predictions[0]).toMatchObject({ mimeType: 'image/png', bytesBase64Encoded: expect.stringMatching(/^iVBORw0KGgo/) });
    const filtered = await gemini('/v1beta/models/imagen-4.0-generate-001:predict', { instances: [{ prompt: 'mock:content_policy' }], parameters: {} });
    expect(filtered.body.predictions).toEqual([{ raiFilteredReason: expect.stringContaining('filtered') }]);
    const many = await gemini('/v1beta/models/imagen-4.0-generate-001:predict', { instances: [{ prompt: 'x' }], parameters: { sampleCount: 5 } });
    expect(many).toMatchObject({ status: 400, body: { error: { code: 400, status: 'INVALID_ARGUMENT' } } });
  });

  it('native image output: inlineData parts and image tokens when responseModalities asks for IMAGE', async () => {
    const r = await gemini('/v1beta/models/gemini-2.5-flash-image:generateContent', {
      contents: [{ role: 'user', parts: [{ text: 'a fox' }] }],
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '3:2' } },
    });
    expect(r.body.candidates[0].content.parts[1]).toMatchObject({ inlineData: { mimeType: 'image/png' } });
    expect(r.body.usageMetadata.candidatesTokensDetails).toContainEqual({ modality: 'IMAGE', tokenCount: 1290 });
    const chat = await gemini('/v1beta/models/gemini-2.5-flash:generateContent', { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });
    expect(chat.body.candidates[0].content.parts).toEqual([expect.not.objectContaining({ inlineData: expect.anything() })]);
  });
});
