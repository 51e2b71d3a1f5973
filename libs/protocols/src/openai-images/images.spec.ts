import { convertRequest } from '../conversion/convert-request';
import { convertResponse } from '../conversion/convert-response';
import { createStreamTranslator } from '../conversion/stream-translator';
import type { ConvertContext } from '../protocol.types';
import { ProtocolError } from '../protocol.error';
import type { AccountedRequest } from '../registry/protocol.descriptor';
import { fixtureJson, fixtureText, randomSplits } from '../testing/fixtures.loader';
import { IMAGES_ACCOUNTING, validateImagesRequest } from './images.accounting';
import { geminiImageAction, nearestAspectRatio } from './images-gemini.converter';

const ctxFor = (clientBody: Record<string, unknown>, upstreamModel = String(clientBody.model)): ConvertContext => ({
  upstreamModel,
  requestedModel: String(clientBody.model),
  stream: false,
  requestId: 'req_1',
  clientBody,
});
const withoutCreated = (o: Record<string, unknown>) => {
  expect(typeof o.created).toBe('number');
  const { created: _created, ...rest } = o;
  return rest;
};

describe('OpenAI Images → Gemini (fixtures)', () => {
  it('an Imagen model gets :predict instances and parameters (n → sampleCount, size → nearest aspect ratio, format)', () => {
    const body = fixtureJson('images/openai-generate-imagen-request.json');
    expect(convertRequest('openai-images', 'gemini', body, ctxFor(body))).toEqual(fixtureJson('images/imagen-predict-request.json'));
    expect(geminiImageAction('imagen-4.0-generate-001')).toBe('predict');
  });

  it('a native image model gets generateContent with TEXT+IMAGE modalities, candidateCount and an aspect ratio', () => {
    const body = fixtureJson('images/openai-generate-native-request.json');
    expect(convertRequest('openai-images', 'gemini', body, ctxFor(body))).toEqual(fixtureJson('images/gemini-native-request.json'));
    expect(geminiImageAction('models/gemini-2.5-flash-image')).toBe('generateContent');
  });

  it('Imagen predictions come back as b64_json with the enhanced prompt as revised_prompt; filtered ones are dropped', () => {
    const body = fixtureJson('images/openai-generate-imagen-request.json');
    const out = convertResponse('gemini', 'openai-images', fixtureJson('images/imagen-predict-response.json'), ctxFor(body));
    expect(withoutCreated(out)).toEqual(fixtureJson('images/openai-from-imagen-response.json'));
  });

  it('native inlineData images come back as data: URLs when the client asked for url, with token usage by modality', () => {
    const body = fixtureJson('images/openai-generate-native-request.json');
    const out = convertResponse('gemini', 'openai-images', fixtureJson('images/gemini-native-response.json'), ctxFor(body));
    expect(withoutCreated(out)).toEqual(fixtureJson('images/openai-from-native-response.json'));
  });

  it('every image filtered is a 400 content_policy_violation, not an empty list', () => {
    const body = { model: 'imagen-4.0-generate-001', prompt: 'x' };
    const onlyFiltered = { predictions: [{ raiFilteredReason: 'Support codes: 39322892' }] };
    expect(() => convertResponse('gemini', 'openai-images', onlyFiltered, ctxFor(body))).toThrow(
      expect.objectContaining({ status: 400, type: 'content_policy_violation', message: expect.stringContaining('39322892') }),
    );
    const blocked = { candidates: [{ finishReason: 'IMAGE_SAFETY', index: 0 }] };
    expect(() => convertResponse('gemini', 'openai-images', blocked, ctxFor({ ...body, model: 'gemini-2.5-flash-image' }))).toThrow(ProtocolError);
  });

  it('refuses what Gemini cannot do: more than 4 Imagen samples, a stream, and images to a chat protocol', () => {
    const many = { model: 'imagen-4.0-generate-001', prompt: 'x', n: 5 };
    expect(() => convertRequest('openai-images', 'gemini', many, ctxFor(many))).toThrow(expect.objectContaining({ status: 400, param: 'n' }));
    expect(convertRequest('openai-images', 'gemini', { ...many, n: 4 }, ctxFor(many))).toMatchObject({ parameters: { sampleCount: 4 } });
    const body = { model: 'imagen-4.0-generate-001', prompt: 'x', stream: true };
    expect(() => convertRequest('openai-images', 'gemini', body, ctxFor(body))).toThrow(expect.objectContaining({ param: 'stream' }));
    expect(() => convertRequest('openai-images', 'anthropic', { ...body, stream: false }, ctxFor(body))).toThrow(ProtocolError);
  });

  it.each([
    ['1024x1024', '1:1'],
    ['1792x1024', '16:9'],
    ['1024x1792', '9:16'],
    ['1536x1024', '4:3'],
    ['auto', undefined],
    [undefined, undefined],
  ])('size %p → Imagen aspect ratio %p', (size, ratio) => {
    expect(nearestAspectRatio(size, ['1:1', '3:4', '4:3', '9:16', '16:9'])).toBe(ratio);
  });
});

const req = (body: Record<string, unknown>, operation: AccountedRequest['operation'] = 'image.generate', uploads?: AccountedRequest['uploads']) => ({
  operation,
  body,
  uploads,
});

describe('images accounting', () => {
  it('reserves n images at the request size and quality, with per-model defaults', () => {
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'dall-e-3', prompt: 'a cat', n: 1 })).units).toEqual({
      images: 1,
      imageSize: '1024x1024',
      imageQuality: 'standard',
    });
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'dall-e-2', prompt: 'a cat', n: '3', size: '512x512' }, 'image.edit')).units).toEqual({
      images: 3,
      imageSize: '512x512',
    });
    const gpt = IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'a cat', n: 2 }));
    expect(gpt.units).toEqual({ images: 2, imageSize: '1024x1024', imageQuality: 'medium' });
    expect(gpt.promptTokens).toBeGreaterThan(0);
  });

  it('bounds a GPT image call by its output image tokens (auto: the largest), and dall-e by none', () => {
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'p', n: 2, quality: 'low', size: '1024x1024' })).outputTokens).toBe(544);
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'p', quality: 'high', size: '1536x1024' })).outputTokens).toBe(6240);
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'p' })).outputTokens).toBe(6240);
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'dall-e-3', prompt: 'p' })).outputTokens).toBe(0);
  });

  it('reserves the input image tokens a GPT image edit starts from, by input fidelity', () => {
    const image = { field: 'image[]', bytes: 10, contentType: 'image/png' };
    const text = IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'p' }, 'image.edit')).promptTokens;
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'gpt-image-1', prompt: 'p' }, 'image.edit', [image, image])).promptTokens).toBe(text + 2 * 270);
    const high = req({ model: 'gpt-image-1', prompt: 'p', input_fidelity: 'high' }, 'image.edit', [image, { ...image, field: 'mask' }]);
    expect(IMAGES_ACCOUNTING.estimate(high).promptTokens).toBe(text + 3050);
    expect(IMAGES_ACCOUNTING.estimate(req({ model: 'dall-e-2', prompt: 'p' }, 'image.edit', [image])).promptTokens).toBe(text);
  });

  it('bills the images returned (not asked for) and GPT image token usage', () => {
    const answer = {
      created: 1,
      data: [{ b64_json: 'a' }],
      usage: { input_tokens: 50, input_tokens_details: { text_tokens: 10, image_tokens: 40 }, output_tokens: 4160, total_tokens: 4210 },
    };
    expect(IMAGES_ACCOUNTING.measure(answer, req({ model: 'gpt-image-1', prompt: 'p', n: 2, quality: 'high' }))).toEqual({
      usage: { promptTokens: 50, completionTokens: 4160, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
      units: { images: 1, imageSize: '1024x1024', imageQuality: 'high' },
    });
    expect(IMAGES_ACCOUNTING.measure({ created: 1, data: [] }, req({ model: 'dall-e-2', prompt: 'p' }))).toEqual({ usage: null, units: null });
  });
});

describe('images validation (400 before routing)', () => {
  const png = { field: 'image', bytes: 100, contentType: 'image/png', filename: 'a.png' };
  it.each([
    [req({ model: 'dall-e-3' }), 'prompt'],
    [req({ model: 'dall-e-3', prompt: '  ' }), 'prompt'],
    [req({ model: 'dall-e-2', prompt: 'p', n: 11 }), 'n'],
    [req({ model: 'dall-e-2', prompt: 'p', n: '0' }), 'n'],
    [req({ model: 'dall-e-2', prompt: 'p', n: 1.5 }), 'n'],
    [req({ model: 'dall-e-2', prompt: 'p' }, 'image.edit', []), 'image'],
    [req({ model: 'dall-e-2' }, 'image.variation', [{ field: 'mask', bytes: 1, contentType: 'image/png' }]), 'image'],
    [req({ model: 'dall-e-2', prompt: 'p' }, 'image.edit', [{ ...png, contentType: 'text/plain', filename: 'notes.txt' }]), 'image'],
    [req({ model: 'dall-e-2', prompt: 'p' }, 'image.edit', [png, { field: 'mask', bytes: 1, contentType: 'application/pdf', filename: 'm.pdf' }]), 'mask'],
  ])('%j → 400 naming %s', (r, param) => {
    expect(() => validateImagesRequest(r)).toThrow(expect.objectContaining({ status: 400, param }));
  });

  it('accepts a good request, and an octet-stream file named like an image', () => {
    expect(() => validateImagesRequest(req({ model: 'dall-e-2', prompt: 'p', n: '10' }))).not.toThrow();
    expect(() => validateImagesRequest(req({ model: 'dall-e-2' }, 'image.variation', [png]))).not.toThrow();
    const octet = { field: 'image[]', bytes: 9, contentType: 'application/octet-stream', filename: 'x.PNG' };
    expect(() => validateImagesRequest(req({ model: 'gpt-image-1', prompt: 'p' }, 'image.edit', [octet]))).not.toThrow();
  });
});

describe('GPT image streams', () => {
  it.each([1, 2, 3])('a pass-through stream forwards every byte and bills the completed event usage (split seed %p)', (seed) => {
    const sse = fixtureText('images/gpt-image-stream.sse');
    const t = createStreamTranslator('openai-images', 'openai-images', ctxFor({ model: 'gpt-image-1', prompt: 'p', stream: true }));
    let out = '';
    for (const piece of randomSplits(sse, seed)) out += t.push(piece);
    out += t.end();
    expect(out).toBe(sse);
    expect(t.usage).toEqual({ promptTokens: 50, completionTokens: 4160, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    expect(t.upstreamError).toBeNull();
  });
});
